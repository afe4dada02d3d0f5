"""The Trainer: owns the weights, the Adam state and the RNG; one step() = one update.

The order of random draws is the seed's, so the numbers match it exactly:
(1) shuffle the docs, (2) draw every weight, (3) sampling draws, one per token.
The backend only computes loss and gradients; the optimizer lives here, shared by all
backends.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field

import numpy as np

from .backends import StepCancelled, init_params, make_backend, num_params, stop_if_asked
from .config import RunConfig, preset
from .cost import check_fits
from .data import DataError, Dataset, Tokenizer, load_dataset
from .sampling import CONFIG, Inference

EXPLODED_LOSS = 100.0  # nats per token; see StepStats.exploded


@dataclass
class StepStats:
    """What one training step produced. Plain data: safe to hand to another thread."""

    step: int  # 1-based number of this step
    loss: float  # mean loss of this step's document(s), before the update
    grad_norm: float  # global L2 norm of the gradients, before clipping
    lr: float  # learning rate used in this step
    ms: float  # wall time of the step, incl. its captures and validation if they ran
    doc: str  # the (first) training document of this step
    val_loss: float | None = None  # set when validation ran after this step
    nodes: int | None = None  # graph nodes built (reference backend only)
    clipped: bool = False  # the gradient was scaled down to grad_clip
    attention: np.ndarray | None = None  # [L, H, T, T] for `doc`, if asked for
    attention_labels: list[str] | None = None
    position_losses: np.ndarray | None = None  # per-position loss of `doc`, if asked for
    extra: dict = field(default_factory=dict)

    @property
    def diverged(self) -> bool:
        return not (math.isfinite(self.loss) and math.isfinite(self.grad_norm))

    @property
    def exploded(self) -> bool:
        """The loss is finite but absurd: far worse than guessing (ln(vocab) ≈ 3.3).

        Normalised logits keep the loss finite even at a learning rate of 10 or 1e3, where
        it climbs to 1e4..1e16 instead of inf; the GUI pauses on this as on divergence."""
        return self.loss > EXPLODED_LOSS


def lr_at(train, step: int) -> float:
    """Learning rate for 0-based step `step` of train.num_steps."""
    lr, total = train.learning_rate, train.num_steps
    if train.lr_schedule == "cosine":
        return lr * 0.5 * (1 + math.cos(math.pi * step / total))
    if train.lr_schedule == "linear":
        return lr * (1 - step / total)
    return lr


def lr_schedule(train, steps) -> np.ndarray:
    """lr_at for an array of 0-based steps (the GUI draws the planned schedule with it)."""
    s = np.asarray(steps, dtype=float)
    lr, total = train.learning_rate, train.num_steps
    if train.lr_schedule == "cosine":
        return lr * 0.5 * (1 + np.cos(np.pi * s / total))
    if train.lr_schedule == "linear":
        return lr * (1 - s / total)
    return np.full(s.shape, float(lr))


class FlatParams(dict):
    """name -> array in state-dict order, every array a view into one flat float64 vector
    `.flat`, so Adam, clipping and the gradient norm are a handful of whole-vector ops.

    Assigning an entry copies into its view (same shape required): the vector the
    optimizer updates and the arrays a backend reads can never come apart."""

    __slots__ = ("flat",)

    def __init__(self, arrays: dict[str, np.ndarray]):
        super().__init__()
        self.flat = np.empty(sum(np.size(a) for a in arrays.values()))
        offset = 0
        for k, a in arrays.items():
            a = np.asarray(a, dtype=np.float64)
            view = self.flat[offset : offset + a.size].reshape(a.shape)
            view[...] = a
            dict.__setitem__(self, k, view)
            offset += a.size

    def __setitem__(self, k, value):
        view = self[k]  # KeyError for a name the model does not have
        value = np.asarray(value, dtype=np.float64)
        if value.shape != view.shape:
            raise ValueError(f"{k}: shape {value.shape}, the model needs {view.shape}")
        view[...] = value


def _flat_attribute(name: str):
    """A Trainer attribute that always holds a FlatParams (assigning a dict copies it in)."""
    return property(lambda self: getattr(self, name),
                    lambda self, value: setattr(self, name, FlatParams(value)))


def split_docs(docs: list[str], val_fraction: float) -> tuple[list[str], list[str]]:
    """First int(0.9·N) of the shuffled docs train, the rest validate (val_fraction 0.1)."""
    if val_fraction <= 0:
        return docs, []
    n_train = int(round(1 - val_fraction, 12) * len(docs))
    if len(docs) < 2 or n_train < 1 or n_train >= len(docs):
        raise DataError(
            f"need at least 2 documents for a train/validation split, got {len(docs)}"
            if len(docs) < 2
            else f"{len(docs)} documents are too few for a {val_fraction:.0%} validation split"
        )
    return docs[:n_train], docs[n_train:]


def split_problem(n_docs: int, val_fraction: float) -> str:
    """Why split_docs would refuse n_docs documents ('' if it would not): asked before
    a model is made, e.g. as a file loads (a range stands in: no list is copied)."""
    try:
        split_docs(range(n_docs), val_fraction)
    except DataError as e:
        return str(e)
    return ""


class Trainer:
    params = _flat_attribute("_params")  # name -> weights (views into params.flat)
    m = _flat_attribute("_m")  # Adam's first moments, like params
    v = _flat_attribute("_v")  # Adam's second moments, like params

    def __init__(self, config: RunConfig | None = None, dataset: Dataset | list[str] | None = None):
        cfg = (config or preset("optimized")).copy()
        if dataset is None:
            dataset = load_dataset()
        elif not isinstance(dataset, Dataset):
            dataset = Dataset(list(dataset), "memory", "documents")
        if not dataset.docs:
            raise DataError(f"{dataset.name}: no documents")
        self.dataset = dataset
        cfg.train.validate()
        self.rng = random.Random(cfg.train.seed)
        docs = list(dataset.docs)
        self.rng.shuffle(docs)  # draw (1)
        self.docs = docs
        self.tokenizer = Tokenizer.from_docs(docs, cfg.model.bos_first)
        cfg.model.vocab_size = self.tokenizer.vocab_size
        cfg.validate()
        # Refuse, before any weight exists, a model that would not fit in memory (e.g. the
        # reference backend at sizes the numpy backend handles): see engine/cost.py.
        check_fits(cfg, docs)  # docs are shuffled: their first 1,000 are a fair sample
        self.config = cfg
        try:
            self.train_docs, self.val_docs = split_docs(docs, cfg.train.val_fraction)
        except DataError as e:  # say which file: the split is a property of the data
            raise DataError(f"{dataset.source}: {e}") from None
        self.params = init_params(cfg.model, self.rng)  # draw (2)
        self.m = {k: np.zeros_like(p) for k, p in self.params.items()}
        self.v = {k: np.zeros_like(p) for k, p in self.params.items()}
        self._scratch = np.empty_like(self.params.flat)  # Adam's temporary, reused
        self._grad = np.empty_like(self.params.flat)  # gradient vector, reused (numpy backend)
        self.b1_t = 1.0  # running products β1^t, β2^t for bias correction
        self.b2_t = 1.0
        self.step_num = 0  # steps done
        self.backend = make_backend(cfg.backend, cfg.model, cfg.train)
        self.last_val_loss: float | None = None
        self.checkpoint_extra: dict = {}  # GUI data restored from a checkpoint (curves)

    # --- facts ----------------------------------------------------------------------
    @property
    def num_params(self) -> int:
        return num_params(self.config.model)

    @property
    def done(self) -> bool:
        return self.step_num >= self.config.train.num_steps

    def inference(self) -> Inference:
        """A view on the live weights (no copy): changes as training goes on."""
        return Inference(self.config, self.tokenizer, self.backend, self.params)

    def snapshot(self) -> Inference:
        """A frozen copy of the current weights, safe to use from another thread."""
        params = {k: p.copy() for k, p in self.params.items()}
        return Inference(self.config.copy(), self.tokenizer, self.backend, params)

    # --- training ---------------------------------------------------------------------
    def batch_docs(self, step: int) -> list[str]:
        b, docs = self.config.train.batch_size, self.train_docs
        if b == 1:
            return [docs[step % len(docs)]]
        return [docs[(step * b + i) % len(docs)] for i in range(b)]

    def step(self, capture_attention: bool = False, capture_positions: bool = False) -> StepStats:
        """One optimisation step on the next document(s); validates when it is due.
        StepCancelled (the backend's should_stop) leaves the Trainer as it was."""
        t0 = time.perf_counter()
        tr = self.config.train
        step = self.step_num
        if step >= tr.num_steps:
            # Past the end the schedules mean nothing: the linear one's lr turns negative
            # (every step would climb the loss) and the cosine one rises again.
            raise RuntimeError(f"the run is over: all {tr.num_steps} steps are done "
                               "(train longer with a larger num_steps)")
        docs = self.batch_docs(step)
        extras = {}
        if capture_attention or capture_positions:  # before the update: the step's view
            view = self.inference()
            if capture_attention:
                extras["attention"], extras["attention_labels"] = view.attention(docs[0])
                self._check_stop()  # (inference never checks: it may run on any thread)
            if capture_positions:
                extras["position_losses"] = view.doc_nll(docs[0])
                self._check_stop()
        # Only the first block_size characters are ever read: never encode a 10 MB line.
        block = self.config.model.block_size
        batch = [self.tokenizer.doc_tokens(d[:block]) for d in docs]
        into = getattr(self.backend, "loss_and_grads_into", None)
        try:
            if into is not None:  # writes the flat gradient into our own vector, no copy
                if self._grad.shape != self.params.flat.shape:  # params were replaced
                    self._grad = np.empty_like(self.params.flat)
                loss, nodes = into(self.params, batch, self._grad)
                g = self._grad
            else:
                loss, grads, nodes = self.backend.loss_and_grads(self.params, batch)
                # All gradients as one vector in state-dict order (one copy).
                g = np.concatenate([grads[k].ravel() for k in self.params])
        except (OverflowError, ZeroDivisionError, ValueError) as e:
            if isinstance(e, ValueError) and "math domain error" not in str(e):
                raise
            # The scalar backend's math.exp/log gave up on huge values: the run diverged.
            # Report it as a NaN loss (StepStats.diverged), leave the weights as they are,
            # and count the step so step numbers stay unique.
            self.step_num += 1
            return StepStats(
                step=self.step_num, loss=math.nan, grad_norm=math.nan, lr=lr_at(tr, step),
                ms=(time.perf_counter() - t0) * 1000.0, doc=docs[0], **extras,
            )
        grad_norm = math.sqrt(np.dot(g, g))
        clipped = tr.grad_clip is not None and grad_norm > tr.grad_clip
        lr_t = lr_at(tr, step)
        # Clipping scales g by grad_clip/norm; Adam applies that factor as it reads g.
        self._adam(g, lr_t, step, tr.grad_clip / grad_norm if clipped else 1.0)
        self.step_num += 1
        val_loss = None
        if tr.val_every and self.val_docs and self.step_num % tr.val_every == 0:
            try:
                val_loss = self.validate(check=self._check_stop)
            except StepCancelled:  # the update is done and counts; only its validation
                val_loss = None  # is skipped (a pause during a slow model's validation)
        return StepStats(
            step=self.step_num, loss=float(loss), grad_norm=grad_norm, lr=lr_t,
            ms=(time.perf_counter() - t0) * 1000.0, doc=docs[0], val_loss=val_loss,
            nodes=nodes, clipped=clipped, **extras,
        )

    @property
    def should_stop(self):
        """() -> bool or None. While it returns True, step() raises StepCancelled at its
        next safe point (between positions, layers or slices of the graph) and leaves the
        Trainer as it was: how the app pauses a model whose steps take seconds."""
        return getattr(self.backend, "should_stop", None)

    @should_stop.setter
    def should_stop(self, fn) -> None:
        self.backend.should_stop = fn

    def _check_stop(self) -> None:
        """StepCancelled if should_stop() says so: between the parts of a step."""
        stop_if_asked(self.should_stop)

    def _adam(self, g: np.ndarray, lr_t: float, step: int, g_scale: float = 1.0) -> None:
        """Adam(W) on the flat vectors; g: all gradients, state-dict order, each to be
        multiplied by g_scale (gradient clipping), which g itself is left without."""
        tr = self.config.train
        b1, b2 = tr.beta1, tr.beta2
        if tr.adam_running_product:
            self.b1_t *= b1
            self.b2_t *= b2
            c1, c2 = 1 - self.b1_t, 1 - self.b2_t
        else:
            c1, c2 = 1 - b1 ** (step + 1), 1 - b2 ** (step + 1)
        wd = tr.weight_decay
        p, m, v, tmp = self.params.flat, self.m.flat, self.v.flat, self._scratch
        if tmp.shape != p.shape:  # params were replaced by a different model's
            tmp = self._scratch = np.empty_like(p)
        # In place with one scratch vector: no allocation per step. Each line below is a
        # pass over ~N floats, the whole cost here, so constants are folded into scalars.
        m *= b1
        np.multiply(g, (1 - b1) * g_scale, out=tmp)
        m += tmp  # m = β1·m + (1-β1)·g
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= (1 - b2) * g_scale * g_scale
        v += tmp  # v = β2·v + (1-β2)·g²
        # p -= lr·(m̂/(√v̂ + eps) + wd·p) with m̂ = m/c1, v̂ = v/c2; the bias corrections
        # move out of the vectors: m̂/(√v̂ + eps) = (√c2/c1)·m/(√v + eps·√c2).
        sc2 = math.sqrt(c2)
        np.sqrt(v, out=tmp)
        tmp += tr.eps * sc2
        np.divide(m, tmp, out=tmp)
        tmp *= lr_t * sc2 / c1
        if wd:
            p *= 1 - lr_t * wd
        p -= tmp

    def validate(self, check=None) -> float:
        """Mean NLL over every position of the first val_docs validation docs. check():
        called before each document (it may raise to give up)."""
        docs = self.val_docs[: self.config.train.val_docs]
        loss = self.inference().mean_nll(docs, check) if docs else float("nan")
        self.last_val_loss = loss
        return loss

    def set_learning_rate(self, lr: float) -> None:
        """Change the base learning rate from the next step on (the schedule still applies)."""
        if not lr > 0 or not math.isfinite(lr):
            raise ValueError(f"learning rate must be a positive number, got {lr!r}")
        self.config.train.learning_rate = float(lr)

    # --- sampling (the seed's: uses and advances the training RNG) -------------------
    def sample(self, n: int | None = None, temperature=CONFIG, top_k=CONFIG, prefix: str = "",
               rng: random.Random | None = None) -> list[str]:
        n = self.config.train.num_samples if n is None else n
        return self.inference().sample(n, temperature, top_k, prefix,
                                       rng=self.rng if rng is None else rng)

    def next_token_probs(self, prefix: str = "", temperature=CONFIG, top_k=CONFIG):
        return self.inference().next_token_probs(prefix, temperature, top_k)

    def attention(self, doc: str):
        return self.inference().attention(doc)

    # --- checkpoints ---------------------------------------------------------------------
    def save(self, path, extra: dict | None = None) -> None:
        from .checkpoint import save_checkpoint

        save_checkpoint(self, path, extra)

    @classmethod
    def load(cls, path, dataset: Dataset | None = None) -> Trainer:
        from .checkpoint import load_checkpoint

        return load_checkpoint(path, dataset)
