"""RunController: the GUI thread's handle on training.

It owns the TrainingWorker and its QThread, forwards commands to it as queued signals
(so they run between steps on the worker thread), keeps the run's History, and re-emits
what the worker reports. Panels talk to this object only; none of them ever holds the
Trainer.

    controller.train() / pause() / step_once() / reset(config, dataset)
    controller.set_speed(sps) / set_learning_rate(lr)      live, no reset
    controller.request_capture(word="", attention=True, positions=False)
    controller.request_snapshot()  -> snapshot_ready(Inference)
    controller.snapshot()          -> Inference now (waits for the current step)
    controller.call_in_worker(fn, on_result, on_error)     fn(trainer) between steps
    controller.call_on_snapshot(fn, on_result, on_error)   fn(inference), own thread
    controller.replace_trainer(factory)                    e.g. a loaded checkpoint
"""

from __future__ import annotations

import itertools
import time
from collections import deque

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from .frame_budget import FrameBudget
from .gui_priority import GuiPriority
from .history import History
from .tasks import TaskRunner
from .worker import TrainingWorker

SPEEDS = (1, 5, 20, 100, 0)  # steps per second; 0 = max
DEFAULT_SPEED = 100  # a first start's speed (controls.py)


class RunController(QObject):
    stats_batch = Signal(object)  # list[StepStats], already added to `history`
    state_changed = Signal(str)  # "empty" | "paused" | "running" | "finished"
    # Training stopped running (Pause, the run's end, a blow-up), after its last batch.
    # Views that refresh from the weights on a timer while training runs, and on a batch
    # that arrives while it does not (a single Step), refresh on this too: the last batch
    # of a run arrives while the state still says "running".
    stopped = Signal()
    reset_done = Signal(object)  # RunInfo of the new run (history is fresh)
    run_closed = Signal(object, object)  # (History, RunInfo) of the run being replaced
    error = Signal(str)  # show to the user (message box)
    notice = Signal(str)  # training paused by itself, and why
    capture_ready = Signal(object)  # dict from TrainingWorker.request_capture
    snapshot_ready = Signal(object)  # Inference
    learning_rate_changed = Signal(float)
    num_steps_changed = Signal(int)  # the run's length changed live (set_num_steps)
    speed_changed = Signal(float)

    # Commands to the worker. Emitting them from this (GUI) thread queues the call on
    # the worker's thread, in order.
    _cmd_start = Signal()
    _cmd_pause = Signal(str)
    _cmd_step = Signal()
    _cmd_reset = Signal(object)
    _cmd_speed = Signal(float)
    _cmd_lr = Signal(float)
    _cmd_steps = Signal(int)
    _cmd_capture = Signal(object)
    _cmd_snapshot = Signal()
    _cmd_call = Signal(int, object)
    _cmd_shutdown = Signal()

    def __init__(self, parent=None, history_capacity: int = 100_000):
        super().__init__(parent)
        self._capacity = history_capacity
        self.history = History(history_capacity)
        self.info = None  # RunInfo once a run exists
        self.state = "empty"
        self._intent = None  # (token, state) Train / Pause asked for, not yet answered
        self.speed = 0.0
        self.last_error = ""
        self._callbacks: dict[int, tuple] = {}
        self._tokens = itertools.count(1)
        # (token, prefix of its error) of every new model asked for and not built yet, in
        # order: the worker builds them one after another and answers each in turn (a
        # Reset, then Open checkpoint before the first is built: two answers).
        self._resets: deque[tuple[int, str]] = deque()
        self.answered = 0  # the token of the request reset_done / a failure answers
        self.requested = 0  # the token of the latest request
        # The dataset reset() asked the latest request to train on (None: a factory of
        # replace_trainer's own, e.g. a checkpoint): whoever waits for a model on data that
        # has just loaded can tell it from one asked for on the data before.
        self.requested_data = None
        self._tasks = TaskRunner(self)  # call_on_snapshot jobs

        self.worker_thread = QThread()
        self.worker_thread.setObjectName("microgpt-training")
        self.worker = TrainingWorker()
        self.worker.moveToThread(self.worker_thread)
        # Shared by every panel's redraw timers: see frame_budget.py.
        self.budget = FrameBudget(lambda: self.worker.busy_seconds, self)
        # The training thread steps aside while this thread is behind: gui_priority.py.
        self.priority = GuiPriority(self)
        self.worker.priority = self.priority
        w = self.worker
        self._cmd_start.connect(w.start)
        self._cmd_pause.connect(w.pause)
        self._cmd_step.connect(w.step_once)
        self._cmd_reset.connect(w.reset)
        self._cmd_speed.connect(w.set_speed)
        self._cmd_lr.connect(w.set_learning_rate)
        self._cmd_steps.connect(w.set_num_steps)
        self._cmd_capture.connect(w.request_capture)
        self._cmd_snapshot.connect(w.request_snapshot)
        self._cmd_call.connect(w.call)
        # Queued, not blocking: closing must not wait for a long step or reset. The worker
        # stops its timer, hands itself back to this thread and quits its thread itself.
        self._cmd_shutdown.connect(w.shutdown)
        w.stats_batch.connect(self._on_batch)
        w.state_changed.connect(self._on_state)
        w.reset_done.connect(self._on_reset_done)
        w.reset_failed.connect(self._on_reset_failed)
        w.error.connect(self._on_error)
        w.paused_reason.connect(self.notice)
        w.capture_ready.connect(self.capture_ready)
        w.snapshot_ready.connect(self.snapshot_ready)
        w.call_done.connect(self._on_call_done)
        w.num_steps_set.connect(self._on_num_steps_set)
        self.worker_thread.start()
        app = QCoreApplication.instance()
        if app is not None:  # a window that was never closed must not leave a thread
            app.aboutToQuit.connect(self.shutdown)

    # --- commands -------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """A new model is being built on the worker thread (or waits to be)."""
        return bool(self._resets)

    def steps_done(self) -> int:
        """The steps the model has had: the history's last one, or the step a checkpoint
        was saved at when it came without curves (0 before the first model)."""
        info = self.info
        return 0 if info is None else max(self.history.step, info.start_step)

    def pending(self, token: int) -> bool:
        """The new model replace_trainer() returned `token` for is not answered yet."""
        return any(t == token for t, _failure in self._resets)

    def train(self):
        self._cmd_start.emit()
        self._expect("running")

    def pause(self, reason: str = ""):
        # Abandon a long step in progress now rather than after it. Set before queueing
        # the command that clears it, so it can never outlive that command.
        self.worker.interrupt = True
        self._cmd_pause.emit(reason)
        self._expect("paused")

    def toggle(self):
        """Train / Pause on the state last asked for: two quick presses of Space (before
        the worker has said it is running) are Train then Pause, not Train twice."""
        wanted = self._intent[1] if self._intent else self.state
        self.pause() if wanted == "running" else self.train()

    def _expect(self, state: str) -> None:
        """The worker is on its way to `state` (as far as this thread asked) until its
        answer to the command just queued is here: a no-op queued behind the command,
        which comes back after the state the command made the worker report."""
        token = object()
        self._intent = (token, state)

        def arrived(_result=None) -> None:
            if self._intent is not None and self._intent[0] is token:
                self._intent = None  # from now on, the worker's own state

        self.call_in_worker(lambda _trainer: None, arrived, arrived)

    def step_once(self):
        self._cmd_step.emit()

    def reset(self, config, dataset):
        """A new model with `config` on `dataset` (built on the worker thread)."""
        from engine import Trainer  # lazy: keeps start-up fast

        self.replace_trainer(lambda: Trainer(config, dataset))
        self.requested_data = dataset

    def replace_trainer(self, factory, failure: str = "Could not start a new model") -> int:
        """factory() runs on the worker thread and returns a Trainer; if it raises, the
        old run stays and the error reads "<failure>: <what went wrong>". Returns a
        token: `answered` holds it while reset_done (or the error) for this one is sent."""
        token = self.requested = next(self._tokens)
        self.requested_data = None
        self._resets.append((token, failure))
        self.worker.interrupt = True  # abandon a long step in progress (see pause())
        self._cmd_reset.emit(factory)
        self._expect("paused")  # a new model starts paused (a failed one: paused too)
        return token

    def set_speed(self, steps_per_second: float):
        self.speed = float(steps_per_second)
        self._cmd_speed.emit(self.speed)
        self.speed_changed.emit(self.speed)

    def set_learning_rate(self, lr: float):
        if self.info is None:
            return
        self._cmd_lr.emit(float(lr))
        self.history.add_event(self.history.step, f"lr {lr:g}")
        self.learning_rate_changed.emit(float(lr))

    def set_num_steps(self, num_steps: int) -> bool:
        """Make the run longer (or shorter) without a Reset, from the next step, as
        `microgpt train --resume CKPT --steps N` does: the lr schedule is recomputed for
        the new length. False (nothing changes) at or below the steps already done."""
        info = self.info
        if info is None or self.busy:
            return False
        done = self.steps_done()
        if num_steps <= done or num_steps == info.num_steps:
            return False
        self._cmd_steps.emit(int(num_steps))
        self.history.add_event(self.history.step, f"steps {num_steps:,}")
        self._adopt_length(num_steps)
        return True

    def _adopt_length(self, num_steps: int) -> None:
        """The current run is num_steps long now (RunInfo.num_steps reads its config)."""
        self.info.config.train.num_steps = int(num_steps)
        self.num_steps_changed.emit(int(num_steps))

    def request_capture(self, word: str = "", attention: bool = True, positions: bool = False):
        """Attention/per-position losses for `word` ('' = the next training doc)."""
        self._cmd_capture.emit({"word": word, "attention": attention, "positions": positions})

    def request_snapshot(self):
        self._cmd_snapshot.emit()

    def snapshot(self):
        """A frozen copy of the weights, now. Waits for the step in progress, if any."""
        with self.worker.lock:
            trainer = self.worker.trainer
            return trainer.snapshot() if trainer is not None else None

    def call_in_worker(self, fn, on_result=None, on_error=None):
        """Run fn(trainer) on the worker thread between steps; callbacks on this thread."""
        token = next(self._tokens)
        self._callbacks[token] = (on_result, on_error)
        self._cmd_call.emit(token, fn)
        return token

    def call_on_snapshot(self, fn, on_result=None, on_error=None):
        """Run fn(inference) on a background thread with a frozen copy of the weights.

        For heavy read-only analysis (many forward passes): unlike call_in_worker it
        does not hold up training, and the reference backend can take seconds."""
        def start(inference):
            if inference is not None:
                self._tasks.run(lambda _progress: fn(inference), on_result,
                                on_error or self._on_error)

        self.call_in_worker(lambda t: t.snapshot() if t is not None else None, start, on_error)

    def shutdown(self, timeout_ms: int | None = 5000) -> bool:
        """Stop the worker and its thread; True if the thread ended in time (None: wait
        until it has, however long the step in progress takes)."""
        if not self.worker_thread.isRunning():
            return True
        if self.worker.stopping:  # asked already (closeEvent, then aboutToQuit): no 2nd wait
            return False
        self.worker.stopping = True  # skip whatever is still queued for the worker
        self.priority.stop()
        self._cmd_shutdown.emit()  # the worker quits its thread when it gets there
        self.worker_thread.requestInterruption()
        # One budget for both: snapshot jobs first (they only read a copy), then the worker.
        if timeout_ms is None:
            self._tasks.shutdown(None)
            ok = self.worker_thread.wait()
        else:
            t_end = time.monotonic() + timeout_ms / 1000
            self._tasks.shutdown(timeout_ms * 2 // 5)
            ok = self.worker_thread.wait(max(0, int((t_end - time.monotonic()) * 1000)))
        if not ok:  # still inside a step or reset: let the thread end when it is done
            self.worker_thread.quit()
        self._set_state("empty")
        return ok

    # --- worker reports -------------------------------------------------------------
    def _on_batch(self, batch):
        self.history.extend(batch)
        self.stats_batch.emit(batch)

    def _on_state(self, state: str):
        self._set_state(state)

    def _set_state(self, state: str):
        if state != self.state:
            was, self.state = self.state, state
            self.state_changed.emit(state)
            if was == "running" and state in ("paused", "finished"):
                self.stopped.emit()

    def _on_reset_done(self, info):
        self.answered = self._resets.popleft()[0] if self._resets else 0
        old_history, old_info = self.history, self.info
        self.history = History(self._capacity, old_history.smoothing)
        self.info = info
        if old_info is not None:
            self.run_closed.emit(old_history, old_info)
        self.reset_done.emit(info)

    def _on_reset_failed(self, message: str):
        self.answered, failure = (self._resets.popleft() if self._resets else
                                  (0, "Could not start a new model"))
        self._on_error(f"{failure}: {message}")

    def _on_error(self, message: str):
        self.last_error = message
        self.error.emit(message)

    def _on_num_steps_set(self, num_steps: int):
        """The worker clamps a new length to the steps it has done, which may be more
        than this thread had seen when it asked: the run's length is the worker's."""
        info = self.info
        if info is None or num_steps == info.num_steps:
            return  # (it arrives before any later Reset's reset_done: info is its run's)
        self._adopt_length(num_steps)

    def _on_call_done(self, token: int, result, error):
        on_result, on_error = self._callbacks.pop(token, (None, None))
        if error is not None:
            (on_error or self._on_error)(error)
        elif on_result is not None:
            on_result(result)
