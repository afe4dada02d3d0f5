"""The Curves' planned learning rate (microgpt_gui/lr_plan.py) and the empty plots: the
lr schedule is drawn ahead of the run, and bent by live changes of lr and Steps."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.trainer import lr_at
from microgpt_gui.lr_plan import MAX_POINTS, plan_points
from tests.gui.helpers import WAIT, in_worker, steps


def plan(w):
    x, y = w.curves.lr_plan.line.getData()
    return np.asarray(x), np.asarray(y)


def test_the_whole_schedule_is_drawn_before_the_first_step(qtbot, make_window):
    w = make_window(num_steps=40)
    train = w.controller.info.config.train
    x, y = plan(w)
    assert list(x) == list(range(1, 41))  # History's steps: step k + 1 used lr_at(k)
    assert y == pytest.approx([lr_at(train, k) for k in range(40)], rel=1e-15)
    # it is in the legend and in view: an empty lr plot already shows the half cosine
    assert any(label.text == "planned" for _s, label in w.curves.legends[2].items)
    lo, hi = w.curves.lr_plot.getViewBox().viewRange()[1]
    assert lo <= y.min() and hi >= y.max()


def test_a_live_change_of_lr_or_steps_replans_the_rest_of_the_run(qtbot, make_window):
    w = make_window(num_steps=40)
    c = w.controller
    steps(qtbot, w, 10)
    c.set_learning_rate(0.02)
    x, y = plan(w)
    assert x[0] == 11 and x[-1] == 40  # from the next step on
    train = dataclasses.replace(c.info.config.train, learning_rate=0.02)
    assert y == pytest.approx([lr_at(train, k) for k in range(10, 40)], rel=1e-15)
    # the run then uses exactly the planned rates
    done = steps(qtbot, w, 3)
    assert [s.lr for s in done] == pytest.approx(list(y[:3]), rel=1e-15)
    assert c.set_num_steps(80)
    x, y = plan(w)
    assert x[0] == 14 and x[-1] == 80
    train = dataclasses.replace(train, num_steps=80)
    assert y == pytest.approx([lr_at(train, k) for k in range(13, 80)], rel=1e-15)
    assert in_worker(qtbot, w, lambda t: t.config.train.num_steps) == 80


def test_a_long_plan_is_thinned_but_keeps_its_ends():
    from engine import preset

    train = dataclasses.replace(preset("optimized").train, num_steps=1_000_000)
    x, y = plan_points(train, 250_000)
    assert len(x) == MAX_POINTS and x[0] == 250_001 and x[-1] == 1_000_000
    assert y[0] == pytest.approx(lr_at(train, 250_000)) and y[-1] == lr_at(train, 999_999)
    assert np.all(np.diff(x) > 0)
    assert plan_points(train, 1_000_000)[0].size == 0  # a finished run plans nothing


def test_an_empty_loss_plot_shows_where_the_loss_starts_and_what_to_beat(qtbot, make_window):
    """Before the first step the loss plot ran 0 to 1, with the guessing and letter-pair
    lines (around 3.3 and 2.5) out of view; a run still above the letter pairs hid that
    line until the loss got there."""
    w = make_window()
    lines = w.baselines
    qtbot.waitUntil(lambda: lines.result is not None, timeout=WAIT)
    vb = w.curves.loss_plot.getViewBox()

    def in_view():
        lo, hi = vb.viewRange()[1]
        return lo < lines.bigram.value() < lines.guessing.value() < hi

    qtbot.waitUntil(in_view, timeout=WAIT)
    # a log axis: the lines' view units change, they stay in view
    w.curves.log_y.setChecked(True)
    assert in_view()


def test_the_lr_legend_gives_way_where_it_would_cover_the_schedule(qtbot, make_window):
    """On a 720p projector the lr plot is ~55-65 px tall, and its legend covered the
    curve; on the desktop it sits clear of it, in the bottom left corner."""
    w = make_window(num_steps=200)
    cv = w.curves
    legend, vb = cv.legends[2], cv.lr_plot.getViewBox()

    def covered():
        box = vb.mapSceneToView(legend.sceneBoundingRect()).boundingRect()
        x, y = cv.lr_plan.line.getData()
        return bool(((x >= box.left()) & (x <= box.right())
                     & (y >= box.top()) & (y <= box.bottom())).any())

    w.resize(1400, 1300)  # a tall lr plot: the corner is free
    qtbot.waitUntil(lambda: legend.isVisible() and not covered(), timeout=WAIT)
    w.resize(1400, 420)  # the lr plot at its least height: the legend would cover it
    qtbot.waitUntil(lambda: not legend.isVisible(), timeout=WAIT)
    assert covered()


def test_an_empty_loss_plot_says_how_to_start_until_the_first_step(qtbot, make_window):
    from tests.gui.helpers import reset

    w = make_window()
    hint = w.curves.start_hint
    qtbot.waitUntil(hint.isVisible, timeout=WAIT)
    assert "Train (Space)" in hint.text
    steps(qtbot, w, 1)
    w.curves.refresh()
    assert not hint.isVisible()
    reset(qtbot, w, w.build_config())  # a new model: empty again
    w.curves.refresh()
    assert hint.isVisible()


def test_hovering_ahead_of_the_run_reads_out_the_planned_learning_rate(qtbot, make_window):
    from PySide6.QtCore import QPointF

    w = make_window(num_steps=40)
    cv = w.curves
    train = w.controller.info.config.train
    vb = cv.lr_plot.getViewBox()

    def hover(step):
        cv.marks.hover(vb.mapViewToScene(QPointF(step, vb.viewRect().center().y())))
        return cv.readout.text()

    assert hover(10) == f"step 10 (planned)   lr {lr_at(train, 9):.5f}"  # before any step
    steps(qtbot, w, 5)
    cv.refresh(force=True)
    assert hover(20) == f"step 20 (planned)   lr {lr_at(train, 19):.5f}"
    assert all(c.isVisible() and c.value() == 20 for c in cv.marks.cursors)
    done = hover(3)  # a step already trained: what it did
    assert done.startswith("step 3   loss") and "(planned)" not in done
