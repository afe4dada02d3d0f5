"""Checkpoints in the app: File ▸ Save checkpoint / Open checkpoint.

The file is the engine's checkpoint (.npz + JSON: weights, Adam state, RNG, settings).
The app adds the curves so far in its `extra` (a RunRecord), so opening a checkpoint
restores the model, the curves and the settings; training continues with exactly the
numbers of a run that never stopped, and sampling works at once without training.

Saving pauses training for a moment: the worker flushes its last steps before it
answers, so the curves stored match the weights stored.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from engine.ablate import base_preset
from engine.run_record import RunRecord
from engine.trainer import StepStats

from .runs_panel import record_from_history
from .special_files import special_file_problem

FILTER = "microgpt checkpoint (*.npz)"


def restore_history(history, rec: RunRecord) -> None:
    """Replay a record's curves into a fresh History (the live curves of the new run)."""
    batch, val_only = [], []
    cols = rec.curves
    for i, step in enumerate(cols["step"]):
        loss, val = cols["loss"][i], cols["val_loss"][i]
        if math.isnan(loss):
            if not math.isnan(val):
                val_only.append((int(step), val))
            continue
        batch.append(StepStats(step=int(step), loss=loss, grad_norm=cols["grad_norm"][i],
                               lr=cols["lr"][i], ms=cols["ms"][i], doc="",
                               val_loss=None if math.isnan(val) else val))
    history.extend(batch)
    if val_only:  # validation points whose step had been thinned out of the curves
        pairs = sorted(list(zip(history.val_steps, history.val_losses, strict=True)) +
                       val_only)
        history.val_steps[:] = [s for s, _ in pairs]
        history.val_losses[:] = [v for _, v in pairs]
        history.version += 1


def opened_message(path: str, controller) -> str:
    """What the status bar says once a checkpoint is open: what can be done with it. A
    finished run cannot be continued by Train (it is greyed out), only by more Steps."""
    info, done = controller.info, controller.steps_done()
    if info is not None and done >= info.num_steps:
        return (f"Opened checkpoint {path} (finished at step {done:,}): raise Steps to "
                "train on, or Generate to sample")
    return f"Opened checkpoint {path}: press Train to continue, or Generate to sample"


