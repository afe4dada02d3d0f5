"""The shared frame budget and the redraw savings behind the >= 70%-of-headless target
(issue 7): while training runs, views slow down together when the GUI thread takes too
much of the time; plot ranges move only when the data leave them."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QTimer

from microgpt_gui.frame_budget import FrameBudget


def test_budget_slows_paced_timers_while_running_and_restores_them_when_paused(qtbot):
    budget = FrameBudget(lambda: 0.0, share=0.2, max_factor=6.0, period_ms=10_000)
    timer = QTimer()
    budget.pace(timer, 40)
    assert timer.interval() == 40
    for _ in range(20):  # the GUI thread keeps taking 60% of the time
        budget.update(0.6, running=True)
    assert budget.factor == 6.0 and timer.interval() == 240  # capped at max_factor
    budget.update(0.1, running=True)  # cheaper now: speeds up again, not all at once
    assert 1.0 < budget.factor < 6.0
    assert timer.interval() == round(40 * budget.factor)
    budget.update(0.9, running=False)  # paused: nothing to protect, full speed
    assert budget.factor == 1.0 and timer.interval() == 40
    for _ in range(20):  # under budget: never faster than the base rate
        budget.update(0.01, running=True)
    assert budget.factor == 1.0 and timer.interval() == 40


def test_a_slow_view_still_fires_while_the_factor_keeps_changing(qtbot):
    """Each new factor restarted every paced timer (setInterval on a running QTimer starts
    its wait again). A view slowed to more than the budget's period (200 ms x 6 > 500 ms)
    never fired while the factor wobbled each period: on a busy machine the attention
    maps froze while training ran. A longer interval now waits for the next timeout."""
    budget = FrameBudget(lambda: 0.0, period_ms=10**6)  # factors set by hand below
    timer = QTimer()
    fired = []
    timer.timeout.connect(lambda: fired.append(time.monotonic()))
    budget.pace(timer, 50)
    timer.start()
    budget.set_factor(8.0)  # 400 ms
    t0 = time.monotonic()
    for i in range(16):  # a new factor every 100 ms for 1.6 s
        qtbot.wait(100)
        budget.set_factor(6.0 + (i % 2))  # 300 or 350 ms
    assert len(fired) >= 3, [round(t - t0, 2) for t in fired]
    assert timer.interval() in (300, 350)  # the last factor's, from the last timeout on
    budget.set_factor(1.0)  # faster at once: no wait for the slow interval to run out
    qtbot.waitUntil(lambda: timer.interval() == 50, timeout=1000)
    n, t1 = len(fired), time.monotonic()
    qtbot.waitUntil(lambda: len(fired) >= n + 2, timeout=3000)
    assert time.monotonic() - t1 < 0.5  # ~0.1 s at 50 ms; at least 0.6 s at 300 ms


def test_budget_measures_the_gui_threads_share_and_acts_only_while_training_is_busy(qtbot):
    training = {"busy": True, "seconds": 0.0}

    def training_seconds():  # a training thread that works all the time, or never
        if training["busy"]:
            training["seconds"] = time.monotonic()
        return training["seconds"]

    for busy in (False, True):
        training["busy"] = busy
        # A low share to act at: on a loaded machine this thread may get far less than
        # a whole core, and the test is about measuring and acting, not about the load.
        budget = FrameBudget(training_seconds, share=0.05, period_ms=10_000)
        w0, c0 = time.monotonic(), time.thread_time()
        t_end = w0 + 0.3
        while time.monotonic() < t_end:  # busy on this (the GUI) thread
            sum(range(1000))
        budget._measure()
        seen = (time.thread_time() - c0) / (time.monotonic() - w0)  # what it should read
        assert abs(budget.last_share - seen) < 0.1 and budget.last_share > 0.1
        assert (budget.factor > 1.0) == busy  # idle or slow training: nothing to protect


def test_panels_pace_their_timers_through_the_window_budget(qtbot, make_window):
    w = make_window()
    budget = w.controller.budget
    timers = [w.panels["attention"].timer, w.panels["embeddings"]._timer,
              w.panels["surprise"].timer, w.panels["sampling"].timer,
              w.panels["runs"]._timer, w.panels["timelapse"]._show_timer,
              w.head_roles.timer, w.status.timer]
    base = [t.interval() for t in timers]
    budget.timer.stop()  # its own measurements (nothing trains) would set 1x again
    budget.update(10.0, running=True)
    assert budget.factor > 1.0
    # (a running timer takes its longer interval from its next timeout on)
    qtbot.waitUntil(lambda: [t.interval() for t in timers]
                    == [round(b * budget.factor) for b in base], timeout=3000)
    w.status.refresh()
    assert "views at 1/" in w.status.rate_label.text()  # the user is told why
    budget.update(0.0, running=False)
    qtbot.waitUntil(lambda: [t.interval() for t in timers] == base, timeout=3000)
    w.status.refresh()
    assert "views at" not in w.status.rate_label.text()


def test_curve_ranges_hold_still_for_a_drifting_learning_rate(make_window):
    w = make_window()
    cv = w.curves
    lr = np.full(200, 0.01) - np.arange(200) * 1e-12  # a long run's first steps
    cv.lr.setData(np.arange(200), lr)
    cv._follow_y(force=True)
    before = cv.lr_plot.getViewBox().targetRange()[1]
    cv.lr.setData(np.arange(400), np.full(400, 0.01) - np.arange(400) * 1e-12)
    cv._follow_y()
    assert cv.lr_plot.getViewBox().targetRange()[1] == before
    cv.lr.setData(np.arange(3), [0.01, 0.02, 0.03])  # a real change still moves it
    cv._follow_y()
    lo, hi = cv.lr_plot.getViewBox().targetRange()[1]
    assert lo <= 0.01 and hi >= 0.03


def test_embedding_range_is_sticky_but_keeps_every_point_in_view(qtbot):
    from tests.gui.helpers import shown_embedding_plot

    plot = shown_embedding_plot(qtbot, 300, 300)
    labels = list("abcde")
    pts = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]], float) + 5
    plot.set_points(pts, labels)
    first = plot.getViewBox().targetRange()
    plot.set_points(pts + 0.01, labels)  # a small drift: no new range
    assert plot.getViewBox().targetRange() == first
    plot.set_points(pts * 3, labels)  # points leave the view: it grows to hold them
    (x0, x1), (y0, y1) = plot.getViewBox().targetRange()
    assert x0 <= 15 and x1 >= 18 and y0 <= 15 and y1 >= 18
    plot.set_points(pts * 0.1, labels)  # the cloud shrank a lot: the view follows it
    (x0, x1), _ = plot.getViewBox().targetRange()
    assert x1 - x0 < 1.0


def test_time_lapse_snapshots_never_take_more_than_a_tenth_of_training(qtbot, monkeypatch):
    from types import SimpleNamespace

    from engine.analysis import Negative, TimeLapse
    from microgpt_gui import timelapse_panel

    owner = SimpleNamespace(lapse=TimeLapse(every=1, capacity=1000))
    hook = timelapse_panel.StepSnapshotter(owner)
    taken = []
    hook.taken.connect(taken.append)
    trainer = object()

    def slow_capture(_trainer, _probe):  # a big model: every snapshot costs 5 ms
        time.sleep(0.005)
        return "snap"

    monkeypatch.setattr(timelapse_panel, "capture", slow_capture)
    t_end = time.perf_counter() + 0.5
    step = 0
    while time.perf_counter() < t_end:  # steps of 1 ms, each one due for a snapshot
        step += 1
        time.sleep(0.001)
        hook(trainer, SimpleNamespace(step=step))
    assert 3 <= len(taken) <= 0.1 * 500 / 5 + 2  # ~10% of 0.5 s at 5 ms each
    assert hook.skipped == step - len(taken)

    negative = Negative(0, None, None, "")  # a small model: weights copied, not developed

    def copy_weights(_trainer, _probe):
        time.sleep(0.005)  # even a slow copy: the film keeps every N-th step exactly
        return negative

    monkeypatch.setattr(timelapse_panel, "capture", copy_weights)
    taken.clear()
    trainer = object()  # the next run, a small model
    for k in range(1, 51):
        hook(trainer, SimpleNamespace(step=k))
    assert taken == [negative] * 50


def test_status_bar_says_while_a_model_is_being_built(qtbot, make_window):
    import threading

    w = make_window()
    release = threading.Event()
    old = w.controller.info

    def slow_trainer():  # a Reset on a huge file: the seed's shuffle takes seconds
        from engine import Trainer

        release.wait(10)
        return Trainer(old.config, w.datasets.dataset)

    w.controller.replace_trainer(slow_trainer)
    qtbot.waitUntil(lambda: "building" in w.status.state_label.text(), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: w.controller.info is not old, timeout=10_000)
    w.status.refresh()
    assert "building" not in w.status.state_label.text()


def test_curve_decimation_keeps_every_peak_and_the_newest_point():
    from microgpt_gui.curve_points import envelope, thinned

    rng = np.random.default_rng(0)
    x = np.arange(1, 100_001, dtype=float)
    y = rng.normal(2.0, 0.3, len(x))
    y[12_345] = 9.0  # one spike: must survive
    y[50_000:50_010] = np.nan  # a gap inside a bucket: skipped, not spread
    x2, y2 = envelope(x, y, 500)
    assert len(x2) <= 1000 and np.all(np.diff(x2) >= 0)
    assert np.nanmax(y2) == 9.0 and np.nanmin(y2) == np.nanmin(y)
    assert not np.isnan(y2).any()
    x3, y3 = thinned(x, y, 500)
    assert len(x3) <= 1001 and x3[-1] == x[-1] and y3[-1] == y[-1]
    small = np.arange(10.0)
    assert envelope(small, small, 500)[0] is small  # short runs are drawn as they are


def test_curve_y_ranges_are_sticky_with_room_to_spare():
    from microgpt_gui.curve_points import sticky_range

    first = sticky_range(2.0, 3.0, (0.0, 1.0))  # the data left the view: a new range
    assert first == (2.0 - 0.12, 3.0 + 0.05)
    assert sticky_range(2.05, 2.95, first) is None  # inside it: the axis stays put
    assert sticky_range(1.8, 3.0, first) is not None  # a new low below it: moves
    assert sticky_range(2.4, 2.5, first) is not None  # needs far less room: tightens
    assert sticky_range(2.05, 2.95, first, force=True) is not None
    # A drift of 1e-9 a step at 0.01 never moves it: its span counts as 0.001.
    lr = sticky_range(0.01 - 1e-9, 0.01, (0.0, 1.0))
    assert sticky_range(0.01 - 2e-9, 0.01, lr) is None
    # The grad norm starts at 0, however high its values.
    assert sticky_range(1.0, 1.0, (0.0, 0.0), floor=0.0) == (0.0, 1.0 + 0.05)
    assert sticky_range(2.0, 7.0, (0.0, 1.0), floor=0.0)[0] == 0.0


def test_curves_hand_over_thinned_data_while_following_and_all_of_it_to_zoom(make_window):
    from engine.trainer import StepStats

    w = make_window()
    h, cv = w.controller.history, w.curves
    h.extend([StepStats(step=i, loss=2.0 + (i % 7) / 10, grad_norm=1.0, lr=0.01, ms=0.1,
                        doc="ab") for i in range(1, 50_001)])
    cv.refresh(force=True)
    x, y = cv.raw.xData, cv.raw.yData  # what the panel handed over (before pyqtgraph's own)
    assert len(x) <= 2 * max(cv.glw.width(), 500)
    assert y.max() == h.array("loss").max() and y.min() == h.array("loss").min()
    cv.follow.setChecked(False)  # the user zooms in: every point
    assert len(cv.raw.xData) == len(h) == 50_000
