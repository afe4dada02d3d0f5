"""Bounded memory for the run list: how many finished runs are kept, and how long each.

Qt-free. record_from_history() builds a run's record from its History. Every run the
Runs panel keeps goes through bounded(): a run longer than MAX_ROWS rows is folded into
bucket rows, so a finished run costs about the same whatever its length (a 1M-step run's
raw curves were ~34 MiB; kept, ~0.4 MiB). to_drop() picks which runs go when more than
MAX_RUNS are kept: the oldest unticked first.

How a bucket of consecutive rows becomes one row:
    step       its last step            lr   its last value
    loss, ms   mean of the finite ones  val_loss  mean of the finite ones (NaN if none)
    grad_norm  the largest (a spike stays visible; inf stays inf)
The mean, not min/max, for the loss: the overlay is a smoothed loss, and smoothing
alternating minima and maxima would draw the middle of the spread, which for a skewed
per-document loss sits above the mean and would misplace the run against the live one.
The rows from the TAIL-th last training loss and from the last validation point on are
kept as they are, so the table's final train and validation losses and the step count do
not change.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from engine.ablate import base_preset, describe
from engine.run_record import CURVE_COLUMNS, RunRecord

MAX_RUNS = 8  # finished runs kept in the list
MAX_ROWS = 2000  # rows per kept run
TAIL = 20  # last rows kept exactly (runs_panel.FINAL_WINDOW: the table's final loss)


def record_from_history(history, info, name: str) -> RunRecord:
    """A RunRecord of a History (the GUI's bounded curves) and its RunInfo. Validation
    points whose step was thinned out of the curves get a row of their own."""
    cols = {c: history.array(c).astype(float) for c in ("step", "loss", "grad_norm", "lr",
                                                         "ms")}
    val = dict(zip(history.val_steps, history.val_losses, strict=True))
    steps = cols["step"].astype(int).tolist()
    extra = sorted(set(val) - set(steps))
    rows = sorted([(s, i) for i, s in enumerate(steps)] + [(s, None) for s in extra])
    rec = RunRecord(name, preset="", changes="")
    if info is not None:
        rec.preset = base_preset(info.config)
        rec.changes = describe(info.config)
        rec.config = info.config.to_dict()
    for s, i in rows:
        rec.curves["step"].append(float(s))
        rec.curves["val_loss"].append(float(val.get(s, math.nan)))
        for c in ("loss", "grad_norm", "lr", "ms"):
            rec.curves[c].append(float(cols[c][i]) if i is not None else math.nan)
    rec.seconds = history.total_ms / 1000.0
    return rec


def smoothed(loss: np.ndarray, a: float = 0.9) -> np.ndarray:
    """Debiased EMA, NaN-tolerant (the same smoothing the curves panel shows)."""
    out = np.full(len(loss), np.nan)
    ema = weight = 0.0
    for i, x in enumerate(loss):
        if math.isfinite(x):
            ema = a * ema + (1 - a) * x
            weight = a * weight + (1 - a)
        if weight:
            out[i] = ema / weight
    return out


def row_count(rec: RunRecord) -> int:
    return len(rec.curves["step"])


def bounded(rec: RunRecord, max_rows: int = MAX_ROWS, tail: int = TAIL) -> RunRecord:
    """rec itself if it has at most max_rows rows, else a copy folded to max_rows."""
    n = row_count(rec)
    if n <= max_rows:
        return rec
    cols = {c: rec.array(c) for c in CURVE_COLUMNS}
    # Exact tail: the last `tail` finite losses and the last validation point (within a
    # quarter of the rows; the rest is folded).
    start = n - tail
    for col, count in (("loss", tail), ("val_loss", 1)):
        finite = np.flatnonzero(np.isfinite(cols[col]))
        if len(finite):
            start = min(start, int(finite[-min(count, len(finite))]))
    start = max(start, n - max_rows // 4)
    buckets = max_rows - (n - start)
    # bucket b covers rows edges[b] .. edges[b+1]-1 (all non-empty: start >= buckets)
    edges = np.arange(buckets + 1) * start // buckets
    first, last = edges[:-1], edges[1:] - 1
    head = {
        "step": cols["step"][last],
        "lr": cols["lr"][last],
        "loss": _mean(cols["loss"][:start], first),
        "ms": _mean(cols["ms"][:start], first),
        "val_loss": _mean(cols["val_loss"][:start], first),
        "grad_norm": _max(cols["grad_norm"][:start], first),
    }
    curves = {c: head[c].tolist() + rec.curves[c][start:] for c in CURVE_COLUMNS}
    return dataclasses.replace(rec, curves=curves)


def _mean(x: np.ndarray, first: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x)
    total = np.add.reduceat(np.where(ok, x, 0.0), first)
    count = np.add.reduceat(ok.astype(np.float64), first)
    out = np.full(len(first), np.nan)
    np.divide(total, count, out=out, where=count > 0)
    return out


def _max(x: np.ndarray, first: np.ndarray) -> np.ndarray:
    return np.fmax.reduceat(x, first)  # NaN ignored unless the whole bucket is NaN


def to_drop(records: list, keep: set[int], max_runs: int = MAX_RUNS) -> list:
    """The records to remove so that at most max_runs remain: the oldest whose id() is
    not in `keep` (the ticked runs) first, then, if that is not enough, the oldest."""
    extra = len(records) - max_runs
    if extra <= 0:
        return []
    loose = [r for r in records if id(r) not in keep]
    out = loose[:extra]
    if len(out) < extra:
        kept = [r for r in records if id(r) in keep]
        out += kept[: extra - len(out)]
    return out
