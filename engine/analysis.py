"""Analysis helpers, Qt-free: PCA of the token embeddings and a memory-bounded time-lapse
of snapshots (what the model looked like at a step, developed lazily from a copy of the
weights so that looking never slows training).

The GUI draws these; the CLI and tests use them directly. A run's record and its curves
CSV live in run_record.py.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import numpy as np

VOWELS = frozenset("aeiouyAEIOUYàáâäèéêëìíîïòóôöùúûüÿ")


# --- embeddings ---------------------------------------------------------------------------


def pca_2d(matrix: np.ndarray) -> np.ndarray:
    """Rows of `matrix` projected on its two principal axes, [rows, 2].

    The sign of an SVD axis is arbitrary, so each axis is flipped to make its largest
    loading positive: without that, a live view would mirror itself between frames.
    Fewer than two usable axes (a 1-wide matrix, identical rows) leave zeros there.
    """
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {x.shape}")
    out = np.zeros((x.shape[0], 2))
    if x.shape[0] < 2 or not np.all(np.isfinite(x)):
        return out
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    for i in range(min(2, len(s))):
        if s[i] <= 1e-12 * max(s[0], 1e-300):
            break
        axis = vt[i]
        if axis[np.argmax(np.abs(axis))] < 0:
            axis = -axis
        out[:, i] = centred @ axis
    return out


def is_vowel(label: str) -> bool:
    return len(label) == 1 and label in VOWELS


# --- time-lapse ---------------------------------------------------------------------------


@dataclass
class Snapshot:
    """What the model looked like at one step: small enough to keep dozens."""

    step: int
    loss: float | None
    attention: np.ndarray | None  # [L, H, T, T] for the probe word
    attention_labels: list[str]
    embedding: np.ndarray  # [vocab, 2] PCA projection of wte
    vocab_labels: list[str]
    samples: list[str]


def fast_view(source):
    """An Inference on the same weights (a Trainer's live ones, or an Inference's, e.g. a
    snapshot) computed by the numpy backend, which gives the reference backend's numbers
    ~50x faster: looking must not slow training."""
    from .backends import make_backend
    from .sampling import Inference

    config = source.cfg if isinstance(source, Inference) else source.config
    backend = source.backend
    if getattr(backend, "name", "") != "numpy":
        backend = make_backend("numpy", config.model, config.train)
    return Inference(config, source.tokenizer, backend, source.params)


def affordable_samples(inference, wanted: int, budget_s: float) -> int:
    """How many names fit in budget_s seconds, at worst (every name block_size long).
    Sampling recomputes the whole prefix per token, so a big model can need seconds per
    name: a snapshot must never cost many training steps."""
    block = inference.cfg.model.block_size
    t0 = time.perf_counter()
    inference.next_logits([inference.tokenizer.bos_id] * block)
    per_name = (time.perf_counter() - t0) * block
    return min(wanted, int(budget_s / per_name)) if per_name > 0 else wanted


def take_snapshot(inference, step: int, probe: str, n_samples: int = 5, seed: int = 1234,
                  loss: float | None = None, cancelled=None,
                  budget_s: float | None = None) -> Snapshot:
    """Capture a snapshot from an engine.sampling.Inference (a frozen copy of weights).
    Samples use their own Random(seed): the same draws every time, so differences between
    snapshots come from the weights alone, and the training RNG is never touched.
    cancelled(): checked between samples, so a closing app need not wait for all.
    budget_s: fewer samples (maybe none) when the model is too big to sample quickly."""
    tok = inference.tokenizer
    labels = tok.labels()
    attention, att_labels = (None, [])
    if probe:
        try:
            attention, att_labels = inference.attention(probe)
        except (KeyError, ValueError):  # characters the vocabulary lacks: no heatmap
            attention, att_labels = None, []
    if budget_s is not None and n_samples:
        n_samples = affordable_samples(inference, n_samples, budget_s)
    rng = random.Random(seed)
    samples = []
    for _ in range(n_samples):
        if cancelled is not None and cancelled():
            break
        samples.extend(inference.sample(1, rng=rng))
    return Snapshot(step=step, loss=loss, attention=attention, attention_labels=att_labels,
                    embedding=pca_2d(inference.params["wte"]), vocab_labels=labels,
                    samples=samples)


# A "negative" keeps a copy of the weights (num_params floats) instead of the pictures;
# up to this many parameters that is cheap to keep dozens of (0.4 MB each at most).
NEGATIVE_MAX_PARAMS = 50_000


@dataclass
class Negative:
    """The weights at one step, to be developed into a Snapshot only when someone looks.

    Taking one costs a copy of the weights (microseconds at the default size), where a
    developed Snapshot costs a few milliseconds of sampling: at full speed early in a run
    the time-lapse asks for dozens a second, and that time would come out of training
    (one GIL). Only small models get negatives (see NEGATIVE_MAX_PARAMS): a big model's
    steps are slow anyway, and its weights too big to keep dozens of copies."""

    step: int
    loss: float | None
    view: object  # engine.sampling.Inference on a private copy of the weights
    probe: str
    options: dict = field(default_factory=dict)  # take_snapshot's keyword arguments

    def develop(self) -> Snapshot:
        return take_snapshot(self.view, self.step, self.probe, loss=self.loss, **self.options)


def negative(trainer, probe: str, **options) -> Negative | None:
    """A Negative of the trainer now, or None if the model is too big to keep copies of."""
    if trainer.num_params > NEGATIVE_MAX_PARAMS:
        return None
    from .sampling import Inference

    view = fast_view(trainer)
    params = {k: p.copy() for k, p in trainer.params.items()}
    frozen = Inference(trainer.config.copy(), trainer.tokenizer, view.backend, params)
    return Negative(trainer.step_num, trainer.last_val_loss, frozen, probe, options)


class TimeLapse:
    """Snapshots every `every` steps, at most `capacity` of them.

    When full, every other snapshot is dropped (the first and the newest survive) and the
    interval doubles, so the kept ones stay evenly spread over the whole run and memory
    stays bounded however long training goes on. Entries may be Negatives (developed by
    at()) or Snapshots; both have .step.
    """

    def __init__(self, every: int = 10, capacity: int = 64):
        if every <= 0 or capacity < 2:
            raise ValueError("time-lapse needs every >= 1 and capacity >= 2")
        self.base_every = every
        self.every = every
        self.capacity = capacity
        self.snapshots: list[Snapshot] = []

    def __len__(self) -> int:
        return len(self.snapshots)

    def clear(self) -> None:
        self.snapshots.clear()
        self.every = self.base_every

    def due(self, step: int) -> bool:
        """True if a snapshot should be taken now, at step `step`: `every` steps after the
        last one. Counted from the last snapshot rather than step % every, because the
        GUI sees steps in batches and may never see the exact multiple."""
        return not self.snapshots or step >= self.snapshots[-1].step + self.every

    def add(self, snap: Snapshot) -> None:
        if self.snapshots and snap.step <= self.snapshots[-1].step:
            # Going back (e.g. a reset) starts a new history rather than a jumbled one.
            self.clear()
        self.snapshots.append(snap)
        if len(self.snapshots) > self.capacity:
            newest = self.snapshots[-1]
            kept = self.snapshots[:-1:2]
            self.snapshots = kept + [newest]
            self.every *= 2

    def at(self, index: int) -> Snapshot:
        """The snapshot at index, developed now if it was kept as a Negative."""
        snap = self.snapshots[index]
        if isinstance(snap, Negative):
            snap = self.snapshots[index] = snap.develop()
        return snap

    def steps(self) -> list[int]:
        return [s.step for s in self.snapshots]
