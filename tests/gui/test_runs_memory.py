"""The run list's memory is bounded: at most MAX_RUNS finished runs (the oldest unticked
one dropped first, and the panel says so), each folded to at most MAX_ROWS rows whatever
the run's length, keeping the curve's shape and the table's final figures."""

from __future__ import annotations

import math
import tracemalloc
from types import SimpleNamespace

import numpy as np
import pytest

from engine.run_record import CURVE_COLUMNS, RunRecord
from microgpt_gui.run_store import MAX_ROWS, MAX_RUNS, bounded, record_from_history, to_drop


def long_record(rows: int = 110_000, name: str = "long", seed: int = 0) -> RunRecord:
    """A 1M-step run as History leaves it: ~100k kept steps plus its validation rows;
    a noisy, right-skewed per-document loss falling from 3.3 to 2.0, one grad spike."""
    rng = np.random.default_rng(seed)
    step = np.arange(1, rows + 1, dtype=float) * 9
    trend = 2.0 + 1.3 * np.exp(-step / step[-1] * 6)
    loss = trend + rng.gamma(2.0, 0.25, rows) - 0.5
    grad = rng.uniform(0.2, 0.8, rows)
    grad[rows // 3] = 40.0
    val = np.full(rows, math.nan)
    val[::11] = trend[::11] + 0.05
    cols = {"step": step, "loss": loss, "val_loss": val, "grad_norm": grad,
            "lr": 0.01 * (1 - step / step[-1]), "ms": np.full(rows, 0.13)}
    return RunRecord(name, preset="optimized", curves={c: cols[c].tolist()
                                                        for c in CURVE_COLUMNS})


def test_a_long_run_is_folded_keeping_its_shape_and_final_figures():
    rec = long_record()
    small = bounded(rec)
    n = len(small.curves["step"])
    assert n <= MAX_ROWS and all(len(v) == n for v in small.curves.values())
    steps = small.array("step")
    assert np.all(np.diff(steps) > 0) and steps[-1] == rec.steps
    assert small.final("loss", 20) == rec.final("loss", 20)  # the table's figures
    assert small.final("val_loss") == rec.final("val_loss")
    assert np.nanmax(small.array("grad_norm")) == 40.0  # a spike survives
    # Shape: the mean loss over each tenth of the run, before and after.
    full_steps, full_loss = rec.array("step"), rec.array("loss")
    for lo, hi in zip(np.linspace(0, rec.steps, 11)[:-1], np.linspace(0, rec.steps, 11)[1:],
                      strict=True):
        a = full_loss[(full_steps > lo) & (full_steps <= hi)].mean()
        inside = (steps > lo) & (steps <= hi)
        b = small.array("loss")[inside].mean()
        assert abs(a - b) < 0.02, (lo, a, b)
    assert np.isfinite(small.array("val_loss")).sum() > 100  # validation dots remain
    assert (small.name, small.preset) == (rec.name, rec.preset)


def test_a_short_run_is_kept_as_it_is():
    rec = long_record(rows=MAX_ROWS)
    assert bounded(rec) is rec


def test_folding_handles_nan_and_inf():
    rec = long_record(rows=5000)
    rec.curves["loss"][100:400] = [math.nan] * 300  # a diverged stretch
    rec.curves["grad_norm"][200] = math.inf
    small = bounded(rec, max_rows=100)
    assert len(small.curves["step"]) == 100
    assert math.inf in small.curves["grad_norm"]
    assert np.isfinite(small.array("loss")).sum() >= 90


def test_to_drop_prefers_the_oldest_unticked():
    runs = [RunRecord(f"r{i}") for i in range(6)]
    keep = {id(runs[0]), id(runs[2])}
    assert [r.name for r in to_drop(runs, keep, max_runs=4)] == ["r1", "r3"]
    assert [r.name for r in to_drop(runs, {id(r) for r in runs}, max_runs=5)] == ["r0"]
    assert to_drop(runs, set(), max_runs=6) == []


def history_of(steps: int):
    from microgpt_gui.history import History

    h = History(capacity=100_000)
    h.extend([SimpleNamespace(step=s, loss=3.0 - s / steps, val_loss=2.9 if s % 100 == 0
                              else None, grad_norm=0.5, lr=0.01, ms=0.1)
              for s in range(1, steps + 1)])
    return h


@pytest.fixture
def runs(make_window):
    return make_window().panels["runs"]


def test_a_replaced_long_run_enters_the_list_folded(runs):
    h = history_of(250_000)
    runs.on_run_closed(h, runs.controller.info)
    rec = runs.records[-1]
    full = record_from_history(h, runs.controller.info, "full")
    assert len(full.curves["step"]) > 50_000  # the check can fail
    assert len(rec.curves["step"]) <= MAX_ROWS
    assert rec.steps == full.steps == 250_000
    assert rec.final("loss", 20) == full.final("loss", 20)


def test_memory_of_the_run_list_is_bounded(runs):
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(MAX_RUNS + 4):
            runs.add_record(long_record(name=f"run {i + 1}", seed=i), previous=True)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(runs.records) == MAX_RUNS
    assert all(len(r.curves["step"]) <= MAX_ROWS for r in runs.records)
    # One unbounded run of this length is ~20 MiB of Python floats.
    assert grown < 8 * 2**20, f"{grown / 2**20:.1f} MiB kept"


def test_the_oldest_unticked_run_goes_first_and_the_panel_says_so(runs):
    for i in range(MAX_RUNS):
        runs.add_record(RunRecord(f"run {i + 1}", curves={c: [1.0] for c in CURVE_COLUMNS}),
                        previous=True)
    runs.set_ticked(0, True)  # run 1: the user wants it kept
    assert "Dropped" not in runs.note.text()
    runs.add_record(RunRecord("run 9", curves={c: [1.0] for c in CURVE_COLUMNS}),
                    previous=True)
    names = [r.name for r in runs.records]
    assert len(names) == MAX_RUNS and "run 1" in names and "run 2" not in names
    assert "Dropped run 2" in runs.note.text() and str(MAX_RUNS) in runs.note.text()
    assert runs.table.rowCount() == MAX_RUNS
    assert id(runs.records[0]) in runs.ticked  # ticks still match their runs
