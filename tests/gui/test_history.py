"""History (Qt-free): bounded memory, smoothing, read-outs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.trainer import StepStats
from microgpt_gui.history import History


def stats(step, loss=1.0, val=None):
    return StepStats(step=step, loss=loss, grad_norm=0.5, lr=0.01, ms=2.0, doc="ab",
                     val_loss=val)


def test_memory_stays_bounded_and_spans_the_run():
    h = History(capacity=100)
    h.extend([stats(i) for i in range(1, 10_001)])
    assert len(h) <= 100
    steps = h.array("step")
    assert steps[0] == 1 and steps[-1] > 9_000  # thinned, not truncated
    assert np.all(np.diff(steps) > 0)
    assert h.step == 10_000 and h.mean_ms == pytest.approx(2.0)


def test_smoothed_loss_is_a_debiased_ema_and_skips_nan():
    h = History(smoothing=0.5)
    h.extend([stats(1, 4.0), stats(2, math.nan), stats(3, 2.0)])
    smooth = h.array("smooth")
    assert smooth[0] == pytest.approx(4.0)  # debiased: the first value is itself
    assert smooth[1] == pytest.approx(4.0)  # NaN does not poison the average
    assert smooth[2] == pytest.approx((0.25 * 4 + 0.5 * 2) / 0.75)
    h.set_smoothing(0.0)
    assert h.array("smooth")[2] == pytest.approx(2.0)


def test_validation_points_events_and_nearest():
    h = History()
    h.extend([stats(i, val=3.0 if i % 10 == 0 else None) for i in range(1, 31)])
    assert h.val_steps == [10, 20, 30] and h.val_losses == [3.0] * 3
    v = h.version
    h.add_event(15, "lr 0.02")
    assert h.version > v and h.events == [(15, "lr 0.02")]
    assert h.array("step")[h.nearest(14.6)] == 15
    assert h.array("step")[h.nearest(1e9)] == 30
