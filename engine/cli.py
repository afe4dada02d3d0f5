"""The `microgpt` command: headless training and sampling, printing the seed's console
format.

    microgpt train  [--data FILE|makemore|bundled] [--preset P] [--steps N] ... [--save CKPT]
    microgpt train  --resume CKPT [--steps N] [--lr LR] [--save CKPT] ...
    microgpt sample --checkpoint CKPT [--samples N] [--temperature T] [--top-k K] ...

Subcommands come from COMMANDS (defined here; `train` lives in cli_train.py, what the
commands share in cli_common.py) and MODULE_COMMANDS (a module of their own that provides
add_arguments(parser) and run(args) -> exit code); add one by appending.

Bad input of any kind is one line, `microgpt: error: ...`, and exit status 2, never a
traceback. Ctrl+C stops training after the current step (saving if --save was given)
and exits with 130.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass

from . import __version__
from .checkpoint import CheckpointError, load_inference
from .cli_common import (
    EXIT_INTERRUPTED,
    UsageError,
    add_sampling_arguments,
    fail,
    file_name,
    print_samples,
    sampling_settings,
)
from .cli_train import add_train_arguments, run_train
from .config import ConfigError
from .data import DataError
from .sampling import prefix_problem


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (argparse prints the whole usage first)."""

    def error(self, message):
        fail(f"{message} (see '{self.prog} --help')")


# --- sample -----------------------------------------------------------------------------


def add_sample_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--checkpoint", required=True, metavar="CKPT", type=file_name,
                   help="a saved .npz")
    add_sampling_arguments(p, "the checkpoint's own", "the checkpoint's own")
    p.add_argument("--prefix", default="", metavar="P",
                   help="every name starts with these letters")
    p.add_argument("--seed", type=int, metavar="N",
                   help="random seed (default: the checkpoint's own RNG as it was saved, "
                   "so the names are the ones `train --save` printed after saving it)")


def run_sample(args) -> int:
    # The checkpoint holds the weights, vocabulary and settings: sampling never needs the
    # training data (which may have moved since).
    model, rng = load_inference(args.checkpoint)
    n, temperature, top_k = sampling_settings(args, model.cfg)
    # The sampling panel's words: unknown characters named (visibly), the case hint,
    # a prefix that fills the context.
    problem = prefix_problem(args.prefix, model.tokenizer.chars, model.cfg.model.block_size)
    if problem:
        raise UsageError(f"--prefix {args.prefix!r}: {problem}")
    if args.seed is not None:
        rng = random.Random(args.seed)
    print_samples(model.sample(n, temperature, top_k, args.prefix, rng=rng))
    return 0


# --- the command table ----------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS = [
    Command("train", "train a model, print progress in the seed's format, then sample",
            add_train_arguments, run_train),
    Command("sample", "generate names from a saved checkpoint", add_sample_arguments,
            run_sample),
]
# (name, module, help): the module provides add_arguments(parser) and run(args) -> int.
MODULE_COMMANDS = [
    ("ablate", "engine.cli_ablate", "train variants with some of the seed's changes switched "
     "off and compare them"),
]


def all_commands() -> list[Command]:
    commands = list(COMMANDS)
    for name, module_name, help_text in MODULE_COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name != module_name:  # the module exists but is broken: show it
                raise
            continue  # not in this build
        commands.append(Command(name, help_text, module.add_arguments, module.run))
    return commands


def build_parser() -> Parser:
    parser = Parser(prog="microgpt", description="Train and sample a tiny character-level "
                    "GPT (microgpt) from the command line.")
    parser.add_argument("--version", action="version", version=f"microgpt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for c in all_commands():
        p = sub.add_parser(c.name, help=c.help, description=c.help)
        c.add_arguments(p)
        p.set_defaults(run=c.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    # A character the output's encoding lacks (a Chinese name printed to a file on Windows,
    # whose redirected output is in the locale's cp1252) is written as \uXXXX, as Python's
    # stderr always does, instead of a UnicodeEncodeError traceback after the whole run.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, ConfigError, DataError, CheckpointError) as e:
        fail(str(e).replace("\n", " "))
    except MemoryError:  # e.g. --batch-size 10000000: numpy cannot allocate the batch
        fail("out of memory: the model or the batch is too big for this machine (try a "
             "smaller --batch-size, --n-embd, --n-layer or --block-size)")
    except KeyboardInterrupt:
        print("microgpt: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `microgpt train | head`: the reader left, that is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
