"""Space for the control the keyboard is on, the Train shortcut everywhere else.

Space is the window's Train / Pause shortcut, so without help a check box, button, combo
box or list reached with Tab could never be ticked, pressed or opened from the keyboard:
the shortcut took every Space. Here, a control the user moved to with Tab (or Shift+Tab)
keeps its Space, as in any dialog; one that only has the focus because it was clicked
(e.g. the speed box after choosing a speed) leaves Space to Train, as before, so
"click, then Space to start" still works in class. Text fields claim their keys anyway.

The same rule holds for the one-letter shortcuts (S, R, G, N, D): a combo box or list reached
with Tab keeps its letters, which select the item starting with them ("r" on Backend picks
"reference" instead of starting a Reset). One that was clicked leaves them to the window,
so "pick a backend, then R" still resets. Buttons and check boxes have no use for letters,
so the shortcuts work on them as everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDockWidget,
)

# Controls whose own Space does something: press, tick, open the list, select an item.
SPACE_CONTROLS = (QAbstractButton, QComboBox, QAbstractItemView)
# Controls whose own letters do something: jump to the item that starts with them.
LETTER_CONTROLS = (QComboBox, QAbstractItemView)
PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
TAB_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)


def bring_forward(widget) -> None:
    """A control Tab reached on a panel behind another panel's tab comes into view: its
    tab to the front. Qt keeps the hidden tabs in the Tab order, parked off screen, so
    the keyboard went into panels nobody could see, and Space ticked a hidden box."""
    dock = widget
    while dock is not None and not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    if dock is not None and not dock.isFloating() and dock.visibleRegion().isEmpty():
        dock.raise_()


def _in_popup(widget) -> bool:
    return widget is not None and widget.window().windowType() == Qt.WindowType.Popup


class KeyboardFocus(QObject):
    """Installed on the main window: see the module docstring."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._tabbed = None  # the widget Tab / Shift+Tab moved the focus to, if it has it
        self._tab_pending = False
        QApplication.instance().focusChanged.connect(self._focus_changed)
        window.installEventFilter(self)  # ShortcutOverride bubbles up to the window
        window.destroyed.connect(self._disconnect)

    def _disconnect(self, *_):
        try:
            QApplication.instance().focusChanged.disconnect(self._focus_changed)
        except (RuntimeError, TypeError):
            pass

    def tabbed_to(self):
        """The control the keyboard moved to (None if the focus came by mouse or code)."""
        return self._tabbed

    def _focus_changed(self, old, new) -> None:
        if new is None or new is self._tabbed:
            return  # the window lost the focus, or got it back where it was
        if _in_popup(new) or _in_popup(old):
            return  # a combo box's list opened, or closed and gave the focus back
        by_tab = self._tab_pending and QGuiApplication.mouseButtons() == Qt.MouseButton.NoButton
        self._tabbed = new if by_tab else None
        self._tab_pending = False
        if by_tab:
            bring_forward(new)

    def eventFilter(self, obj, event) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        key = event.key()
        if key in TAB_KEYS:
            self._tab_pending = True  # the focus change that follows is the keyboard's
            return False
        if key == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            kinds = SPACE_CONTROLS
        elif Qt.Key.Key_A <= key <= Qt.Key.Key_Z and event.modifiers() in PLAIN:
            kinds = LETTER_CONTROLS
        else:
            return False
        focus = QApplication.focusWidget()
        if (focus is not None and focus is self._tabbed
                and isinstance(focus, kinds) and focus.isEnabled()):
            event.accept()  # no shortcut: the key press goes to the control
            return True
        return False