class CheckpointManager(QObject):
    saved = Signal(str)  # path
    opened = Signal(str)  # path, once model, curves and settings are restored
    failed = Signal(str)  # one-line message

    def __init__(self, window, parent=None):
        super().__init__(parent or window)
        self.window = window
        self.controller = window.controller
        self._opening = None  # {"path":..., "extra":..., "dataset":...} while loading
        self.controller.reset_done.connect(self._on_reset_done)
        self.controller.error.connect(self._on_error)

    def _on_error(self, _message: str) -> None:
        # A checkpoint that failed to load is reported by the controller ("Could not
        # open the checkpoint: ..."): forget it once its own request is answered.
        if self._opening is not None and not self.controller.pending(self._opening["token"]):
            self._opening = None

    # --- saving ----------------------------------------------------------------------------
    def save(self, path: str) -> None:
        c = self.controller
        if c.info is None:
            self.failed.emit("There is no model to save yet.")
            return
        was_running = c.state == "running"
        c.pause()

        # Asked after the pause, so its answer arrives after the worker's last batch.
        def steps_done(trainer):
            return trainer.step_num if trainer is not None else None

        c.call_in_worker(steps_done, lambda n: self._save_now(path, was_running),
                         lambda message: self._save_failed(message, was_running))

    def _save_failed(self, message: str, resume: bool) -> None:
        """Say why, and let a run that was training go on: a full disk or a read-only
        folder must not also stop the lesson."""
        self.failed.emit(f"Could not save the checkpoint: {message}")
        if resume:
            self.controller.train()

    def _save_now(self, path: str, resume: bool) -> None:
        c = self.controller
        rec = record_from_history(c.history, c.info, "checkpoint")
        extra = {"run": rec.to_dict(), "app": "microgpt-gui"}

        def write(trainer):
            trainer.save(path, extra=extra)
            return path

        def done(p):
            self.saved.emit(p)
            if resume:
                c.train()

        c.call_in_worker(write, done, lambda message: self._save_failed(message, resume))

    # --- opening ---------------------------------------------------------------------------
    def open(self, path: str) -> None:
        """Load on the worker thread; on success the controller replaces the run."""
        from engine.trainer import Trainer

        problem = special_file_problem(path)  # a named pipe would block training for ever
        if problem:
            self.failed.emit(f"Could not open the checkpoint: {problem}")
            return

        state = {"path": path, "extra": {}, "dataset": None}
        current = getattr(self.window, "datasets", None)
        known = getattr(current, "dataset", None)

        def factory():  # worker thread
            trainer = None
            if known is not None:
                try:  # the open data set is usually the checkpoint's: no need to reload
                    trainer = Trainer.load(path, known)
                except ValueError:
                    trainer = None
            if trainer is None:
                trainer = Trainer.load(path)
            state["extra"] = dict(getattr(trainer, "checkpoint_extra", {}) or {})
            state["dataset"] = trainer.dataset
            return trainer

        self._opening = state
        state["token"] = self.controller.replace_trainer(factory, "Could not open the checkpoint")

    def _on_reset_done(self, info) -> None:
        state = self._opening
        if state is None or self.controller.answered != state["token"]:
            return  # another new model (a Reset asked for before the checkpoint)
        self._opening = None
        run = state["extra"].get("run")
        if isinstance(run, dict):
            try:
                restore_history(self.controller.history, RunRecord.from_dict(run))
            except ValueError as e:
                self.failed.emit(f"The model was restored, but not its curves: {e}")
        w = self.window
        ds = state["dataset"]
        if ds is not None and getattr(w, "datasets", None) is not None:
            w.datasets.dataset = ds  # the run's data is now the current data set
            if hasattr(w, "controls"):
                w.controls.set_dataset_text(f"<b>{ds.name}</b><br>{ds.summary()}")
        explorer = getattr(w, "panels", {}).get("explorer")
        if hasattr(w, "controls"):
            misfit = self._misfits(info.config)
            w.controls.load_config(info.config, base_preset(info.config))
        if explorer is not None:
            explorer.adopt(info.config)
        live = getattr(w, "live_changes", None)
        if live is not None:  # the run's interval is what a Reset keeps (as a lesson's)
            live.set_val_every(info.config.train.val_every, chosen=True)
        if hasattr(w, "refresh_needs_reset"):
            w.refresh_needs_reset()
        self.opened.emit(state["path"])
        if hasattr(w, "controls") and misfit and hasattr(w, "show_message"):
            # e.g. a CLI run with --seed -1 or --block-size 100: the run keeps its own
            # values, but the fields show the nearest they can, and Reset would use those
            w.show_message(
                "This checkpoint's settings go beyond what the controls offer, so the "
                "fields show the nearest values. Training continues with the checkpoint's "
                "own; a Reset would use the fields'.\n" + "\n".join(misfit))

    def _misfits(self, cfg) -> list[str]:
        from .control_fit import misfits

        try:
            return misfits(self.window, cfg)
        except AttributeError:  # a window without the usual panels (tests, embeds)
            return []

    def _fail(self, message: str) -> None:
        self.failed.emit(message)

    # --- with dialogs ------------------------------------------------------------------------
    def ask_save(self) -> None:
        path = choose_save_path(self.window)
        if path:
            self.save(path)

    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open checkpoint", "",
                                              f"{FILTER};;All files (*)")
        if path:
            self.open_asking(path)

    def open_asking(self, path: str) -> None:
        """open(path), after asking about a long unsaved run (the checkpoint replaces it)."""
        from .unsaved import ask_first

        ask_first(self.window, "open another checkpoint", lambda: self.open(path))


def choose_save_path(window) -> str:
    """A checkpoint path from the Save dialog ('' if cancelled), with .npz added."""
    path, _ = QFileDialog.getSaveFileName(window, "Save checkpoint", "microgpt-checkpoint.npz",
                                          FILTER)
    if path and not path.endswith(".npz") and not Path(path).is_dir():
        path += ".npz"  # (a folder stays as it is: saving reports it, not beside it)
    return path
