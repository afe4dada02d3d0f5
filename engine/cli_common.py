"""What the `microgpt` subcommands share: exit codes, one-line errors, output, the
sampling flags, reading the data (bundled, a file, or the makemore download) and checking
output paths before any work is done."""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tempfile
from pathlib import Path

from .data import DataError, load_dataset

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl+C
MIN_TEMPERATURE = 1e-3  # below ~1e-300 logits / T overflow; far below this it is argmax


class UsageError(Exception):
    """Bad command-line input found after parsing."""


def fail(message: str) -> None:
    print(f"microgpt: error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def file_name(value: str) -> str:
    """argparse type of every FILE/CKPT flag: an empty name (e.g. --save "$CKPT" with CKPT
    unset) is an error. It was taken as no file at all: --save and --jsonl silently wrote
    nothing, --data trained on the bundled names, --resume/--checkpoint read the folder."""
    if not value:
        raise argparse.ArgumentTypeError("needs a file name, got ''")
    return value


def out(line: str = "") -> None:
    print(line, flush=True)  # flushed: people watch it live, often through a pipe


def add_sampling_arguments(p: argparse.ArgumentParser,
                           temperature: str = "the preset's, 0.6 / 0.5",
                           top_k: str = "the preset's, 5 / off") -> None:
    """temperature, top_k: where their values come from when the flags are not given."""
    p.add_argument("--samples", type=int, metavar="N", help="names to generate (default 20)")
    p.add_argument("--temperature", type=float, metavar="T",
                   help=f"sampling temperature (default: {temperature})")
    p.add_argument("--top-k", type=int, metavar="K",
                   help=f"sample among the K likeliest; 0 = off (default: {top_k})")


def sampling_settings(args, cfg) -> tuple[int, float, int | None]:
    n = cfg.train.num_samples if args.samples is None else args.samples
    t = cfg.train.temperature if args.temperature is None else args.temperature
    k = cfg.train.top_k if args.top_k is None else (args.top_k or None)
    if n < 0:
        raise UsageError(f"--samples must be >= 0, got {n}")
    if not (t > 0 and math.isfinite(t)):
        raise UsageError(f"--temperature must be a positive number, got {t}")
    if t < MIN_TEMPERATURE:  # logits / t overflow to inf, and the draw fails
        raise UsageError(f"--temperature {t} is too small (at least {MIN_TEMPERATURE}; for "
                         "always the likeliest letter use --top-k 1)")
    if k is not None and k < 0:
        raise UsageError(f"--top-k must be >= 0 (0 = off), got {k}")
    return n, t, k


# Config field -> the flag that sets it, so an error names what the user typed.
FLAGS = {"num_steps": "--steps", "val_every": "--val-every", "seed": "--seed",
         "n_embd": "--n-embd", "n_head": "--n-head", "n_layer": "--n-layer",
         "block_size": "--block-size", "batch_size": "--batch-size", "learning_rate": "--lr"}


def flag_names(message: str, given) -> str:
    """A ConfigError about settings the user gave as flags, in the flags' names:
    'num_steps must be a positive integer, got 0' -> '--steps must be ...'."""
    names = [k for k in FLAGS if k in given]
    if not names:
        return message
    return re.sub(r"\b(" + "|".join(names) + r")\b", lambda m: FLAGS[m.group(1)], message)


def check_writable(flag: str, path: str) -> None:
    """Refuse an output path before training, not after: a missing or read-only folder
    must not cost the user the run."""
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{flag} {path}: is a directory, need a file name")
    if p.exists():  # an existing file (or /dev/stdout): it must be writable itself
        if not os.access(p, os.W_OK):
            raise UsageError(f"{flag} {path}: the file is read-only")
        return
    folder = p.parent
    if not folder.is_dir():
        raise UsageError(f"{flag} {path}: no such folder" if not folder.exists()
                         else f"{flag} {path}: {folder.name} is a file, not a folder")
    try:  # a real write, not os.access(): that says yes to root, and to /proc
        with tempfile.TemporaryFile(dir=folder, prefix=".microgpt-probe-"):
            pass
    except OSError as e:
        raise UsageError(f"{flag} {path}: cannot write there ({e.strerror or e})") from None


def load_data(source: str, quiet: bool):
    if source == "makemore":
        from .download import ensure_makemore, is_cached

        if not is_cached() and not quiet:
            print("downloading Karpathy's makemore names.txt (once) ...", file=sys.stderr)
        path = str(ensure_makemore(progress=None if quiet else DownloadProgress()))
        try:
            return load_dataset(path)
        except DataError as e:  # the cached copy was damaged after it was downloaded
            raise DataError(f"{e} (the cached makemore download: delete it to fetch it "
                            "again)") from None
    return load_dataset(source)


class DownloadProgress:
    """Download progress on stderr as a few whole lines (no \\r: logs stay readable)."""

    def __init__(self):
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        quarter = 4 * done // total
        if quarter > self.shown:
            self.shown = quarter
            print(f"  {25 * quarter:3d}% of {total / 1024:.0f} kB", file=sys.stderr)


def print_samples(names: list[str]) -> None:
    out("--- inference ---")
    for i, name in enumerate(names, 1):
        out(f"sample {i:2d}: {name}")
