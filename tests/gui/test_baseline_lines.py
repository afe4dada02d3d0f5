"""The loss plot's reference lines: guessing and letter pairs, for the model in use."""

from __future__ import annotations

import math

import pytest

from engine import preset
from engine.baselines import baselines
from tests.gui.helpers import WAIT, in_worker, reset


def wait_lines(qtbot, w):
    qtbot.waitUntil(lambda: w.baselines.result is not None, timeout=WAIT)
    return w.baselines


def test_both_lines_show_the_models_baselines(qtbot, make_window):
    w = make_window()
    lines = wait_lines(qtbot, w)
    want = in_worker(qtbot, w, baselines)
    assert lines.guessing.isVisible() and lines.bigram.isVisible()
    assert lines.guessing.value() == pytest.approx(want.guessing)
    assert lines.bigram.value() == pytest.approx(want.bigram)
    assert lines.bigram.label.toPlainText() == f"letter pairs {want.bigram:.2f}"
    assert f"{want.counted_docs:,} training documents" in lines.bigram.toolTip()
    assert lines.guessing in w.curves.loss_plot.items


def test_the_lines_stay_at_their_loss_on_a_log_axis(qtbot, make_window):
    w = make_window()
    lines = wait_lines(qtbot, w)
    value = lines.guessing.loss
    w.curves.log_y.setChecked(True)
    assert lines.guessing.value() == pytest.approx(math.log10(value))
    assert lines.guessing.label.toPlainText() == f"guessing {value:.2f}"  # the loss, not log
    w.curves.log_y.setChecked(False)
    assert lines.guessing.value() == pytest.approx(value)


def test_a_new_model_without_validation_has_no_letter_pair_line(qtbot, make_window):
    w = make_window()
    wait_lines(qtbot, w)
    cfg = preset("optimized")
    cfg.train.val_fraction, cfg.train.num_steps = 0.0, 40
    w.baselines.result = None
    reset(qtbot, w, cfg)
    lines = wait_lines(qtbot, w)
    assert math.isnan(lines.result.bigram)
    assert lines.guessing.isVisible() and not lines.bigram.isVisible()


def test_projector_sizes_reach_the_labels(qtbot, make_window):
    w = make_window()
    lines = wait_lines(qtbot, w)
    small = lines.bigram.label.textItem.font().pointSize()
    theme = w.ctx.theme.with_(plot_font_size=small + 8)
    w.ctx.themes.set_theme(theme)
    assert lines.bigram.label.textItem.font().pointSize() == small + 8


@pytest.mark.parametrize("log_y, smallest", [(False, False), (True, False), (False, True)])
def test_the_labels_stay_apart_when_the_lines_come_close(qtbot, make_window, log_y,
                                                         smallest):
    """A loss that blew up to 30 or 300 puts guessing (3.30) and letter pairs (2.4) a few
    pixels apart (near the bottom, or near the top of a view zoomed out below them): the
    labels must neither cover each other nor be crossed by the other line, nor leave the
    plot, nor hide under the legend (also with the window at its smallest: a short plot
    and an ordinary range); with room between the lines, guessing stays below its line
    and letter pairs above its own."""
    from PySide6.QtCore import QPointF

    w = make_window()
    lines = wait_lines(qtbot, w)
    plot = w.curves.loss_plot
    vb = plot.getViewBox()
    w.curves.follow.setChecked(False)
    w.curves.log_y.setChecked(log_y)
    legend = plot.legend.sceneBoundingRect
    ranges = ((2, 4.0), (2, 30.0), (2, 300.0), (1e-20 if log_y else -300, 3.6), (2, 4.0))
    if smallest:
        ranges = ((1.7, 4.4), (2, 30.0))

    def line_y(line):
        return vb.mapViewToScene(QPointF(0, line.value())).y()

    def label(line):
        return line.label.mapRectToScene(line.label.boundingRect())

    for low, top in ranges:
        plot.setYRange(math.log10(low) if log_y else low, math.log10(top) if log_y else top,
                       padding=0)
        if smallest:  # the legend moves after the plot has been resized
            w.resize(1400, 900)
            qtbot.wait(50)
            w.resize(200, 150)  # as small as it goes
        qtbot.wait(50)
        g, b = label(lines.guessing), label(lines.bigram)
        assert not g.intersects(b), top
        assert not g.top() < line_y(lines.bigram) < g.bottom(), top
        assert not b.top() < line_y(lines.guessing) < b.bottom(), top
        assert vb.sceneBoundingRect().contains(g) and vb.sceneBoundingRect().contains(b), top
        assert not g.intersects(legend()) and not b.intersects(legend()), top
        if top == 4.0 and not smallest:  # far apart: as designed
            assert g.top() == pytest.approx(line_y(lines.guessing), abs=1)
            assert b.bottom() == pytest.approx(line_y(lines.bigram), abs=1)


def test_a_label_moves_off_the_smoothed_loss_at_the_end_of_a_run(qtbot, make_window):
    """At the end of the default run the smoothed loss and the last red dots reach the
    lines' right end, just above the letter pairs: 'letter pairs 2.47' sat on them. It
    goes to the other side of its line (or left of the legend) where that is clear, and
    back where it was designed to be once the curve has moved away."""
    import numpy as np

    w = make_window()

    def covers_data(label, items):  # the label's box in the plot's units, over the curve
        box = plot.getViewBox().mapSceneToView(label.sceneBoundingRect()).boundingRect()
        return any(((x >= box.left()) & (x <= box.right()) & (y >= box.top())
                    & (y <= box.bottom())).any() for x, y in (i.getData() for i in items))

    lines = wait_lines(qtbot, w)
    curves, plot = w.curves, w.curves.loss_plot
    curves.follow.setChecked(False)
    plot.setYRange(1.8, 4.4, padding=0)
    plot.setXRange(0, 500, padding=0)
    pairs = lines.bigram.value()
    steps = np.arange(0.0, 501.0)
    curves.smooth.setData(steps, np.full_like(steps, pairs + 0.06))  # just above its line
    qtbot.waitUntil(lambda: not covers_data(lines.bigram.label, [curves.smooth]), timeout=WAIT)
    assert lines.bigram.label.anchors[0][1] <= 0  # under its line now
    curves.smooth.setData(steps, np.full_like(steps, 3.9))  # the curve away: as designed
    qtbot.wait(400)
    assert lines.bigram.label.anchors[0][1] >= 1  # above its line again
    assert not covers_data(lines.bigram.label, [curves.smooth])
