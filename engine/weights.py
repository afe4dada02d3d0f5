"""How big a step each weight matrix takes: the update-to-weight ratio, per kind of matrix.

A classic health check for a network in training (Karpathy plots it in "Building
makemore Part 3": the log10 of std(update) / std(weights) per parameter): how much one
optimizer step changes a matrix, relative to the size of its values. Far below the rest,
a matrix hardly learns; far above, its values are being thrown around. Around 1e-3 is
the rule of thumb for big networks trained for a long time; this tiny model with AdamW
at learning rate 0.01 takes much bigger steps (~1e-1.5 at the start) and they shrink as
the cosine schedule lowers the learning rate.

The ratio here is rms(Δw) / rms(w) over all matrices of one kind (e.g. every layer's
attention query matrix together), measured from the weights before and after a step, so
it includes everything the optimizer did: Adam's scaling, clipping, weight decay.
A matrix that is all zeros (zero-initialized output projections, before their first
step) has no size to compare with: its ratio is NaN there.

UpdateMeter is called after every step with the Trainer; it keeps one copy of the flat
weight vector (a few µs at the default size) and never touches the Trainer.
"""

from __future__ import annotations

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
    a new or reloaded model, or steps missed while the meter was not called)."""

    def __init__(self):
        self._trainer = None
        self._step = -1
        self._before: np.ndarray | None = None
        self._layout = None

    def forget(self) -> None:
        """The next call starts afresh (e.g. after steps went by without the meter)."""
        self._trainer, self._before = None, None

    def __call__(self, trainer):
        flat = trainer.params.flat
        known = (trainer is self._trainer and self._before is not None
                 and self._before.shape == flat.shape and trainer.step_num == self._step + 1)
        result = None
        if known:
            kinds, offsets, which = self._layout
            result = (trainer.step_num, kinds,
                      update_ratios(self._before, flat, offsets, which, len(kinds)))
        else:
            self._trainer, self._layout = trainer, kinds_and_slices(trainer.params)
            self._before = np.empty_like(flat)
        np.copyto(self._before, flat)
        self._step = trainer.step_num
        return result


class RatioRecorder:
    """A step hook (the GUI's worker.step_hooks): queues (run, step, kinds, ratios) after
    each step while `enabled`. It runs on the training thread; the GUI only sets `enabled`
    and drains `queue` (a deque: append and popleft are safe across threads), so a step
    costs no signal, however many steps a second are trained."""

    def __init__(self, capacity: int = 20_000):
        self.enabled = False
        self.meter = UpdateMeter()
        self.queue: deque = deque(maxlen=capacity)
        self.run = 0  # counts models: the GUI drops rows of a model it replaced
        self._trainer = None

    def __call__(self, trainer, stats) -> None:
        if not self.enabled:
            return
        if trainer is not self._trainer:
            self._trainer, self.run = trainer, self.run + 1
        try:
            measured = self.meter(trainer)
        except Exception:  # a diagnostic must never stop training
            return
        if measured is not None:
            step, kinds, ratios = measured
            self.queue.append((self.run, step, kinds, ratios))


def matrix_view(trainer, name: str):
    """(step, every matrix name, the chosen one's name and a copy, token labels) from the
    worker thread; the first matrix stands in for a name this model lacks."""
    if trainer is None:
        return None
    names = list(trainer.params)
    name = name if name in names else names[0]
    return trainer.step_num, names, name, trainer.params[name].copy(), trainer.tokenizer.labels()
