"""History: the curves of one run, Qt-free, with bounded memory.

The worker hands over StepStats in batches; History keeps step, loss, smoothed loss, grad
norm, lr and ms in preallocated numpy arrays. When they fill up, every other point is
dropped and from then on only every 2nd (4th, ...) step is kept, so memory stays bounded
however long a run goes while the curve still spans the whole run. The views redraw from
these arrays on a timer, never once per step.
"""

from __future__ import annotations

import math
import time
from collections import deque

import numpy as np

# The Smoothing field's range and precision (the curves panel's spin box). Lessons are
# checked against them, so a value the field cannot show is refused, not rounded.
SMOOTHING_MAX = 0.999
SMOOTHING_DECIMALS = 3

FIELDS = ("step", "loss", "smooth", "grad_norm", "lr", "ms")


class History:
    def __init__(self, capacity: int = 100_000, smoothing: float = 0.9):
        if capacity < 4:
            raise ValueError("capacity must be at least 4")
        self.capacity = capacity
        self._data = {f: np.empty(capacity) for f in FIELDS}
        self._n = 0
        self.stride = 1  # keep one step in `stride` (grows as the run gets long)
        self._seen = 0  # steps received, kept or not
        self.smoothing = smoothing
        self._ema = 0.0
        self._ema_weight = 0.0  # 1 - smoothing^t over finite losses: debiases the EMA
        self.val_steps: list[int] = []
        self.val_losses: list[float] = []
        self.events: list[tuple[int, str]] = []  # (step, text): live changes, e.g. a new lr
        self.last = None  # the most recent StepStats
        self.total_ms = 0.0  # sum of per-step wall times, for ms/step and the ETA
        self.version = 0  # bumps on every change: views redraw only when it moved
        self.nonfinite = False  # an inf/NaN was stored: views must clean before plotting
        self._rate = deque(maxlen=64)  # (monotonic time, step) for steps/s

    # --- writing -------------------------------------------------------------------
    def extend(self, batch) -> None:
        """Add a batch of StepStats (in step order). Runs on the GUI thread once per
        batch, for every step trained, so it works on whole columns: per step only the
        smoothing loop is plain Python (an EMA is sequential), on floats."""
        if not batch:
            return
        n = len(batch)
        smooth = self._smooth(batch)
        for s in batch:
            if s.val_loss is not None:
                self.val_steps.append(s.step)
                self.val_losses.append(s.val_loss)
        self.total_ms += math.fsum(s.ms for s in batch)
        first, self._seen = self._seen, self._seen + n
        i = 0  # keep step p (0-based over the run) when p % stride == 0
        while i < n:
            i += -(first + i) % self.stride  # the next kept position
            if i >= n:
                break
            if self._n == self.capacity:
                self._thin()  # the stride doubles: find the next kept position again
                continue
            rows = range(i, n, self.stride)[: self.capacity - self._n]
            self._store([batch[j] for j in rows], [smooth[j] for j in rows])
            i = rows[-1] + 1
        self.last = batch[-1]
        self._rate.append((time.monotonic(), batch[-1].step))
        self.version += 1

    def _smooth(self, batch) -> list[float]:
        """The debiased EMA after each step; inf/NaN losses are skipped (one NaN would
        poison the average for the rest of the run)."""
        a, ema, weight = self.smoothing, self._ema, self._ema_weight
        b = 1.0 - a
        out = []
        for s in batch:
            x = s.loss
            if x - x == 0.0:  # finite: inf - inf and NaN - NaN are NaN
                ema = a * ema + b * x
                weight = a * weight + b
            out.append(ema / weight if weight else math.nan)
        self._ema, self._ema_weight = ema, weight
        return out

    def _store(self, rows, smooth) -> None:
        i, k = self._n, len(rows)
        d = self._data
        d["step"][i : i + k] = [s.step for s in rows]
        d["loss"][i : i + k] = [s.loss for s in rows]
        d["smooth"][i : i + k] = smooth
        d["grad_norm"][i : i + k] = [s.grad_norm for s in rows]
        d["lr"][i : i + k] = [s.lr for s in rows]
        d["ms"][i : i + k] = [s.ms for s in rows]
        if not self.nonfinite:
            for f in ("loss", "grad_norm", "lr"):
                if not np.isfinite(d[f][i : i + k]).all():
                    self.nonfinite = True
        self._n += k

    def _thin(self) -> None:
        keep = self._n // 2
        for arr in self._data.values():
            arr[:keep] = arr[: self._n : 2][:keep]
        self._n = keep
        self.stride *= 2

    def add_event(self, step: int, text: str) -> None:
        self.events.append((step, text))
        self.version += 1

    def set_smoothing(self, smoothing: float) -> None:
        """Recompute the smoothed curve from the kept points (exact until thinning)."""
        if not 0 <= smoothing < 1:
            raise ValueError("smoothing must be in [0, 1)")
        self.smoothing = smoothing
        ema = weight = 0.0
        loss, out = self._data["loss"], self._data["smooth"]
        for i in range(self._n):
            x = loss[i]
            if math.isfinite(x):
                ema = smoothing * ema + (1 - smoothing) * x
                weight = smoothing * weight + (1 - smoothing)
            out[i] = ema / weight if weight else math.nan
        self._ema, self._ema_weight = ema, weight
        self.version += 1

    # --- reading -------------------------------------------------------------------
    def __len__(self) -> int:
        return self._n

    def array(self, name: str) -> np.ndarray:
        """A read-only view of one kept column (valid until the next extend)."""
        view = self._data[name][: self._n]
        view.flags.writeable = False
        return view

    @property
    def step(self) -> int:
        return self.last.step if self.last is not None else 0

    @property
    def mean_ms(self) -> float:
        return self.total_ms / self._seen if self._seen else 0.0

    def steps_per_second(self, window: float = 3.0) -> float:
        """Steps per wall second over the last few seconds (0 when idle). Steps longer
        than the window (a big reference model: 3 s a step) leave one batch in it: then
        the last step's own time says it (it was 0.0 steps/s and no ETA all run long)."""
        if not self._rate:
            return 0.0
        t_end, s_end = self._rate[-1]
        step_s = self.last.ms / 1000 if self.last is not None and self.last.ms > 0 else 0.0
        if time.monotonic() - t_end > max(window, 2.0, 2 * step_s):
            return 0.0
        t0, s0 = next(((t, s) for t, s in self._rate if t_end - t <= window), self._rate[-1])
        if t_end > t0:
            return (s_end - s0) / (t_end - t0)
        return 1 / step_s if step_s else 0.0

    def nearest(self, step: float) -> int | None:
        """Index of the kept point closest to `step` (for hover read-outs)."""
        if not self._n:
            return None
        steps = self._data["step"][: self._n]
        i = int(np.searchsorted(steps, step))
        if i >= self._n:
            return self._n - 1
        if i > 0 and step - steps[i - 1] < steps[i] - step:
            return i - 1
        return i
