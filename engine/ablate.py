"""Ablations: the seed's 14 changes as named switches, variants built from them, and
running a variant to a summary (the app's explorer and run list use the switches too).
The `microgpt ablate` command that trains variants and prints a comparison table is
cli_ablate.py.

Switching a change *off* sets its flag(s) to Karpathy's original value. Those values are
read from the `original` preset rather than written out again here, so the two can never
drift apart. Every variant keeps the base preset's seed, so it starts from the same RNG
stream: the same document order and, where the parameter shapes are unchanged, the same
starting weights (switching weight tying off adds an lm_head after wpe, which shifts the
later draws).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from .config import ConfigError, RunConfig, preset

# Where a change shows up: it decides whether an ablation is worth running on a backend.
GRAPH = "graph"  # reference backend's Value graph only (node count, recursion); same numbers
NUMBERS = "numbers"  # the training numbers (loss curve), on every backend
SAMPLING = "sampling"  # generated names only
OUTPUT = "output"  # what gets printed / shown, not the model
NONE = "none"  # nothing observable in this engine


@dataclass(frozen=True)
class Change:
    key: str  # short identifier, used on the command line and in run records
    title: str  # the row of the seed's "What's Changed" table
    line: str  # one line on what it does, for people
    fields: tuple[tuple[str, str], ...]  # (part, field) pairs: part is "model" or "train"
    matters: str  # GRAPH / NUMBERS / SAMPLING / OUTPUT / NONE


CHANGES: tuple[Change, ...] = (
    Change("div_op", "Direct __truediv__",
           "a / b is one graph node instead of a * b**-1 (two): fewer nodes per step",
           (("train", "div_op"),), GRAPH),
    Change("fused_ce", "Fused cross_entropy",
           "loss = log-sum-exp of shifted logits − target logit: no softmax nodes, stabler",
           (("train", "fused_ce"),), GRAPH),
    Change("iterative_topo", "Iterative topological sort",
           "backward() sorts the graph with a loop, so deep graphs never hit the recursion limit",
           (("train", "iterative_topo"),), GRAPH),
    Change("sum_from_first", "sum(losses[1:], losses[0])",
           "sums the losses starting from the first one: no phantom Value(0) node",
           (("train", "sum_from_first"),), GRAPH),
    Change("adam_running_product", "Adam β running product",
           "bias correction by b1 *= β1 each step instead of β1**(step+1)",
           (("train", "adam_running_product"),), NUMBERS),
    Change("with_open", "with open() file handle",
           "the data file is closed properly; always on here (no effect on training)",
           (), NONE),
    Change("weight_tying", "Weight tying (wte = lm_head)",
           "the output layer reuses the token embeddings: fewer parameters",
           (("model", "weight_tying"),), NUMBERS),
    Change("lr_schedule", "Cosine LR schedule",
           "learning rate follows half a cosine to 0 instead of a straight line",
           (("train", "lr_schedule"),), NUMBERS),
    Change("val_split", "Train/val split (90/10)",
           "holds back 10% of the documents to measure overfitting (off: all docs train)",
           (("train", "val_fraction"),), NUMBERS),
    Change("val_every", "Periodic validation",
           "every 100 steps, the mean loss on held-out documents",
           (("train", "val_every"),), OUTPUT),
    Change("grad_clip", "Gradient clipping (global norm)",
           "if the gradient's global norm exceeds 1, scale it down to 1",
           (("train", "grad_clip"),), NUMBERS),
    Change("weight_decay", "AdamW weight decay",
           "every step shrinks the weights a little (decoupled, 1e-4)",
           (("train", "weight_decay"),), NUMBERS),
    Change("top_k", "Top-k sampling (k=5)",
           "names are drawn from the 5 likeliest characters only",
           (("train", "top_k"),), SAMPLING),
    Change("timing", "Per-step timing",
           "reports the wall time of every step in ms",
           (("train", "timing"),), OUTPUT),
)

BY_KEY = {c.key: c for c in CHANGES}


def _part(cfg: RunConfig, part: str):
    return cfg.model if part == "model" else cfg.train


def _value(cfg: RunConfig, part: str, field: str):
    return getattr(_part(cfg, part), field)


def lookup(key: str) -> Change:
    try:
        return BY_KEY[key]
    except KeyError:
        raise ConfigError(
            f"unknown change {key!r} (choose from {', '.join(BY_KEY)})"
        ) from None


def is_on(cfg: RunConfig, key: str) -> bool:
    """The change is in effect. Switches (bools, the schedule's name) must have the seed's
    value; a number only has to differ from Karpathy's original, so validating every 2
    steps or clipping at 0.5 still counts as the change being on."""
    seed, orig = preset("optimized"), preset("original")
    for part, name in lookup(key).fields:
        value = _value(cfg, part, name)
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        original = _value(orig, part, name)
        if numeric or (value is not None and original is None):
            if value == original:
                return False
        elif value != _value(seed, part, name):
            return False
    return True


def set_change(cfg: RunConfig, key: str, on: bool) -> None:
    """Switch one change in place: on = the seed's value, off = Karpathy's original."""
    source = preset("optimized" if on else "original")
    for part, field in lookup(key).fields:
        setattr(_part(cfg, part), field, _value(source, part, field))


def variant(base: RunConfig, off: Iterable[str] = ()) -> RunConfig:
    """A copy of base with the named changes switched off (same seed, same sizes)."""
    cfg = base.copy()
    for key in off:
        set_change(cfg, key, False)
    return cfg


def changes_off(cfg: RunConfig) -> list[str]:
    """Keys of the changes (with flags) that are not in effect in cfg."""
    return [c.key for c in CHANGES if c.fields and not is_on(cfg, c.key)]


def base_preset(cfg: RunConfig) -> str:
    """Which preset a config was built from. The vocabulary layout is a preset difference
    that no change touches, so it tells them apart whatever was switched."""
    return "optimized" if cfg.model.bos_first else "original"


def describe(cfg: RunConfig, titles: bool = False) -> str:
    """What differs from the config's own preset, as a short label for the run list:
    'all 14 on' / 'off: a, b' for the seed, 'as Karpathy's' / 'on: a' for the original.
    The changes by key, or with titles=True by their titles (for people: the window)."""
    off = changes_off(cfg)
    name = (lambda key: BY_KEY[key].title) if titles else (lambda key: key)
    if base_preset(cfg) == "optimized":
        return "all 14 on" if not off else "off: " + ", ".join(map(name, off))
    on = [c.key for c in CHANGES if c.fields and c.key not in off]
    return "as Karpathy's" if not on else "on: " + ", ".join(map(name, on))


# --- running variants -------------------------------------------------------------------

FINAL_WINDOW = 20  # single-document losses are noisy: "final" = mean of the last 20 steps


@dataclass
class VariantResult:
    name: str
    train_loss: float
    val_loss: float | None
    nodes: float | None  # mean graph nodes per step (reference backend), else None
    ms: float  # mean wall ms per step
    steps: int
    error: str | None = None  # why the variant stopped early (e.g. the recursion limit)


def run_variant(name: str, cfg: RunConfig, dataset, steps: int | None = None,
                on_step=None) -> VariantResult:
    """Train cfg for `steps` (default: its num_steps) and summarise the run."""
    from .trainer import Trainer  # local: keeps `import engine.ablate` light

    if steps is not None:
        cfg = cfg.copy()
        cfg.train.num_steps = steps
    trainer = Trainer(cfg, dataset)
    losses, nodes, ms = [], [], []
    error = None
    while not trainer.done:
        try:
            s = trainer.step()
        except RuntimeError as e:  # -iterative_topo on a deep graph: the recursion limit
            error = f"stopped at step {trainer.step_num + 1}: {e}"  # is the finding
            break
        losses.append(s.loss)
        ms.append(s.ms)
        if s.nodes is not None:
            nodes.append(s.nodes)
        if on_step is not None:
            on_step(s)
    tail = losses[-FINAL_WINDOW:]
    val = trainer.validate() if trainer.val_docs and error is None else None
    return VariantResult(
        name=name,
        train_loss=sum(tail) / len(tail) if tail else math.nan,
        val_loss=val,
        nodes=sum(nodes) / len(nodes) if nodes else None,
        ms=sum(ms) / len(ms) if ms else math.nan,
        steps=trainer.step_num,
        error=error,
    )


if __name__ == "__main__":  # `python -m engine.ablate` ran the command before it moved
    from .cli_ablate import main

    sys.exit(main())
