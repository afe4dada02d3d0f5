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


def reference_history(stats_list, capacity, smoothing):
    """What History keeps, computed the slow obvious way: one step at a time."""
    kept, stride, ema, weight, nonfinite = [], 1, 0.0, 0.0, False
    for p, s in enumerate(stats_list):
        if math.isfinite(s.loss):
            ema = smoothing * ema + (1 - smoothing) * s.loss
            weight = smoothing * weight + (1 - smoothing)
        smooth = ema / weight if weight else math.nan
        if p % stride:
            continue
        if len(kept) == capacity:
            kept, stride = kept[::2][: capacity // 2], stride * 2
            if p % stride:
                continue
        kept.append((s.step, s.loss, smooth, s.grad_norm, s.lr, s.ms))
        # Sticky, like History.nonfinite: once stored, the views clean from then on.
        nonfinite |= not all(map(math.isfinite, (s.loss, s.grad_norm, s.lr)))
    return np.array(kept, dtype=float).reshape(-1, 6), nonfinite


@pytest.mark.parametrize("capacity", [4, 10, 64])
def test_batches_of_any_size_keep_what_one_step_at_a_time_would(capacity):
    rng = np.random.default_rng(capacity)
    all_stats = [StepStats(step=i + 1, loss=float(x), grad_norm=float(i % 7), lr=0.01 / (i + 1),
                           ms=1.0 + i % 3, doc="ab")
                 for i, x in enumerate(rng.normal(2.0, 0.5, 1000))]
    all_stats[17].loss = math.nan
    all_stats[18].loss = math.inf
    h = History(capacity=capacity, smoothing=0.8)
    i = 0
    while i < len(all_stats):  # uneven batches, as the worker's flushes are
        size = int(rng.integers(0, 150))
        h.extend(all_stats[i : i + size])
        i += size
    want, nonfinite = reference_history(all_stats, capacity, 0.8)
    got = np.stack([h.array(f) for f in ("step", "loss", "smooth", "grad_norm", "lr", "ms")], 1)
    np.testing.assert_array_equal(got[:, 0], want[:, 0])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert h.nonfinite == nonfinite
    assert h.step == 1000 and h.mean_ms == pytest.approx(2.0, abs=0.01)


def test_steps_per_second_of_steps_longer_than_its_window(monkeypatch):
    """A big reference model takes ~3 s a step: one batch in the 3 s window gave 0.0
    steps/s (and no ETA in the status bar) the whole run long."""
    from microgpt_gui import history

    now = [100.0]
    monkeypatch.setattr(history.time, "monotonic", lambda: now[0])
    h = History()

    def step(i, ms):
        h.extend([StepStats(step=i, loss=1.0, grad_norm=0.5, lr=0.01, ms=ms, doc="ab")])

    for i in range(1, 4):
        now[0] += 3.2
        step(i, 3200.0)
        now[0] += 1.0  # read a second after the batch, as the status bar does
        assert h.steps_per_second() == pytest.approx(1 / 3.2)
    now[0] += 10.0  # nothing for three steps' time: not running
    assert h.steps_per_second() == 0.0
    for i in range(4, 40):  # fast steps: measured from the batches, as before
        now[0] += 0.1
        step(i, 100.0)
    assert h.steps_per_second() == pytest.approx(10.0)
