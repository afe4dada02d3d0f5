"""How big a step each weight matrix takes: the update-to-weight ratio, per kind of matrix.

A classic health check for a network in training (Karpathy plots it in "Building
makemore Part 3": the log10 of std(update) / std(weights) per parameter): how much one
optimizer step changes a matrix, relative to the size of its values. Far below the rest,
a matrix hardly learns; far above, its values are being thrown around. Around 1e-3 is
the rule of thumb for big networks trained for a long time; this tiny model with AdamW
at learning rate 0.01 takes much bigger steps (about 10^-0.5 at the start, 10^-2 by step
300) and they shrink further as the cosine schedule lowers the learning rate.

The ratio here is rms(Δw) / rms(w) over all matrices of one kind (e.g. every layer's
attention query matrix together), measured from the weights before and after a step, so
it includes everything the optimizer did: Adam's scaling, clipping, weight decay.
A matrix that is all zeros (zero-initialized output projections, before their first
step) has no size to compare with: its ratio is NaN there.

UpdateMeter is called after every step with the Trainer; it keeps one copy of the flat
weight vector (a few µs at the default size) and never touches the Trainer.
"""

from __future__ import annotations

import math
import time
from collections import deque

import numpy as np


def kind_of(name: str) -> str:
    """'layer3.attn_wq' -> 'attn_wq'; 'wte' -> 'wte'."""
    return name.split(".", 1)[1] if name.startswith("layer") and "." in name else name


def kinds_and_slices(params) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(kinds in first-seen order, each matrix's offset in params.flat, each matrix's
    kind index) for a state dict whose .flat holds every matrix in its order."""
    kinds: list[str] = []
    offsets, which = [], []
    offset = 0
    for name in params:
        kind = kind_of(name)
        if kind not in kinds:
            kinds.append(kind)
        offsets.append(offset)
        which.append(kinds.index(kind))
        offset += params[name].size
    return kinds, np.array(offsets), np.array(which)


def update_ratios(before: np.ndarray, after: np.ndarray, offsets: np.ndarray,
                  which: np.ndarray, n_kinds: int) -> np.ndarray:
    """rms(after - before) / rms(before) per kind: [n_kinds], NaN where before is all 0."""
    delta = after - before
    delta *= delta
    moved, size = np.add.reduceat(delta, offsets), np.add.reduceat(before * before, offsets)
    if n_kinds < len(offsets):  # several layers: add up each kind's matrices
        moved, size = np.bincount(which, moved, n_kinds), np.bincount(which, size, n_kinds)
    # The element counts cancel: a ratio of two rms. (where=: no warning-state switch, a
    # few µs per call.)
    ratio = np.divide(moved, size, out=np.full(n_kinds, np.nan), where=size > 0)
    return np.sqrt(ratio, out=ratio)


class UpdateMeter:
    """meter(trainer) after every step -> (step, kinds, ratios [n_kinds]) for the step
    just taken, or None when the weights before it are not known (the first step seen,
    a new or reloaded model, or steps missed while the meter was not called).
    meter(trainer, measure=False) only keeps the weights for the next call (a copy, ~1 µs
    at the default size, against ~10 µs for the ratios)."""

    def __init__(self):
        self._trainer = None
        self._step = -1
        self._before: np.ndarray | None = None
        self._layout = None

    def __call__(self, trainer, measure: bool = True):
        flat = trainer.params.flat
        known = (trainer is self._trainer and self._before is not None
                 and self._before.shape == flat.shape and trainer.step_num == self._step + 1)
        result = None
        if known and measure:
            kinds, offsets, which = self._layout
            result = (trainer.step_num, kinds,
                      update_ratios(self._before, flat, offsets, which, len(kinds)))
        elif not known:
            self._trainer, self._layout = trainer, kinds_and_slices(trainer.params)
            self._before = np.empty_like(flat)
        np.copyto(self._before, flat)
        self._step = trainer.step_num
        return result


class RatioRecorder:
    """A step hook (the GUI's worker.step_hooks): queues (run, step, kinds, ratios, after_gap)
    after each step while `enabled`. It runs on the training thread; the GUI only sets
    `enabled` and drains `queue` (a deque: append and popleft are safe across threads), so
    a step costs no signal, however many steps a second are trained.

    At most one step per `min_interval` seconds is measured (the weights are still copied
    every step, so the one measured is exactly one step's change): at a few hundred steps
    a second that is every step; flat out the hook costs 4-6 µs of a ~100 µs step (~5%).
    after_gap: steps went by unwatched (disabled) since the row before."""

    def __init__(self, capacity: int = 20_000, min_interval: float = 1e-3):
        self.enabled = False
        self.min_interval = min_interval
        self.meter = UpdateMeter()
        self.queue: deque = deque(maxlen=capacity)
        self.run = 0  # counts models: the GUI drops rows of a model it replaced
        self._trainer = None
        self._last = -math.inf  # perf_counter() of the last measured step
        self._gap = False

    def __call__(self, trainer, stats) -> None:
        if not self.enabled:
            self._gap = True
            return
        if trainer is not self._trainer:
            self._trainer, self.run, self._gap = trainer, self.run + 1, False
        now = time.perf_counter()
        try:
            measured = self.meter(trainer, measure=now - self._last >= self.min_interval)
        except Exception:  # a diagnostic must never stop training
            return
        if measured is not None:
            self._last = now
            step, kinds, ratios = measured
            self.queue.append((self.run, step, kinds, ratios, self._gap))
            self._gap = False


def matrix_view(trainer, name: str):
    """(step, every matrix name, the chosen one's name and a copy, token labels) from the
    worker thread; the first matrix stands in for a name this model lacks."""
    if trainer is None:
        return None
    names = list(trainer.params)
    name = name if name in names else names[0]
    return trainer.step_num, names, name, trainer.params[name].copy(), trainer.tokenizer.labels()
