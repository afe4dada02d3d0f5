"""`microgpt ablate`: train the seed and variants of it with some of its 14 changes
switched off, and print a comparison table.

The changes themselves (switches, variants, running one) live in ablate.py, which the app
imports too; this module is only the command around them: its flags, which variants it
runs by default, the checks on --off, the table and the notes under it.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterable

from .ablate import (
    BY_KEY,
    CHANGES,
    FINAL_WINDOW,
    GRAPH,
    NUMBERS,
    OUTPUT,
    SAMPLING,
    VariantResult,
    is_on,
    lookup,
    run_variant,
    variant,
)
from .cli_common import file_name, flag_names, load_data
from .config import PRESETS, ConfigError, RunConfig, preset
from .data import DataError, load_dataset
from .trainer import split_docs


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
    change = lookup(key)
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


def add_arguments(p: argparse.ArgumentParser) -> None:
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
    """Stand-alone entry (`python -m engine.cli_ablate`); the CLI registers `ablate` too."""
    parser = argparse.ArgumentParser(prog="microgpt ablate",
                                     description="Train variants of the seed with some of its "
                                     "14 changes switched off and compare them.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
