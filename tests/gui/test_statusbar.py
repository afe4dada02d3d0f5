"""The status bar's temporary messages fit beside the permanent widgets."""

from __future__ import annotations

import pytest

from tests.gui.test_lesson_notes import open_lesson, write_lesson

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
    assert 0 < rect.right() < sb.state_label.x()  # the message stops before the state
    shown = sb.shown_message()
    assert shown.endswith("…") and shown[:-1].rstrip() in LONG
    assert sb.fontMetrics().horizontalAdvance(shown) <= rect.width()
    assert sb.currentMessage() == LONG and sb.toolTip() == LONG
    sb.grab()  # paints (the elided text) without error
    sb.showMessage("Saved lesson x.json", 6000)  # room enough: shown whole, no tooltip
    assert sb.shown_message() == "Saved lesson x.json" and sb.toolTip() == ""
    sb.clearMessage()
    assert sb.toolTip() == ""


NOTES = ("Twice as wide, two layers, a longer context (16 letters) and more steps, so the "
         "names get better and the heatmaps more interesting. Press Space and watch the "
         "loss.")
HINT = "(N shows all the notes)"


@pytest.mark.parametrize("width", [1360, 600])  # the default; as narrow as it goes
def test_a_lesson_s_long_first_sentence_keeps_the_notes_hint_in_view(qtbot, plain_window,
                                                                    tmp_path, width):
    # The hint came last in the message and was the part "…" cut off.
    w = plain_window
    w.resize(width, 700)
    qtbot.waitUntil(lambda: w.width() <= max(width, w.minimumSizeHint().width()),
                    timeout=5000)
    open_lesson(qtbot, w, write_lesson(tmp_path, "big.json", title="A bigger model",
                                       notes=NOTES))
    sb = w.statusBar()
    full = sb.currentMessage()
    assert full.startswith("Lesson “A bigger model”: Twice as wide") and full.endswith(HINT)
    shown = sb.shown_message()
    assert shown != full  # too long for the room: elided ...
    assert shown.endswith("… " + HINT) and shown.startswith("Lesson “A bigger model”: ")
    assert sb.fontMetrics().horizontalAdvance(shown) <= sb.message_rect().width()
    assert sb.toolTip() == full  # ... and whole in the tooltip
    sb.grab()  # paints without error


def test_the_hint_is_kept_only_for_its_own_message(qtbot, make_window):
    w = make_window()
    w.resize(1100, 700)
    sb = w.statusBar()
    qtbot.waitUntil(lambda: sb.width() <= 1100, timeout=5000)
    sb.show_with_hint("Lesson “Short”: Look at the loss …", HINT, 15000)
    assert sb.shown_message() == f"Lesson “Short”: Look at the loss … {HINT}"  # fits
    assert sb.toolTip() == ""
    sb.showMessage(LONG, 15000)  # another long message ending alike: elided as before
    assert sb.shown_message().endswith("…") and HINT not in sb.shown_message()


def test_a_new_model_reads_ready_not_paused(qtbot, make_window):
    """A model nobody has trained yet said '❚❚ paused', as if something had stopped."""
    from tests.gui.helpers import steps

    w = make_window()
    label = w.status.state_label
    qtbot.waitUntil(lambda: label.text() == "▶ ready", timeout=5000)
    assert "Space" in label.toolTip()
    steps(qtbot, w, 1)
    qtbot.waitUntil(lambda: label.text() == "❚❚ paused", timeout=5000)
    assert label.toolTip() == ""
