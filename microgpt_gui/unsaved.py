"""Ask before throwing away a long run that was never saved.

Reset, opening a checkpoint and quitting replace the model. The Runs tab keeps the old
run's curves, but not its weights: after a few minutes of training (a bigger model, the
reference backend, a long run left going during a lecture) that is real work lost to one
key press. So those commands first ask "Save a checkpoint first?" — but only once the run
has trained for ASK_AFTER_S seconds since it was started, opened or saved: a classroom
run of a few hundred steps takes seconds, and Reset (R) must stay instant there.
A "Don't ask again" box turns the question off (setting ASK_SETTING).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QCheckBox, QMessageBox

from .checkpoints import choose_save_path
from .statusbar import format_eta

ASK_AFTER_S = 120.0  # seconds of training since the last save before losing it is asked
ASK_SETTING = "ask_before_discarding_runs"


def duration_text(seconds: float) -> str:
    """'45 s', '3 min 20 s', '2 h 05 min': how long the unsaved run trained."""
    return format_eta(seconds)


class UnsavedRunGuard(QObject):
    """confirm(what, proceed): run proceed() now, or after the user saved, or never.

    `ask(message) -> "save" | "discard" | "cancel"` and `choose_path() -> str` are the
    dialogs; tests replace them."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.settings = window.settings
        self.ask_after_s = ASK_AFTER_S
        self._history = None  # the History and its total_ms when the run was last safe
        self._safe_ms = 0.0
        self._waiting = None  # (proceed, connections) while a save it asked for runs
        self.ask = self._ask_dialog
        self.choose_path = lambda: choose_save_path(window)
        self.controller.reset_done.connect(lambda _info: self.mark_safe())
        ckpt = window.checkpoints
        ckpt.opened.connect(lambda _path: self.mark_safe())  # its steps are in the file
        ckpt.saved.connect(self._on_saved)
        ckpt.failed.connect(self._on_failed)

    # --- what is at stake ----------------------------------------------------------------
    def mark_safe(self) -> None:
        """Nothing to lose from here on (a new, opened or just-saved run)."""
        self._history = self.controller.history
        self._safe_ms = self._history.total_ms

    def unsaved_seconds(self) -> float:
        """Training time since the run was started, opened or saved."""
        c = self.controller
        if c.info is None:
            return 0.0
        h = c.history
        safe = self._safe_ms if h is self._history else 0.0
        return max(0.0, h.total_ms - safe) / 1000.0

    def enabled(self) -> bool:
        return bool(self.settings.get(ASK_SETTING, True))

    def at_risk(self) -> bool:
        seconds = self.unsaved_seconds()
        return self.enabled() and seconds > 0 and seconds >= self.ask_after_s

    # --- asking ------------------------------------------------------------------------
    def confirm(self, what: str, proceed) -> bool:
        """Call proceed() unless the user cancels; True if it was called already."""
        if self._waiting is not None:  # a save for an earlier question is still running
            return False
        if not self.at_risk():
            proceed()
            return True
        c = self.controller
        message = (f"This run has trained for {duration_text(self.unsaved_seconds())} "
                   f"({c.history.step:,} steps) since it was last saved. Its curves stay "
                   f"in the Runs tab, but the model itself is lost when you {what}.\n\n"
                   "Save a checkpoint first?")
        answer = self.ask(message)
        if answer == "discard":
            proceed()
            return True
        if answer != "save":
            return False
        path = self.choose_path()
        if not path:
            return False
        self._waiting = proceed
        self.window.checkpoints.save(path)  # -> saved (then proceed) or failed (stay)
        return False

    def _on_saved(self, _path: str) -> None:
        self.mark_safe()  # first: what proceed() then does (quit, Reset) asks nothing
        proceed, self._waiting = self._waiting, None
        if proceed is not None:
            proceed()

    def _on_failed(self, _message: str) -> None:
        self._waiting = None  # the manager shows why; the user decides again

    # --- the dialogs ---------------------------------------------------------------------
    def _ask_dialog(self, message: str) -> str:
        box = QMessageBox(QMessageBox.Icon.Question, "Save this run?", message,
                          parent=self.window)
        save = box.addButton("Save checkpoint…", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Don't save", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        never = QCheckBox("Don't ask again (Run ▸ Ask before losing a long run)")
        box.setCheckBox(never)
        box.exec()
        clicked = box.clickedButton()
        answer = "save" if clicked is save else "discard" if clicked is discard else "cancel"
        if never.isChecked() and answer != "cancel":
            self.settings.set(ASK_SETTING, False)
        return answer


def ask_first(window, what: str, proceed) -> None:
    """proceed(), after asking about a long unsaved run if the window has the guard (a
    window without it, e.g. in tests of one part, just proceeds)."""
    guard = getattr(window, "unsaved", None)
    if guard is None:
        proceed()
    else:
        guard.confirm(what, proceed)


def install(window) -> UnsavedRunGuard:
    """The guard, and Run ▸ Ask before losing a long run (its setting) in the menu."""
    guard = UnsavedRunGuard(window)
    ask = window.add_action("ask_before_losing", "Ask before losing a long run", menu="run",
                            tip="Before Reset, Open checkpoint or Quit throw away a run "
                                "that trained for minutes since it was saved")
    ask.setCheckable(True)
    ask.setChecked(guard.enabled())
    ask.toggled.connect(lambda on: window.settings.set(ASK_SETTING, on))
    window.menus["run"].aboutToShow.connect(lambda: ask.setChecked(guard.enabled()))
    return guard
