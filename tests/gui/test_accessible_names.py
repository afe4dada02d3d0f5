"""Every control in the main window has a name a screen reader can read out.

The test walks the whole window (hidden docks and the projector's toolbar included), so
a control added later without a name fails here instead of being found by a user."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

# Controls a user operates (by keyboard or mouse) and a screen reader announces by name.
INPUTS = (QAbstractSpinBox, QComboBox, QLineEdit, QAbstractSlider, QAbstractButton,
          QAbstractItemView, QTextEdit, QTabBar)


def _inside(widget, kind) -> bool:
    p = widget.parentWidget()
    while p is not None:
        if isinstance(p, kind):
            return True
        p = p.parentWidget()
    return False


def controls(window) -> list[QWidget]:
    """Focusable inputs, and the ones only a mouse reaches: combo boxes and buttons
    without text (a toolbar's », a clear button)."""
    out = []
    for x in window.findChildren(QWidget):
        if not isinstance(x, INPUTS):
            continue
        if isinstance(x, QLineEdit) and isinstance(x.parentWidget(), QAbstractSpinBox):
            continue  # a spin box's own editor: the spin box carries the name
        if _inside(x, QComboBox):
            continue  # a combo box's drop-down list: read as part of the combo box
        if isinstance(x, QTabBar) and x.count() == 0:
            continue  # a dock tab bar Qt keeps for later use: no tab to name or press
        focusable = bool(x.focusPolicy() & Qt.FocusPolicy.TabFocus)
        textless_button = isinstance(x, QAbstractButton) and not x.text().strip()
        if focusable or textless_button or isinstance(x, QComboBox):
            out.append(x)
    return out


def describe(x) -> str:
    chain, p = [], x
    while p is not None and len(chain) < 4:
        chain.append(type(p).__name__ + (f"#{p.objectName()}" if p.objectName() else ""))
        p = p.parentWidget()
    return " < ".join(chain)


def unnamed(window) -> list[str]:
    buddies = {lab.buddy() for lab in window.findChildren(QLabel) if lab.buddy() is not None}
    out = []
    for x in controls(window):
        if isinstance(x, QComboBox):
            # On Linux Qt reads a combo box's value as its name and its label through the
            # "labelled by" relation (a buddy); elsewhere the name is accessibleName.
            if not x.accessibleName().strip() and x not in buddies:
                out.append(describe(x))
            continue
        iface = QAccessible.queryAccessibleInterface(x)
        if iface is None or not iface.text(QAccessible.Text.Name).strip():
            out.append(describe(x))
    return out


def test_every_control_has_a_name(qtbot, make_window):
    w = make_window()
    found = controls(w)
    # the walk does reach the controls that had no name before
    for x in (w.curves.smoothing, w.panels["timelapse"].slider,
              w.panels["surprise"].view.entry, w.findChild(QWidget, "toolbar-lr")):
        assert x in found
    missing = unnamed(w)
    assert not missing, "no name:\n" + "\n".join(missing)
    w.projector.set_active(True)  # its own widgets (and a narrow toolbar's ») too
    qtbot.wait(50)
    missing = unnamed(w)
    assert not missing, "no name in projector mode:\n" + "\n".join(missing)
    w.projector.set_active(False)


def test_names_say_what_the_field_is(make_window):
    w = make_window()
    lapse, toolbar_lr = w.panels["timelapse"], w.findChild(QWidget, "toolbar-lr")

    def name(x):
        return QAccessible.queryAccessibleInterface(x).text(QAccessible.Text.Name)

    assert name(w.curves.smoothing) == "Smoothing"
    assert name(toolbar_lr) == "Learning rate"
    assert w.findChild(QComboBox, "toolbar-speed").accessibleName() == "Speed"
    assert name(w.panels["surprise"].view.entry) == "Which letters surprise the model?"
    assert name(lapse.slider) == "Time-lapse snapshot shown"
    assert name(lapse.every_box) == "Time-lapse snapshot interval"
    assert name(lapse.probe) == "Time-lapse probe word"


def test_the_toolbars_lr_and_speed_say_what_they_do(plain_window):
    """The toolbar's copies of lr and speed carry the controls' tooltips (lr: live)."""
    from PySide6.QtWidgets import QComboBox, QDoubleSpinBox

    w = plain_window
    lr = w.findChild(QDoubleSpinBox, "toolbar-lr")
    speed = w.findChild(QComboBox, "toolbar-speed")
    assert "live" in lr.toolTip()
    assert speed.toolTip() == w.controls.speed.toolTip() != ""
