"""The status bar's temporary messages fit beside the permanent widgets."""

from __future__ import annotations

LONG = ("Lesson “A bigger model”: Twice as wide, two layers, a longer context (16 letters) "
        "and more steps, so the names get better and the heatmaps more interesting … "
        "(N shows all the notes)")


def test_a_long_message_is_elided_and_whole_in_the_tooltip(qtbot, make_window):
    w = make_window()
    w.resize(1100, 700)
    sb = w.statusBar()
    sb.showMessage(LONG, 15000)
    qtbot.waitUntil(lambda: sb.width() <= 1100, timeout=5000)
    rect = sb.message_rect()
    assert 0 < rect.right() < sb.state_label.x()  # the message stops before "❚❚ paused"
    shown = sb.shown_message()
    assert shown.endswith("…") and shown[:-1].rstrip() in LONG
    assert sb.fontMetrics().horizontalAdvance(shown) <= rect.width()
    assert sb.currentMessage() == LONG and sb.toolTip() == LONG
    sb.grab()  # paints (the elided text) without error
    sb.showMessage("Saved lesson x.json", 6000)  # room enough: shown whole, no tooltip
    assert sb.shown_message() == "Saved lesson x.json" and sb.toolTip() == ""
    sb.clearMessage()
    assert sb.toolTip() == ""
