"""Where `microgpt train` writes: --save and --jsonl checked before training starts, and
the --jsonl log (one JSON object per step) opened, or continued by a resumed run.

One idea: the run's output files. Kept apart from cli_train.py because continuing a log
takes care (a file that is not this run's log must be refused, never cut) that has
nothing to do with training itself.
"""

from __future__ import annotations

import json
import math
import os
import stat
import sys

from .cli_common import UsageError, check_writable
from .trainer import StepStats


def check_outputs(args) -> list[tuple[str, str]]:
    """(flag, path) of --save and --jsonl, each checked writable and not the other."""
    outputs = [(flag, path) for flag, path in (("--save", args.save), ("--jsonl", args.jsonl))
               if path]
    for flag, path in outputs:
        check_writable(flag, path)
    if len(outputs) == 2 and os.path.abspath(args.save) == os.path.abspath(args.jsonl):
        raise UsageError(f"--save and --jsonl are the same file ({args.save})")
    return outputs


def not_onto(outputs, path: str, what: str) -> None:
    """Refuse an output that would overwrite `path` (the training data, a checkpoint)."""
    for flag, out_path in outputs:
        if os.path.exists(out_path) and os.path.samefile(out_path, path):
            raise UsageError(f"{flag} {out_path}: that is {what}; choose another name")


def open_jsonl(args, resume: tuple[str, int] | None = None):
    """The --jsonl file, opened for writing (None without --jsonl). A new run starts it
    afresh. A resumed run, resume = (checkpoint, its step), continues an existing log
    (a regular file, not the standard output): its records up to the checkpoint's step
    stay as they are, later ones (the run went on after the save; those steps are
    redone) are cut off, and the new steps are appended, so the file ends up as the log
    of a run that never stopped. A file that is not such a log is refused, not cut."""
    path = args.jsonl
    if not path:
        return None
    keep = jsonl_kept(path, *resume) if resume and is_log_file(path) else None
    try:
        if keep is None:
            return open(path, "w", encoding="utf-8")  # noqa: SIM115
        f = open(path, "a", encoding="utf-8")  # noqa: SIM115 - opened first: a file
        f.truncate(keep[0])  # that cannot be written is not cut either
        if not keep[1]:  # the last kept record lacks its newline
            f.write("\n")
        return f
    except OSError as e:
        raise UsageError(f"--jsonl {path}: cannot write ({e.strerror})") from None


def is_log_file(path: str) -> bool:
    """An existing regular file that is not where standard output or error go (with
    --jsonl /dev/stdout > out.txt that is out.txt, holding the printed steps)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    for stream in (sys.stdout, sys.stderr):
        try:
            if os.path.samestat(st, os.fstat(stream.fileno())):
                return False
        except (OSError, ValueError, AttributeError):  # no file behind it (captured)
            pass
    return True


def jsonl_step(line: bytes) -> int | str:
    """The step of a --jsonl record, or what keeps the line from being one."""
    try:
        rec = json.loads(line)
    except ValueError:  # also a UnicodeDecodeError
        return "not JSON"
    if not isinstance(rec, dict) or "step" not in rec or "loss" not in rec:
        return "not a JSON object with a step and a loss"
    step = rec["step"]
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        return f"step {step!r} is not a whole number above 0"
    return step


def jsonl_kept(path: str, ckpt: str, step: int) -> tuple[int, bool]:
    """(bytes, ends with a newline) of the --jsonl log `path` that a run resumed at
    `step` keeps: everything up to its record of that step. The records must be a
    --jsonl log, one step after another, reaching `step`; else UsageError naming the
    line. A last line cut short (a run killed while writing it) is dropped."""
    keep, newline, last, line_no = 0, True, None, 0
    why = ("--resume continues a `microgpt train --jsonl` log and leaves any other file "
           "alone: give another file name")
    try:
        with open(path, "rb") as f:
            pos = 0
            for line in f:
                line_no += 1
                pos += len(line)
                if not line.strip():
                    continue
                got = jsonl_step(line)
                if isinstance(got, str):
                    if not line.endswith(b"\n") and last is not None:
                        break  # torn: a record whose writing was cut short
                    raise UsageError(f"--jsonl {path}, line {line_no}: not a step record "
                                     f"({got}); {why}")
                if last is not None and got != last + 1:
                    raise UsageError(f"--jsonl {path}, line {line_no}: step {got} follows "
                                     f"step {last}; {why}")
                last = got
                if got <= step:
                    keep, newline = pos, line.endswith(b"\n")
    except OSError as e:
        raise UsageError(f"--jsonl {path}: cannot read ({e.strerror})") from None
    if last is not None and last < step:
        raise UsageError(f"--jsonl {path}: its last record is step {last}, but {ckpt} is at "
                         f"step {step} (steps {last + 1}-{step} would be missing): give "
                         "this run's own log, or another file name")
    return keep, newline


def jsonl_record(s: StepStats) -> str:
    def num(x):  # JSON has no NaN/inf: a diverged value becomes null
        return x if x is None or math.isfinite(x) else None

    return json.dumps({"step": s.step, "loss": num(s.loss), "grad_norm": num(s.grad_norm),
                       "lr": s.lr, "ms": round(s.ms, 3), "doc": s.doc,
                       "val_loss": num(s.val_loss), "nodes": s.nodes}, ensure_ascii=False)
