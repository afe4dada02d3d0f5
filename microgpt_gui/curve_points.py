"""The points a training curve hands pyqtgraph: inf turned into a gap, and, while the
whole run is in view, only as many points as the plot is wide.

A run can have 100k steps, and every point handed over costs the GUI thread time that
the training thread cannot use (one GIL). These are plain NumPy, no Qt: kept out of the
curves panel so that it reads as widgets and timing, and so they are tested without a
window.
"""

from __future__ import annotations

import numpy as np


def finite(a: np.ndarray) -> np.ndarray:
    """inf would break auto-range and log scale; NaN just leaves a gap (connect='finite')."""
    return np.where(np.isfinite(a), a, np.nan)


def envelope(x: np.ndarray, y: np.ndarray, buckets: int):
    """At most 2·buckets points with the same look as every point drawn: for each run of
    consecutive points, its lowest and highest value at the run's first x (pyqtgraph's
    "peak" downsampling, done once here rather than after handing it all 100k points).
    NaN (a gap) is skipped unless a whole run is NaN."""
    n = len(x)
    if n <= 2 * buckets:
        return x, y
    starts = np.arange(0, n, -(-n // buckets))
    x2 = np.repeat(x[starts], 2)
    y2 = np.empty(len(x2))
    y2[0::2] = np.fmin.reduceat(y, starts)
    y2[1::2] = np.fmax.reduceat(y, starts)
    return x2, y2


def thinned(x: np.ndarray, y: np.ndarray, buckets: int):
    """Every k-th point and the last one: for smooth curves (the running average, the
    learning rate), where the points in between add nothing visible."""
    n = len(x)
    if n <= 2 * buckets:
        return x, y
    idx = np.arange(0, n, -(-n // (2 * buckets)))
    if idx[-1] != n - 1:
        idx = np.append(idx, n - 1)
    return x[idx], y[idx]


def sticky_range(lo: float, hi: float, current: tuple[float, float],
                 floor: float | None = None, force: bool = False):
    """The y range (bottom, top) for data from lo to hi, or None to keep the view's
    `current` one. Sticky: it moves only when a value falls outside it or the data need
    much less room, because pyqtgraph's auto-range moved it on almost every frame of a
    noisy loss, and every move redraws the axes. `floor`: the range starts there (the
    grad norm from 0)."""
    if floor is not None:
        lo = min(lo, floor)
    # At least a tenth of the values' size: a learning rate that drifts by 1e-9 per step
    # must not move the range (and redraw the axis) on every frame.
    span = max(hi - lo, 0.1 * max(abs(lo), abs(hi)), 1e-9)
    cur_lo, cur_hi = current
    if not (force or lo < cur_lo or hi > cur_hi or cur_hi - cur_lo > 1.6 * span):
        return None
    # Room to spare: a falling loss then sets a few new lows before the range must move.
    return (lo if floor is not None else lo - 0.12 * span), hi + 0.05 * span
