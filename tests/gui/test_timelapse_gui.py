"""The Time-lapse panel as a user drives it: the probe word, scrubbing across a Reset."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from engine import preset  # noqa: E402
from engine.analysis import TimeLapse  # noqa: E402
from tests.gui.helpers import WAIT, reset, steps  # noqa: E402

pytest.importorskip("pytestqt")


def tiny():
    return preset("optimized", n_embd=8, n_head=2, num_steps=40)


def show_timelapse(w):
    w.docks["timelapse"].show()
    w.docks["timelapse"].raise_()


def test_probe_word_the_dataset_cannot_spell_is_explained(qtbot, plain_window):
    """A probe with characters the (lower-case) data lacks has no attention map: the panel
    says why, with the form that would work, instead of leaving the heatmaps blank."""
    w, tl = plain_window, plain_window.panels["timelapse"]
    show_timelapse(w)
    reset(qtbot, w, tiny())
    tl.probe.setText("Emma")
    assert tl.probe_note.isVisibleTo(tl)
    assert "“E”" in tl.probe_note.text() and "“emma”" in tl.probe_note.text()
    tl.probe.setText("x" * 64)  # long is fine: the model reads its first letters
    assert not tl.probe_note.isVisibleTo(tl)
    tl.probe.setText("emma😀")
    assert "😀" in tl.probe_note.text()
    tl.probe.setText("")
    assert not tl.probe_note.isVisibleTo(tl)


def test_new_run_follows_its_newest_snapshot_after_scrubbing_back(qtbot, plain_window):
    """Scrubbed back to the first frame, then Reset: the new film follows its newest
    snapshot (before, the slider stayed on frame 1 for the whole new run)."""
    w, tl = plain_window, plain_window.panels["timelapse"]
    show_timelapse(w)
    tl.lapse = TimeLapse(every=1, capacity=50)
    reset(qtbot, w, tiny())
    steps(qtbot, w, 3)
    qtbot.waitUntil(lambda: len(tl.lapse) == 4 and tl.slider.maximum() == 3, timeout=WAIT)
    tl.slider.setValue(0)
    assert not tl.live
    reset(qtbot, w, tiny())
    steps(qtbot, w, 3)
    qtbot.waitUntil(lambda: tl.lapse.steps() == [0, 1, 2, 3], timeout=WAIT)
    qtbot.waitUntil(lambda: tl.step_label.text().startswith("step 3 "), timeout=WAIT)


def test_a_new_theme_rebuilds_hidden_maps_only_when_they_come_into_view(qtbot, plain_window):
    """Projector mode puts the time-lapse away and sets a new theme: rebuilding its maps
    there was ~0.1 s of every switch, for a panel nobody could see."""
    w, tl = plain_window, plain_window.panels["timelapse"]
    show_timelapse(w)
    reset(qtbot, w, tiny())
    qtbot.waitUntil(lambda: len(tl.lapse) >= 1 and bool(tl.attention.images), timeout=WAIT)
    before = list(tl.attention.images)
    w.docks["timelapse"].hide()
    qtbot.waitUntil(lambda: not tl.on_screen(), timeout=WAIT)
    w.text_size.larger()  # a new theme (bigger fonts) while out of sight
    assert tl.attention.images == before and tl._stale  # not rebuilt yet
    show_timelapse(w)
    qtbot.waitUntil(lambda: bool(tl.attention.images) and tl.attention.images != before,
                    timeout=WAIT)
    assert tl.attention.font_size == max(7, w.themes.theme.plot_font_size - 1)
    assert not tl._stale


def test_an_empty_name_reads_empty_not_a_blank_line(qtbot, plain_window):
    """A name of no letters (the model ended at once) was a blank row: five names read
    as four. The Sampling panel already says '(empty)'."""
    w, tl = plain_window, plain_window.panels["timelapse"]
    show_timelapse(w)
    reset(qtbot, w, tiny())
    qtbot.waitUntil(lambda: len(tl.lapse) >= 1, timeout=WAIT)
    snap = tl.lapse.at(0)
    snap.samples[:] = ["ann", "", "bo"]  # as a young model draws them
    tl.show_index(0)
    shown = [tl.samples.item(i).text() for i in range(tl.samples.count())]
    assert shown == ["ann", "(empty)", "bo"]
