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
