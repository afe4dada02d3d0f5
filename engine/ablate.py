"""Ablations: the seed's 14 changes as named switches, variants built from them, and the
`microgpt ablate` command that trains each variant and prints a comparison table.

Switching a change *off* sets its flag(s) to Karpathy's original value. Those values are
read from the `original` preset rather than written out again here, so the two can never
drift apart. Every variant keeps the base preset's seed, so it starts from the same RNG
stream: the same document order and, where the parameter shapes are unchanged, the same
starting weights (switching weight tying off adds an lm_head after wpe, which shifts the
later draws).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass

from .config import PRESETS, ConfigError, RunConfig, preset

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


def _lookup(key: str) -> Change:
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
    for part, name in _lookup(key).fields:
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
    for part, field in _lookup(key).fields:
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


def describe(cfg: RunConfig) -> str:
    """What differs from the config's own preset, as a short label for the run list:
    'all 14 on' / 'off: a, b' for the seed, 'as Karpathy's' / 'on: a' for the original."""
    off = changes_off(cfg)
    if base_preset(cfg) == "optimized":
        return "all 14 on" if not off else "off: " + ", ".join(off)
    on = [c.key for c in CHANGES if c.fields and c.key not in off]
    return "as Karpathy's" if not on else "on: " + ", ".join(on)


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


def default_variants(base: RunConfig) -> list[tuple[str, list[str]]]:
    """The seed as is, each change that matters on this backend off alone, and all off."""
    relevant = (GRAPH, NUMBERS) if base.backend == "reference" else (NUMBERS,)
    keys = [c.key for c in CHANGES if c.matters in relevant and is_on(base, c.key)]
    out = [("base", [])] + [(f"-{k}", [k]) for k in keys]
    if len(keys) > 1:
        out.append(("all off", keys))
    return out


# What a change touches that the table does not measure (its row repeats the base's).
UNSEEN = {GRAPH: "the reference backend's graph", SAMPLING: "the generated names",
          OUTPUT: "what is printed"}


def unseen_note(name: str, keys: Iterable[str], backend: str) -> str | None:
    """A note for a variant none of whose changes can move this table's figures on this
    backend (so its row matching the base is expected, not a finding), else None."""
    keys = list(keys)
    kinds = {BY_KEY[k].matters for k in keys}
    if NUMBERS in kinds or (GRAPH in kinds and backend == "reference"):
        return None
    parts = [UNSEEN[k] for k in sorted(kinds) if k in UNSEEN]
    if not parts:
        return None
    why = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    hint = " (node counts need --backend reference)" if GRAPH in kinds else ""
    return f"note: {name} changes only {why}: the same losses as base are expected{hint}"


def _check_off(base: RunConfig, preset_name: str, key: str) -> None:
    """--off KEY must switch something off in base: a change with no switch, or one the
    preset already has off, would give a row that only looks like a measurement."""
    change = _lookup(key)
    if not change.fields:
        raise ConfigError(f"--off {key}: {change.title} has no switch: always on here")
    if not is_on(base, key):
        raise ConfigError(f"--off {key}: already off in the {preset_name} preset "
                          "(see --list)")


def format_table(results: list[VariantResult]) -> str:
    def num(x, fmt):
        return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, fmt)

    head = (f"{'variant':<24} {'train loss':>10} {'val loss':>9} {'nodes/step':>11} "
            f"{'ms/step':>9}")
    rows = [head, "-" * len(head)]
    for r in results:
        rows.append(f"{r.name:<24} {num(r.train_loss, '.4f'):>10} {num(r.val_loss, '.4f'):>9} "
                    f"{num(r.nodes, ',.0f'):>11} {num(r.ms, '.1f'):>9}")
    return "\n".join(rows)


