"""Keyboard-only use of the main window: shortcuts, typing, Tab and Space."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from tests.gui.helpers import WAIT, tab_to

RUN_KEYS = ("train", "step", "reset", "generate", "lesson_notes")


@pytest.fixture
def w(make_window, qtbot):
    w = make_window(num_steps=10_000, speed=5)  # slow: a started run is seen running
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    w.hits = []
    for name in RUN_KEYS:
        w.act[name].triggered.connect(lambda *_a, n=name: w.hits.append(n))
    return w


def focus(qtbot):
    return QApplication.focusWidget()


def test_space_trains_in_a_window_just_opened(qtbot, w):
    # The window used to open with the focus in the curves' smoothing spin box, which
    # took Space (and S, R, G): the documented Train key did nothing until a click.
    QTest.keyClick(focus(qtbot) or w, Qt.Key.Key_Space)
    assert w.hits == ["train"]
    qtbot.waitUntil(lambda: w.controller.state == "running", timeout=WAIT)
    w.controller.pause()


@pytest.mark.parametrize("presses, after", [(2, "paused"), (3, "running")])
def test_quick_presses_of_space_toggle_on_what_was_asked(qtbot, w, presses, after):
    """Space twice before the worker says it is running: both presses started training
    (Train toggled on the state last reported). Each press turns the one before round."""
    from tests.gui.helpers import in_worker

    for _ in range(presses):  # no event loop in between: the worker's answer waits
        QTest.keyClick(focus(qtbot) or w, Qt.Key.Key_Space)
    assert w.hits == ["train"] * presses
    in_worker(qtbot, w, lambda _t: None)  # every answer to the presses is here
    assert w.controller.state == after
    QTest.keyClick(focus(qtbot) or w, Qt.Key.Key_Space)  # and the next one turns it
    in_worker(qtbot, w, lambda _t: None)
    assert w.controller.state == ("running" if after == "paused" else "paused")
    w.controller.pause()


@pytest.mark.parametrize("field", ["prefix", "word"])
def test_typing_a_name_in_a_text_field_types_it(qtbot, w, field):
    widget = w.sampling.prefix if field == "prefix" else w.attention.word
    widget.setFocus()
    QTest.keyClicks(widget, "sarah grant")  # s, r, g, n and a space: all shortcuts
    assert widget.text() == "sarah grant"
    assert w.hits == [] and w.controller.state != "running"
    assert not w.docks["lesson_notes"].isVisible()


def test_space_ticks_a_check_box_reached_with_tab(qtbot, w):
    box = w.attention.follow
    assert box.isChecked()
    w.attention.word.setFocus()
    tab_to(qtbot, w, box, Qt.Key.Key_Backtab)
    QTest.keyClick(box, Qt.Key.Key_Space)
    assert not box.isChecked() and w.hits == []  # the box, not Train
    QTest.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() and w.hits == []
    QTest.keyClick(box, Qt.Key.Key_Tab)  # on to the word field: a text field
    assert focus(qtbot) is w.attention.word
    w.controls.fields["seed"].setFocus()  # moved by a click or the program: Space trains
    w.curves.setFocus()
    QTest.keyClick(focus(qtbot), Qt.Key.Key_Space)
    assert w.hits == ["train"]
    w.controller.pause()


def test_space_after_clicking_a_check_box_still_trains(qtbot, w):
    # "Click something, then Space to start" keeps working in class.
    box = w.attention.follow
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    assert not box.isChecked()
    QTest.keyClick(focus(qtbot) or w, Qt.Key.Key_Space)
    assert w.hits == ["train"] and not box.isChecked()
    qtbot.waitUntil(lambda: w.controller.state == "running", timeout=WAIT)
    w.controller.pause()


def test_space_opens_a_combo_box_reached_with_tab(qtbot, w):
    speed = w.controls.speed
    w.controls.fields["batch_size"].setFocus()
    tab_to(qtbot, w, speed, Qt.Key.Key_Backtab)
    QTest.keyClick(speed, Qt.Key.Key_Space)
    assert w.hits == []
    qtbot.waitUntil(lambda: speed.view().isVisible(), timeout=5000)
    speed.hidePopup()


def test_controls_have_names_for_screen_readers(w):
    from PySide6.QtGui import QAccessible

    s, c = w.sampling, w.controls
    wanted = {s.top_k: "Top-k", s.temperature: "Temperature", s.prefix: "Prefix",
              s.count: "How many names", s.results: "Generated names",
              w.attention.word: "Word for the attention maps",
              w.attention.follow: "Follow training doc", c.speed: "Speed",
              c.preset: "Preset", c.backend: "Backend",
              c.fields["n_embd"]: "Embedding size", c.fields["learning_rate"]: "Learning rate"}
    for widget, name in wanted.items():
        if widget in (c.speed, c.preset, c.backend):
            # On Linux Qt reads a combo box's value as its name and the label through the
            # "labelled by" relation (a buddy); elsewhere the name is accessibleName.
            assert widget.accessibleName() == name
            continue
        iface = QAccessible.queryAccessibleInterface(widget)
        assert iface.text(QAccessible.Text.Name) == name, name
    labels = [lab for lab in c.findChildren(QLabel) if lab.buddy() is not None]
    assert {lab.buddy() for lab in labels} >= {c.speed, c.preset, c.backend}


def test_a_letter_on_a_combo_box_reached_with_tab_picks_an_item(qtbot, w):
    # "r" on the Backend box used to start a Reset (the window's R) instead of picking
    # "reference" as in any other combo box.
    backend = w.controls.backend
    assert backend.currentText() == "numpy"
    w.controls.fields["batch_size"].setFocus()
    tab_to(qtbot, w, backend)
    QTest.keyClick(backend, Qt.Key.Key_R)
    assert backend.currentText() == "reference" and w.hits == []
    qtbot.wait(QApplication.keyboardInputInterval() + 100)  # a new search, not "rn"
    QTest.keyClick(backend, Qt.Key.Key_N)  # N is the notes shortcut too
    assert backend.currentText() == "numpy" and w.hits == []
    assert not w.docks["lesson_notes"].isVisible()


def test_a_letter_on_a_clicked_combo_box_is_still_the_shortcut(qtbot, w):
    # "Pick a backend with the mouse, then R" resets with it, as before.
    backend = w.controls.backend
    backend.setFocus()  # the focus came by mouse or program, not by Tab
    QTest.keyClick(backend, Qt.Key.Key_R)
    assert w.hits == ["reset"] and backend.currentText() == "numpy"


def test_a_letter_on_a_check_box_is_the_shortcut(qtbot, w):
    box = w.attention.follow
    w.attention.word.setFocus()
    tab_to(qtbot, w, box, Qt.Key.Key_Backtab)
    QTest.keyClick(box, Qt.Key.Key_G)  # a check box has no use for letters
    assert w.hits == ["generate"] and box.isChecked()


def test_tab_from_batch_size_goes_to_validate_every(qtbot, w):
    """The Training group in order: 'Validate every' (added to the form after the other
    fields) comes right after Batch size, not after the whole window."""
    batch = w.controls.fields["batch_size"]
    batch.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is batch, timeout=WAIT)
    QTest.keyClick(batch, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is w.live_changes.val_every


def test_tab_into_a_panel_behind_a_tab_brings_it_to_the_front(qtbot, w):
    """The Optimizations panel sits behind the Controls tab: Qt keeps it in the Tab
    order, parked off screen, and Space then unticked a box nobody could see."""
    explorer = w.docks["explorer"]
    assert explorer in w.tabifiedDockWidgets(w.docks["controls"])
    w.docks["controls"].raise_()
    qtbot.waitUntil(lambda: explorer.visibleRegion().isEmpty(), timeout=WAIT)
    box = next(iter(w.panels["explorer"].boxes.values()))
    w.curves.setFocus()
    tab_to(qtbot, w, box, limit=200)
    qtbot.waitUntil(lambda: not explorer.visibleRegion().isEmpty(), timeout=WAIT)
    assert not box.visibleRegion().isEmpty()  # the keyboard is where the user can see
