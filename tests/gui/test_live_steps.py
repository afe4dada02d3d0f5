"""Steps change live: a finished run can be trained longer without a Reset (as the CLI's
`train --resume CKPT --steps N` does), with the same numbers as the engine gives."""

from __future__ import annotations

import numpy as np

from engine import Trainer
from engine.trainer import lr_at
from tests.gui.conftest import DOCS
from tests.gui.helpers import WAIT, train_to_end


def needs_reset(w) -> str:
    label = w.controls.needs_reset
    return "" if label.isHidden() else label.text()


def test_a_finished_run_trains_longer_with_the_engines_numbers(qtbot, make_window):
    from engine import load_dataset

    w = make_window(num_steps=20)
    stats = []
    w.controller.stats_batch.connect(stats.extend)
    train_to_end(qtbot, w)
    assert w.controller.state == "finished" and not w.act["train"].isEnabled()
    info = w.controller.info
    with qtbot.waitSignal(w.controller.state_changed, timeout=WAIT,
                          check_params_cb=lambda s: s == "paused"):
        w.controls.fields["num_steps"].setValue(30)  # the user types 30 in Steps
    assert w.controller.info is info and info.num_steps == 30  # the same run, longer
    assert w.act["train"].isEnabled()
    assert "num_steps" not in needs_reset(w)
    assert (20, "steps 30") in w.controller.history.events
    assert w.status.progress.maximum() == 30
    train_to_end(qtbot, w)
    assert w.controller.history.step == 30
    # The engine: 20 steps of a 20-step run, then num_steps 30, then 10 more.
    t = Trainer(info.config.copy(), load_dataset(str(DOCS)))
    t.config.train.num_steps = 20
    want = [t.step() for _ in range(20)]
    t.config.train.num_steps = 30
    want += [t.step() for _ in range(10)]
    got = stats[-30:]
    np.testing.assert_allclose([s.loss for s in got], [s.loss for s in want], rtol=1e-12)
    np.testing.assert_allclose([s.lr for s in got], [s.lr for s in want], rtol=1e-12)
    assert got[20].lr == lr_at(t.config.train, 20)  # the schedule of the 30-step run


def test_steps_at_or_below_the_steps_done_need_a_reset(qtbot, make_window):
    w = make_window(num_steps=20)
    train_to_end(qtbot, w)
    events = list(w.controller.history.events)
    w.controls.fields["num_steps"].setValue(15)
    qtbot.wait(100)
    assert w.controller.info.num_steps == 20 and w.controller.state == "finished"
    assert "num_steps" in needs_reset(w)
    assert w.controller.history.events == events  # no marker: nothing changed


def test_steps_just_above_the_steps_shown_end_a_running_run_cleanly(qtbot, make_window):
    """The GUI sees steps in batches, so the training thread is ahead of what it shows:
    Steps set just above the steps shown could be at or below the steps done there. The
    next step raised "the run is over" (a warning box with a RuntimeError), and the
    window kept a length shorter than the steps the run had (step 43 / 39)."""
    w = make_window(num_steps=1_000_000)  # numpy, max speed: thousands of steps a second
    w.controller.train()
    qtbot.waitUntil(lambda: w.controller.history.step >= 50, timeout=WAIT)
    shown = w.controller.history.step
    assert w.controller.set_num_steps(shown + 1)
    qtbot.waitUntil(lambda: w.controller.state == "finished", timeout=WAIT)
    qtbot.wait(100)
    assert w.messages == []
    steps = w.controller.history.step
    assert steps > shown  # the thread was ahead (else this test shows nothing)
    assert w.controller.info.num_steps == steps
    assert w.status.progress.maximum() == steps
