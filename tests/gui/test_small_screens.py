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
