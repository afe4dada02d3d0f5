"""Runs tab: a kept run is drawn smoothed like the live curve, so "with vs without" a
change compares like with like whatever smoothing the Curves panel is set to."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from engine import preset  # noqa: E402
from microgpt_gui.run_store import smoothed  # noqa: E402
from tests.gui.helpers import reset, steps  # noqa: E402

pytest.importorskip("pytestqt")


def overlay_loss(runs, plot_item):
    line = next(i for i in runs.overlays.items(plot_item) if i.name().endswith(" loss"))
    return line.getData()[1]


def test_overlay_uses_the_live_curves_smoothing(qtbot, plain_window):
    w, runs, curves = plain_window, plain_window.panels["runs"], plain_window.panels["curves"]
    cfg = preset("optimized", n_embd=8, n_head=2, num_steps=40)
    reset(qtbot, w, cfg)
    steps(qtbot, w, 12)
    reset(qtbot, w, cfg)  # run 1 is kept, ticked and drawn behind the live curve
    rec = runs.records[0]
    targets = (runs.plot.getPlotItem(), curves.loss_plot)
    for value in (0.5, 0.99):
        curves.smoothing.setValue(value)
        assert w.controller.history.smoothing == value
        runs._draw_live()  # the panel's paced timer tick
        want = smoothed(rec.array("loss"), value)
        for plot in targets:
            np.testing.assert_array_equal(overlay_loss(runs, plot), want)
