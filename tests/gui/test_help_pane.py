"""'What am I seeing?' (F1) explains every panel of the window, in words that match it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from microgpt_gui import help_texts  # noqa: E402


def test_help_pane_has_a_topic_for_every_panel(plain_window):
    w = plain_window
    text = w.panels["help"].browser.toPlainText()
    missing = [pid for pid in w.panels if pid != "help" and pid not in help_texts.HELP]
    assert missing == []
    for pid in w.panels:
        if pid != "help":
            assert help_texts.title(pid) in text, pid


def test_help_colours_match_what_is_drawn(plain_window):
    from PySide6.QtGui import QColor

    from microgpt_gui.surprise_view import STOPS, surprise_colour

    surprise = help_texts.text("surprise")
    # bluish green at the bottom of the scale, vermillion (orange-red) at the top
    assert STOPS[0][1].name() == "#009e73" and STOPS[-1][1].name() == "#d55e00"
    assert surprise_colour(1.0).name() == "#d55e00"
    assert "green = it expected" in surprise and "orange-red" in surprise
    assert "red = " not in surprise.replace("orange-red = ", "")
    embeddings = help_texts.text("embeddings")
    assert "Vowels are red, consonants blue, the start/end token orange" in embeddings
    drawn = {k: QColor(v) for k, v in plain_window.panels["embeddings"].plot.colors.items()}
    vowel, consonant, bos = drawn["vowel"], drawn["consonant"], drawn["bos"]
    other = drawn["other"]
    assert "grey" in embeddings and other.red() == other.green() == other.blue()
    assert vowel.red() > 1.5 * max(vowel.green(), vowel.blue())  # red
    assert consonant.blue() > 1.5 * max(consonant.red(), consonant.green())  # blue
    assert bos.red() > bos.green() > 1.5 * bos.blue()  # orange
