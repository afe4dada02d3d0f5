"""Live changes (microgpt_gui/live_changes.py): the "Validate every" field against the
Optimizations panel's boxes, and where the markers of live changes land on the curves."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time  # noqa: E402

from engine import preset  # noqa: E402
from tests.gui.helpers import WAIT, reset, steps  # noqa: E402


def tiny(**kw):
    kw.setdefault("num_steps", 60)
    return preset("optimized", n_embd=8, n_head=2, **kw)


def events(w, prefix):
    return [(step, text) for step, text in w.controller.history.events
            if text.startswith(prefix)]


# --- Bug: unticking any Optimizations box threw away the chosen "Validate every" ---------


def test_unticking_another_optimization_keeps_the_chosen_interval(qtbot, plain_window):
    w = plain_window
    explorer = w.panels["explorer"]
    live = w.live_changes
    reset(qtbot, w, tiny(), show_in_controls=True)
    steps(qtbot, w, 1)
    live.val_every.setValue(50)  # typed by the user: live, and what Reset keeps
    assert w.controller.info.config.train.val_every == 50
    explorer.set_change("grad_clip", False)
    assert live.val_every.value() == 50
    assert live.chosen == 50 and w.build_config().train.val_every == 50
    assert w.build_config().train.grad_clip is None  # the untick itself did count
    assert "val_every" not in w.controls.needs_reset.text()
    explorer.set_change("grad_clip", True)
    explorer.restore_preset()  # "Back to preset": the ticks, not the interval typed
    assert live.val_every.value() == 50 == w.build_config().train.val_every
    # "Periodic validation" itself is the newer choice: off is never, on the preset's
    explorer.set_change("val_every", False)
    assert live.val_every.value() == 0 == w.build_config().train.val_every
    explorer.set_change("weight_decay", False)  # another box: the 0 stays
    assert live.val_every.value() == 0 == w.build_config().train.val_every
    explorer.set_change("val_every", True)
    assert live.val_every.value() == 100 == w.build_config().train.val_every
    live.val_every.setValue(50)
    explorer.set_change("val_every", False)
    explorer.restore_preset()  # ticks "Periodic validation" again: the preset's interval
    assert live.val_every.value() == 100 == w.build_config().train.val_every


def test_a_preset_change_still_resets_the_interval(qtbot, plain_window):
    w = plain_window
    live = w.live_changes
    live.val_every.setValue(50)
    assert w.build_config().train.val_every == 50
    presets = [w.controls.preset.itemText(i) for i in range(w.controls.preset.count())]
    other = next(p for p in presets if p != w.controls.preset.currentText())
    w.controls.preset.setCurrentText(other)
    assert live.chosen is None
    assert live.val_every.value() == preset(other).train.val_every
    assert w.build_config().train.val_every == preset(other).train.val_every


# --- Bug: markers of live changes landed far from the step of the change ------------------


def test_each_marker_is_at_the_step_of_its_first_edit(qtbot, plain_window, monkeypatch):
    import microgpt_gui.live_changes as live_changes

    monkeypatch.setattr(live_changes, "DEBOUNCE_MS", 60_000)  # no timer fires in the test
    w = plain_window
    live = w.live_changes
    smoothing = w.panels["curves"].smoothing
    reset(qtbot, w, tiny(), show_in_controls=True)
    steps(qtbot, w, 2)
    smoothing.setValue(0.5)  # at step 2
    steps(qtbot, w, 1)
    smoothing.setValue(0.6)  # one spin of the same field: the same marker
    steps(qtbot, w, 2)
    live.val_every.setValue(3)  # at step 5
    steps(qtbot, w, 3)
    live.flush()
    assert events(w, "smoothing") == [(2, "smoothing 0.6")]
    assert events(w, "validate every") == [(5, "validate every 3")]


def test_one_fields_edits_do_not_hold_back_anothers_marker(qtbot, plain_window,
                                                            monkeypatch):
    import microgpt_gui.live_changes as live_changes

    monkeypatch.setattr(live_changes, "DEBOUNCE_MS", 300)
    w = plain_window
    sampling = w.panels["sampling"]
    reset(qtbot, w, tiny(), show_in_controls=True)
    steps(qtbot, w, 1)
    w.panels["curves"].smoothing.setValue(0.5)
    # then the temperature is dragged on and on, an edit every 50 ms (as a slider sends)
    end = time.monotonic() + 5
    while not events(w, "smoothing") and time.monotonic() < end:
        sampling.temperature.setValue(13 if sampling.temperature.value() == 12 else 12)
        qtbot.wait(50)
    assert events(w, "smoothing") == [(1, "smoothing 0.5")]


def test_marker_is_at_the_step_of_the_change_while_running(qtbot, plain_window):
    w = plain_window
    c = w.controller
    reset(qtbot, w, tiny(num_steps=2000), show_in_controls=True)
    c.set_speed(100)
    c.train()
    qtbot.waitUntil(lambda: c.history.step >= 3, timeout=WAIT)
    w.panels["curves"].smoothing.setValue(0.5)
    changed_at = c.history.step
    # the marker comes once the edits have settled (DEBOUNCE_MS), steps later
    qtbot.waitUntil(lambda: bool(events(w, "smoothing")), timeout=WAIT)
    c.pause()
    qtbot.waitUntil(lambda: c.state != "running", timeout=WAIT)
    assert events(w, "smoothing") == [(changed_at, "smoothing 0.5")]
