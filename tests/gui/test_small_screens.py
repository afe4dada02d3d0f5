"""Layout on the screens people have: laptops at 125-200 % scaling (a 1280x720 or
1366x768 logical screen), 1024x768, and projector mode on 4:3 and 16:9 projectors.
Found by a screenshot hunt under Xvfb; offscreen here, numpy backend."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")


def test_shortcuts_dialog_wraps_its_text_within_the_screen(qtbot, plain_window):
    """Projector mode (slide-sized fonts): the dialog's opening paragraph was one line,
    1,626 px wide on a 1280x720 projector, its end cut off at the screen's edge."""
    from PySide6.QtWidgets import QDialog, QLabel

    w = plain_window
    w.projector.set_active(True)
    w.act["shortcuts"].trigger()
    dialog = w.findChild(QDialog, "shortcuts_dialog")
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    qtbot.wait(50)  # queued layout
    room = w.screen().availableGeometry().width()
    assert dialog.sizeHint().width() <= room, (dialog.sizeHint(), room)
    for label in dialog.findChildren(QLabel):  # every line of the text shown
        need = label.sizeHint()
        if label.wordWrap():
            need.setHeight(label.heightForWidth(label.width()))
        assert label.height() >= need.height() - 1, label.text()
        assert label.width() >= label.minimumSizeHint().width(), label.text()
        assert label.geometry().right() < dialog.width(), label.text()
    dialog.close()


def test_window_fits_the_width_of_a_1024x768_screen(qtbot, plain_window):
    """The Per-letter surprise tab (beside Attention) put its question and the word field
    on one line: 412 px, which made the window at least 1,086 px wide, the Attention and
    Sampling docks cut off by a 1024x768 screen's right edge. The question now wraps."""
    from PySide6.QtCore import QRect

    from microgpt_gui.window_state import FRAME_ALLOWANCE, fit

    w = plain_window
    qtbot.wait(50)
    assert w.minimumSizeHint().width() <= 1024 - FRAME_ALLOWANCE[0], w.minimumSizeHint()
    fit(w, QRect(0, 0, 1024, 768))
    w.docks["surprise"].raise_()
    qtbot.wait(100)
    view = w.panels["surprise"].view
    assert view.width() >= view.minimumSizeHint().width()
    title = view.title  # the question whole, on as many lines as it needs
    assert title.height() >= title.heightForWidth(title.width()) - 1
    assert title.geometry().right() < view.entry.geometry().left()
