"""TrainingWorker: runs trainer.step() on its own QThread.

Every command arrives as a queued signal, so it runs on the worker thread *between*
steps: the trainer is only ever mutated here, never from the GUI thread (the one
exception, RunController.snapshot(), takes `lock`). The loop is a single-shot QTimer
rather than a `while` loop, so the thread's event loop keeps turning and commands (pause,
new learning rate, capture requests, quit) are picked up after at most one step.

Results leave as plain copies (StepStats, numpy arrays, RunInfo) in batches at most every
FLUSH_S seconds, so the GUI thread is never flooded with one signal per step.
"""

from __future__ import annotations

import threading
import time
import traceback

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from engine import StepCancelled

from .blow_up import BlowUpWatch, diverged_text
from .capture_requests import CaptureRequests, capture_from_view, follow_capture
from .runinfo import RunInfo

FLUSH_S = 0.03  # emit collected steps at most ~33 times a second
MAX_TICK_S = 0.03  # at "max" speed, return to the event loop this often
CANCELLED = object()  # _one_step: a pause or reset abandoned the step (nothing changed)


def describe(exc: BaseException) -> str:
    """One line for people: engine errors already read well, others get their type."""
    if isinstance(exc, ValueError) and type(exc).__name__.endswith("Error") and str(exc):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class TrainingWorker(QObject):
    stats_batch = Signal(object)  # list[StepStats]
    state_changed = Signal(str)  # "paused" | "running" | "finished"
    reset_done = Signal(object)  # RunInfo
    reset_failed = Signal(str)
    error = Signal(str)  # a step raised: training is paused, the thread lives on
    paused_reason = Signal(str)  # why training paused by itself (divergence)
    capture_ready = Signal(object)  # dict: step, word, follow, attention, labels, ...
    snapshot_ready = Signal(object)  # engine Inference (frozen copy of the weights)
    call_done = Signal(int, object, object)  # token, result, error message or None
    num_steps_set = Signal(int)  # the run's length set_num_steps gave it (maybe clamped)

    def __init__(self):
        super().__init__()
        self.trainer = None
        # fn(trainer, stats) called here after every step, e.g. the time-lapse's snapshots:
        # the GUI sees steps only in batches, so "every N steps" needs this thread.
        self.step_hooks: list = []
        self.lock = threading.Lock()  # held while the trainer changes
        self._running = False
        self._speed = 0.0  # steps per second; 0 = as fast as possible
        self._next_due = 0.0
        self._pending: list = []
        self._last_flush = 0.0
        # What the panels asked to see (attention maps, per-letter losses), merged by word.
        self._captures = CaptureRequests()
        self._last_doc = ""
        # Set directly from the GUI thread on close (a plain bool: atomic under the GIL),
        # so commands still queued behind the shutdown are skipped, not run.
        self.stopping = False
        # Set directly from the GUI thread just before it queues a pause or a reset: the
        # step in progress is abandoned at its backend's next safe point (StepCancelled,
        # nothing changed), so a model whose steps take seconds still pauses at once.
        # Cleared here when that command arrives (pause(), which reset() calls).
        self.interrupt = False
        self._blew_up = BlowUpWatch()  # pause now? (a loss that blew up)
        # Wall seconds spent running steps, ever: the GUI's FrameBudget reads its rate
        # (a float assigned here, read there: atomic under the GIL).
        self.busy_seconds = 0.0
        # A GuiPriority (set by the controller, read here): between steps and at the
        # backend's safe points this thread sleeps while the GUI thread is behind.
        self.priority = None
        # Parented to self, so it moves to the worker thread with us.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._answer_timer = QTimer(self)  # capture requests made while idle
        self._answer_timer.setSingleShot(True)
        self._answer_timer.timeout.connect(self._answer_captures)

    # --- commands (queued from the GUI thread) ----------------------------------------
    @Slot()
    def start(self):
        if self.trainer is None or self._running or self.stopping:
            return
        if self.trainer.done:
            self._set_state()
            return
        self._running = True
        self._next_due = time.monotonic()
        self.state_changed.emit("running")
        self._timer.start(0)

    @Slot(str)
    def pause(self, reason: str = ""):
        self.interrupt = False
        was_running = self._running
        self._running = False
        self._timer.stop()
        self._flush(force=True)
        if reason:  # (before the state, as when a blow-up pauses the run loop)
            self.paused_reason.emit(reason)
        if was_running:
            self._set_state()
        if self._captures:  # asked for during the last step: answer them now
            self._answer_timer.start(0)

    @Slot()
    def step_once(self):
        if self._running or self.trainer is None or self.stopping:
            return
        if not self.trainer.done:
            stats = self._one_step()
            self._flush(force=True)
            if stats is not None and stats is not CANCELLED and self._blew_up(stats):
                self.paused_reason.emit(diverged_text(stats))
        self._set_state()

    @Slot(object)
    def reset(self, factory):
        """Replace the trainer with factory() (a new Trainer, or one loaded from disk)."""
        if self.stopping:
            return
        self.pause()
        try:
            trainer = factory()
            info = RunInfo.from_trainer(trainer)
        except Exception as e:  # keep the old run: a bad setting must not lose it
            self.reset_failed.emit(describe(e))
            return
        trainer.should_stop = self._should_stop
        with self.lock:
            self.trainer = trainer
        self._pending.clear()
        self._blew_up.reset()
        self._captures.clear()  # asked of the old model
        self._last_doc = ""
        self.reset_done.emit(info)
        self._set_state()

    @Slot(float)
    def set_speed(self, steps_per_second: float):
        self._speed = max(0.0, float(steps_per_second))
        self._next_due = time.monotonic()
        if self._running:  # from 1 step/s to max: do not sit out the old one-second wait
            self._timer.start(0)

    @Slot(float)
    def set_learning_rate(self, lr: float):
        if self.trainer is None:
            return
        try:
            self.trainer.set_learning_rate(lr)
        except Exception as e:
            self.error.emit(describe(e))

    @Slot(int)
    def set_num_steps(self, num_steps: int):
        """A new length for the run, from the next step (the lr schedule stretches or
        shrinks with it). Never below the steps already done: the run ends there."""
        if self.trainer is None:
            return
        self.trainer.config.train.num_steps = max(int(num_steps), self.trainer.step_num)
        # The GUI asked from the steps it had been shown, which lag this thread's by up
        # to a batch: a length at or below the steps done here ends the run now (a next
        # step would raise "the run is over"), and the GUI is told the length it got.
        self.num_steps_set.emit(self.trainer.config.train.num_steps)
        if self._running and self.trainer.done:
            self._running = False
            self._timer.stop()
            self._flush(force=True)
        if not self._running:
            self._set_state()  # "finished" -> "paused" when it was made longer

    @Slot(object)
    def request_capture(self, request: dict):
        """request: word (str, '' = follow the training doc), attention, positions.
        While running it rides on the next step. While idle it is answered once the
        commands queued behind it have been read: panels ask several times a second, and
        after a long step (a big reference model) many requests wait in the queue, which
        must cost one forward pass per word, not one per request."""
        if self.trainer is None or self.stopping:
            return
        self._captures.add(request)
        if not self._running:
            self._answer_timer.start(0)

    def _answer_captures(self):
        """Answer the requests collected while idle (with the current weights)."""
        if self._running or self.trainer is None or self.stopping:
            return  # running: the next step answers them
        for req in self._captures.take().values():
            self._answer(req, req["word"] or self._last_doc or self.trainer.batch_docs(
                self.trainer.step_num)[0])

    @Slot()
    def request_snapshot(self):
        if self.trainer is not None:
            self.snapshot_ready.emit(self.trainer.snapshot())

    @Slot(int, object)
    def call(self, token: int, fn):
        """Run fn(trainer) here, between steps (checkpoints, lessons, exports...)."""
        if self.stopping:
            return
        try:
            result = fn(self.trainer)
        except Exception as e:
            self.call_done.emit(token, None, describe(e))
        else:
            self.call_done.emit(token, result, None)

    @Slot()
    def shutdown(self):
        self._running = False
        self._timer.stop()
        # Hand ourselves back to the GUI thread before this thread ends, so Python can
        # later destroy us (and our timer) from there without cross-thread timer warnings.
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        QThread.currentThread().quit()  # shutdown() does not wait for this (it is queued)

    # --- the loop ---------------------------------------------------------------------
    def _tick(self):
        if not self._running:
            return
        thread = QThread.currentThread()
        t_start = time.monotonic()
        t_end = t_start + MAX_TICK_S
        priority = self.priority
        slept0 = priority.slept if priority is not None else 0.0
        while self._running:
            if thread.isInterruptionRequested():
                self._running = False
                break
            if priority is not None:
                priority.step_aside(self._cancelled)
            stats = self._one_step()
            if stats is None:  # the step raised; _one_step reported it
                self._running = False
                break
            if stats is CANCELLED:  # the queued pause/reset takes it from here
                break
            if self._blew_up(stats):
                self._running = False
                self._flush(force=True)
                # Why, before the state: whoever sees "paused" can already know the reason.
                self.paused_reason.emit(diverged_text(stats))
                self._set_state()
                return
            if self.trainer.done:
                self._running = False
                break
            if self._speed or time.monotonic() >= t_end:
                break
        self._flush(force=not self._running)
        slept = priority.slept - slept0 if priority is not None else 0.0
        self.busy_seconds += time.monotonic() - t_start - slept  # stepping aside is not work
        if not self._running:
            self._set_state()
            return
        now = time.monotonic()
        if self._speed:
            self._next_due = max(self._next_due + 1.0 / self._speed, now)
            self._timer.start(int((self._next_due - now) * 1000))
        else:
            self._timer.start(0)

    def _should_stop(self) -> bool:
        """Read by the backend during a step (on this thread), every few milliseconds of
        work: also where a long step steps aside for a busy GUI thread."""
        if self.priority is not None and not self._cancelled():
            self.priority.step_aside(self._cancelled)
        return self._cancelled()

    def _cancelled(self) -> bool:
        return self.interrupt or self.stopping

    def _one_step(self):
        """One trainer step and what hangs on it; its StepStats, None if it raised (it is
        reported and training pauses), CANCELLED if a pause or reset abandoned it."""
        reqs = self._captures.take()
        follow = reqs.pop("", None)
        try:
            with self.lock:
                stats = self.trainer.step(
                    capture_attention=bool(follow and follow["attention"]),
                    capture_positions=bool(follow and follow["positions"]),
                )
        except StepCancelled:  # the requests are still wanted: put them back
            if follow:
                reqs[""] = follow
            self._captures.put_back(reqs)
            return CANCELLED
        except Exception as e:
            self._running = False
            self._timer.stop()
            self._flush(force=True)
            self.error.emit(f"Training step failed and was paused.\n{describe(e)}")
            traceback.print_exc()  # the full story goes to the console for bug reports
            return None
        self._last_doc = stats.doc
        self._pending.append(stats)
        for hook in self.step_hooks:
            try:
                hook(self.trainer, stats)
            except Exception:  # an observer must never stop training
                traceback.print_exc()
        if follow:
            self.capture_ready.emit(follow_capture(stats))
        for req in reqs.values():
            self._answer(req, req["word"])
        return stats

    def _answer(self, req: dict, word: str) -> None:
        """capture_ready for one request on `word`, from the current weights."""
        try:  # a typed word the vocabulary lacks must not stop training
            self.capture_ready.emit(capture_from_view(self.trainer, req, word))
        except Exception as e:
            self.capture_ready.emit({"word": word, "error": describe(e)})

    def _flush(self, force: bool = False):
        now = time.monotonic()
        if self._pending and (force or now - self._last_flush >= FLUSH_S):
            batch, self._pending = self._pending, []
            self._last_flush = now
            self.stats_batch.emit(batch)

    def _set_state(self):
        if self._running:
            state = "running"
        elif self.trainer is not None and self.trainer.done:
            state = "finished"
        else:
            state = "paused"
        self.state_changed.emit(state)
