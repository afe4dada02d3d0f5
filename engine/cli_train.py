"""`microgpt train` and `microgpt train --resume CKPT`: train (or continue) a model,
printing the seed script's console format, then sample.

The flags, the run (new or resumed) and the step loop live here; the output files
(--save/--jsonl checks, the --jsonl log) in cli_outputs.py.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys

import numpy as np

from .baselines import baselines
from .checkpoint import (
    CheckpointDataError,
    CheckpointError,
    checkpoint_config,
    load_checkpoint,
    read_checkpoint,
)
from .cli_common import (
    EXIT_INTERRUPTED,
    FLAGS,
    UsageError,
    add_sampling_arguments,
    file_name,
    flag_names,
    load_data,
    out,
    print_samples,
    sampling_settings,
)
from .cli_outputs import check_outputs, jsonl_record, not_onto, open_jsonl
from .config import PRESETS, ConfigError, preset
from .data import DataError
from .trainer import StepStats, Trainer

# --- train ------------------------------------------------------------------------------


def add_train_arguments(p: argparse.ArgumentParser) -> None:
    # --data, --preset and --backend default to None (= bundled, optimized, numpy), so
    # that --resume can tell a flag that was given from its default.
    p.add_argument("--data", metavar="FILE", type=file_name,
                   help="UTF-8 text file, one document per line; 'bundled' (default: the "
                   "bundled names) or 'makemore' (Karpathy's names.txt, downloaded once)")
    p.add_argument("--preset", choices=PRESETS,
                   help="optimized (the seed, default) or original (Karpathy's script)")
    p.add_argument("--steps", type=int, metavar="N",
                   help="training steps (preset: 500 / 1000)")
    p.add_argument("--val-every", type=int, metavar="N",
                   help="validate every N steps, 0 = never (preset: 100 / never)")
    p.add_argument("--backend", metavar="numpy|reference",
                   help="numpy (default, fast) or reference (scalar autograd, slow)")
    p.add_argument("--seed", type=int, metavar="N", help="random seed (default 42)")
    add_sampling_arguments(p)
    for flag, kind, what in (("--n-embd", int, "embedding width"), ("--n-head", int, "heads"),
                             ("--n-layer", int, "layers"), ("--block-size", int, "context"),
                             ("--batch-size", int, "documents per step"),
                             ("--lr", float, "learning rate")):
        p.add_argument(flag, type=kind, metavar="LR" if flag == "--lr" else "N",
                       help=f"{what} (default: the preset's)")
    p.add_argument("--resume", metavar="CKPT", type=file_name,
                   help="continue the run saved in CKPT (by --save or the app) with the "
                   "same numbers as if it had never stopped; --steps N sets a new total; "
                   "flags that would change the model (--preset, --seed, sizes, "
                   "--batch-size) are refused; --data must name the same documents")
    p.add_argument("--save", metavar="CKPT", type=file_name,
                   help="save a checkpoint (.npz) at the end")
    p.add_argument("--jsonl", metavar="FILE", type=file_name,
                   help="write one JSON object per step; with --resume an existing FILE "
                   "(this run's log) keeps its steps up to the checkpoint's and continues")
    p.add_argument("--quiet", action="store_true",
                   help="print only the steps where validation ran, and the last one")


def run_config(args):
    overrides = {"backend": args.backend or "numpy"}
    for key, flag in FLAGS.items():
        value = getattr(args, flag[2:].replace("-", "_"))
        if value is not None:
            overrides[key] = value
    lr = overrides.get("learning_rate")
    if lr is not None and not math.isfinite(lr):
        raise UsageError(f"--lr must be a finite number > 0, got {lr}")
    try:
        cfg = preset(args.preset or "optimized", **overrides)
        cfg.train.validate()
        cfg.model.validate()
    except ConfigError as e:
        raise ConfigError(flag_names(str(e), overrides)) from None
    return cfg


def step_line(s: StepStats, num_steps: int, timing: bool) -> str:
    line = f"step {s.step:4d}/ {num_steps} | loss {s.loss:.4f}"
    if timing:
        line += f" | {s.ms:.0f}ms" if s.ms >= 10 else f" | {s.ms:.1f}ms"
    return line


class StopFlag:
    """First Ctrl+C asks training to stop after the current step (weights stay
    consistent, so a checkpoint can be saved); a second one interrupts at once."""

    def __init__(self):
        self.stop = False
        self.previous = None

    def __enter__(self):
        try:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: Ctrl+C is not ours to handle
            self.previous = None
        return self

    def _handle(self, signum, frame):
        if self.stop:
            raise KeyboardInterrupt
        self.stop = True

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def run_train(args) -> int:
    if args.resume:
        return run_resume(args)
    cfg = run_config(args)
    n_samples, temperature, top_k = sampling_settings(args, cfg)
    data = args.data or "bundled"
    outputs = check_outputs(args)
    data_file = data not in ("bundled", "makemore") and os.path.isfile(data)
    if data_file:
        not_onto(outputs, data, "the --data file")
    dataset = load_data(data, args.quiet)
    try:
        trainer = Trainer(cfg, dataset)
    except DataError as e:  # e.g. too few documents to split: say which file
        if dataset.source in str(e):
            raise
        raise DataError(f"{dataset.source}: {e}") from None
    jsonl = open_jsonl(args)
    if not args.quiet:  # only now: an error above must be the only thing printed
        print(f"data: {dataset.name}: {dataset.summary()}", file=sys.stderr)
    if args.val_every and not trainer.val_docs:
        print(f"microgpt: note: --val-every {args.val_every} has no effect: the "
              f"{args.preset or 'optimized'} preset holds back no validation documents",
              file=sys.stderr)
    split = f" (train {len(trainer.train_docs)}, val {len(trainer.val_docs)})" \
        if trainer.val_docs else ""
    out(f"num docs: {len(trainer.docs)}{split}")
    out(f"vocab size: {trainer.tokenizer.vocab_size}")
    out(f"num params: {trainer.num_params}")
    return train_loop(args, trainer, (n_samples, temperature, top_k), jsonl)


def train_loop(args, trainer, sampling, jsonl) -> int:
    """Train to trainer.config.train.num_steps from wherever the trainer is, printing the
    seed's step lines, then save and sample: the shared end of a new and a resumed run.
    jsonl: the open --jsonl file or None (closed here)."""
    n_samples, temperature, top_k = sampling
    tr = trainer.config.train
    stopped = diverged = False
    # A diverging run's inf/NaN is reported once, below; NumPy's warnings about it
    # ("overflow encountered in multiply", with source lines) would only confuse.
    try:
        with StopFlag() as flag, np.errstate(all="ignore"):
            while not trainer.done and not flag.stop:
                s = trainer.step()
                last = trainer.done or flag.stop or s.diverged
                if not args.quiet or s.val_loss is not None or last:
                    out(step_line(s, tr.num_steps, tr.timing))
                if s.val_loss is not None:
                    out(f"  val loss: {s.val_loss:.4f}")
                if jsonl:
                    jsonl.write(jsonl_record(s) + "\n")
                if s.diverged:
                    diverged = True
                    break
            stopped = flag.stop
    finally:
        if jsonl:
            jsonl.close()
    if args.save:
        try:
            trainer.save(args.save)
        except CheckpointError as e:
            raise CheckpointError(f"--save: {e} (training ran to step {trainer.step_num}, "
                                  "but nothing was saved)") from None
        if not args.quiet:
            print(f"saved checkpoint at step {trainer.step_num}: {args.save}", file=sys.stderr)
    if stopped:
        print(f"microgpt: interrupted at step {trainer.step_num}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if diverged:
        print(f"microgpt: training diverged at step {trainer.step_num} (the loss or the "
              "gradient became infinite or NaN); try a lower --lr", file=sys.stderr)
        return 1
    if not args.quiet and trainer.last_val_loss is not None:
        print(scale_line(trainer), file=sys.stderr)
    print_samples(trainer.sample(n_samples, temperature, top_k))
    return 0


def scale_line(trainer) -> str:
    """What the validation loss compares with (engine/baselines.py), for stderr."""
    b = baselines(trainer)
    return (f"for scale, on the same validation documents: guessing {b.guessing:.4f}, "
            f"letter pairs {b.bigram:.4f} (a bigram table counted from {b.counted_docs:,} "
            f"training documents); this run: {trainer.last_val_loss:.4f}")


# --- train --resume -------------------------------------------------------------------

# Settings a resumed run keeps: they make the model (its shape), the shuffle, split and
# starting weights (seed) or which documents each step reads (batch size). A flag may
# only repeat the checkpoint's value. The recipe's live parts (--steps, --lr,
# --val-every, as the window changes them without a Reset) and the backend (the same
# numbers, computed another way) may change.
RESUME_FIXED = ("n_embd", "n_head", "n_layer", "block_size", "batch_size", "seed")


def run_resume(args) -> int:
    """train --resume CKPT: continue a saved run where it stopped. With the checkpoint's own
    settings the steps, validation losses and samples are those of a run that never
    stopped; the output continues from the checkpoint's step."""
    path = args.resume
    if args.preset is not None:
        raise UsageError("--preset cannot be combined with --resume: the checkpoint keeps "
                         "its own settings (leave out --preset)")
    meta, _ = read_checkpoint(path, arrays=False)  # the settings, before anything big
    cfg = checkpoint_config(path, meta)
    step = meta.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise CheckpointError(f"{path}: corrupt training state in checkpoint (step "
                              f"{step!r})")
    for key in RESUME_FIXED:
        flag = FLAGS[key]
        value = getattr(args, flag[2:].replace("-", "_"))
        have = getattr(cfg.model if hasattr(cfg.model, key) else cfg.train, key)
        if value is not None and value != have:
            raise UsageError(f"{flag} {value} cannot change a resumed run: {path} was "
                             f"trained with {flag} {have} (leave out {flag})")
    wanted = cfg.copy()  # the recipe from here on
    given = {}
    if args.steps is not None:
        given["num_steps"] = args.steps
    if args.val_every is not None:
        given["val_every"] = args.val_every
    if args.lr is not None:
        if not math.isfinite(args.lr):
            raise UsageError(f"--lr must be a finite number > 0, got {args.lr}")
        given["learning_rate"] = args.lr
    for key, value in given.items():
        setattr(wanted.train, key, value)
    if args.backend is not None:
        wanted.backend = args.backend
    try:
        wanted.validate()
    except ConfigError as e:
        raise ConfigError(flag_names(str(e), given)) from None
    total = wanted.train.num_steps
    if total <= step:
        if args.steps is not None:
            raise UsageError(f"--steps {total}: {path} is already at step {step}; give a "
                             f"total above {step} to train further")
        raise UsageError(f"{path}: this run is complete (step {step} of {total}); give "
                         f"--steps N above {step} to train it further")
    sampling = sampling_settings(args, wanted)
    outputs = check_outputs(args)
    not_onto([o for o in outputs if o[0] == "--jsonl"], path, "the --resume checkpoint")
    if args.data is not None and args.data not in ("bundled", "makemore") \
            and os.path.isfile(args.data):
        not_onto(outputs, args.data, "the --data file")
    dataset = load_data(args.data, args.quiet) if args.data is not None else None
    try:
        trainer = load_checkpoint(path, dataset, backend=args.backend)
    except CheckpointDataError as e:
        hint = (f"--data {args.data} is not the data it was trained on" if dataset else
                "give the same documents with --data FILE")
        raise CheckpointDataError(f"{e}; {hint}") from None
    if dataset is None and os.path.isfile(trainer.dataset.source):
        not_onto(outputs, trainer.dataset.source, "this checkpoint's training data")
    for key, value in given.items():  # as the window's live changes: from the next step
        setattr(trainer.config.train, key, value)
    jsonl = open_jsonl(args, resume=(path, step))
    if not args.quiet:
        ds = trainer.dataset
        print(f"data: {ds.name}: {ds.summary()}", file=sys.stderr)
        print(f"resuming {path} at step {trainer.step_num} of {total}", file=sys.stderr)
    if args.val_every and not trainer.val_docs:
        print(f"microgpt: note: --val-every {args.val_every} has no effect: this run "
              "holds back no validation documents", file=sys.stderr)
    return train_loop(args, trainer, sampling, jsonl)
