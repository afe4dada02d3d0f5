"""Every window-level command as a QAction, defined in one place.

Menus, buttons (ActionButton) and keyboard shortcuts all trigger these same actions, so a
shortcut always does exactly what its button does. Add one with `add(...)` here (or
`window.add_action(...)` from a feature module); handlers are connected by MainWindow.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton

# name: (text, shortcut, tooltip). Shortcuts are window-wide; typing in a text box still
# types (line edits claim printable keys before shortcuts see them).
SPECS = {
    "train": ("&Train", "Space", "Train / pause (Space)"),
    "step": ("&Step", "S", "Do one training step while paused (S)"),
    "reset": ("&Reset", "R", "A new model with the current settings (R)"),
    "generate": ("&Generate", "G", "Sample names from the current weights (G)"),
    "open_dataset": ("&Open text file…", QKeySequence.StandardKey.Open,
                     "Train on a UTF-8 text file, one document per line (Ctrl+O)"),
    "bundled_dataset": ("&Bundled names", None, "Train on the names that ship with the app"),
    "download_makemore": ("&Download makemore names…", None,
                          "Karpathy's makemore names.txt (downloaded once, then cached)"),
    # Ctrl+Q spelled out: StandardKey.Quit is empty on Windows and on X without a desktop.
    "quit": ("&Quit", "Ctrl+Q", "Close the window (Ctrl+Q)"),
    "about": ("&About microgpt-gui", None, "Name, version and credits"),
}


def make_action(parent, name: str, text: str, shortcut=None, tip: str = "") -> QAction:
    action = QAction(text, parent)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    return action


def build_actions(parent) -> dict[str, QAction]:
    return {name: make_action(parent, name, *spec) for name, spec in SPECS.items()}


class ActionButton(QPushButton):
    """A push button that mirrors a QAction (text, enabled, tooltip) and triggers it."""

    def __init__(self, action, parent=None):
        super().__init__(parent)
        self._action = action
        self.clicked.connect(action.trigger)
        action.changed.connect(self._sync)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep Space for the Train shortcut
        self._sync()

    def _sync(self):
        self.setText(self._action.text().replace("&", ""))
        self.setEnabled(self._action.isEnabled())
        self.setToolTip(self._action.toolTip())
