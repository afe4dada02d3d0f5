"""Names for the buttons Qt adds by itself (a screen reader reads a control's name).

They have no text, so nothing to read out: a toolbar's or menu bar's » (shown when it is
too narrow), a table's top-left corner and a line edit's clear button. The window's own
controls are named where they are made (a QLabel buddy, else setAccessibleName);
tests/gui/test_accessible_names.py walks the window for any control left without one.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLineEdit

BY_OBJECT_NAME = {
    "qt_toolbar_ext_button": "More toolbar buttons",
    "qt_menubar_ext_button": "More menus",
    "qt_tableview_cornerbutton": "Select all",
}


def name_qt_buttons(root) -> None:
    """Name every textless, unnamed button of Qt's under root (call once it is built)."""
    for button in root.findChildren(QAbstractButton):
        if button.text().strip() or button.accessibleName():
            continue
        name = BY_OBJECT_NAME.get(button.objectName())
        if name is None and isinstance(button.parentWidget(), QLineEdit):
            name = "Clear"
        if name:
            button.setAccessibleName(name)