# --- the `microgpt ablate` command ------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    from .cli_common import file_name

    p.add_argument("--preset", default="optimized", choices=PRESETS,
                   help="base preset (default: optimized)")
    p.add_argument("--backend", default="reference",
                   help="reference (node counts, slow) or numpy (default: reference)")
    p.add_argument("--steps", type=int, default=50, help="steps per variant (default: 50)")
    p.add_argument("--data", default=None, metavar="FILE", type=file_name,
                   help="UTF-8 text file, one document per line; 'bundled' (default: the "
                   "bundled names) or 'makemore' (Karpathy's names.txt, downloaded once)")
    p.add_argument("--off", action="append", default=None, metavar="A,B",
                   help="one variant with these changes off (repeatable); replaces the "
                   "default set of variants")
    p.add_argument("--n-embd", type=int, default=None,
                   help="embedding width (default: the preset's)")
    p.add_argument("--n-layer", type=int, default=None, help="layers (default: the preset's)")
    p.add_argument("--n-head", type=int, default=None, help="heads (default: the preset's)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default 42)")
    p.add_argument("--list", action="store_true", help="list the 14 changes and exit")


def list_changes() -> str:
    width = max(len(c.key) for c in CHANGES)
    return "\n".join(f"{c.key:<{width}}  [{c.matters:<8}] {c.line}" for c in CHANGES)


def run(args: argparse.Namespace, out=None) -> int:
    """Run the ablate command; errors become one-line messages and exit status 2."""
    from .cli_common import flag_names
    from .data import DataError, load_dataset
    from .trainer import split_docs

    out = out or sys.stdout
    if args.list:
        print(list_changes(), file=out)
        return 0
    try:
        overrides = {"backend": args.backend}
        for name in ("n_embd", "n_layer", "n_head", "seed"):
            if getattr(args, name) is not None:
                overrides[name] = getattr(args, name)
        base = preset(args.preset, **overrides)
        if args.steps <= 0:
            raise ConfigError(f"--steps must be a positive integer, got {args.steps}")
        base.train.num_steps = args.steps
        try:
            base.validate()
        except ConfigError as e:  # name the flag the user typed (--n-embd, not n_embd)
            raise ConfigError(flag_names(str(e), overrides)) from None
        if args.off:
            variants = [("base", [])]  # the seed as is: what every variant is compared with
            for spec in args.off:
                keys = [k.strip() for k in spec.split(",") if k.strip()]
                if not keys:
                    raise ConfigError(f"--off {spec!r} names no change (see --list)")
                for k in keys:
                    _check_off(base, args.preset, k)
                variants.append(("-" + ",".join(keys), keys))
        else:
            variants = default_variants(base)
        if args.data == "makemore":  # the CLI's cached, on-request download
            from .cli_common import load_data

            dataset = load_data(args.data, quiet=True)
        else:
            dataset = load_dataset(args.data) if args.data else load_dataset()
        try:  # the base has the largest validation split of all variants: check it now
            split_docs(dataset.docs, base.train.val_fraction)
        except DataError as e:
            raise DataError(f"{dataset.source}: {e}") from None
    except (ConfigError, DataError, OSError) as e:
        print(f"microgpt ablate: error: {e}", file=sys.stderr)
        return 2
    print(f"{args.preset} preset, {base.backend} backend, {args.steps} steps per variant, "
          f"{len(dataset.docs)} documents; train loss = mean of the last "
          f"{min(FINAL_WINDOW, args.steps)} steps", file=out)
    results = []
    t0 = time.perf_counter()
    for name, off in variants:
        try:
            results.append(run_variant(name, variant(base, off), dataset))
        except (ConfigError, DataError) as e:
            print(f"microgpt ablate: {name}: {e}", file=sys.stderr)
            return 2
        print(f"  {name}: done ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    print(format_table(results), file=out)
    for r in results:
        if r.error:
            print(f"note: {r.name} {r.error}", file=out)
    for name, off in variants[1:]:
        note = unseen_note(name, off, base.backend)
        if note:
            print(note, file=out)
    if len(variants) == 1:
        print(f"note: no change that shows in this table is on in the {args.preset} preset: "
              "nothing to switch off", file=out)
    return 0


def main(argv=None) -> int:
    """Stand-alone entry (`python -m engine.ablate`); the CLI registers `ablate` too."""
    parser = argparse.ArgumentParser(prog="microgpt ablate",
                                     description="Train variants of the seed with some of its "
                                     "14 changes switched off and compare them.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
