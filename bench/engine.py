"""Benchmark: the engine's speed, measured side by side in one run (issue 3).

    python bench/engine.py [--rss-steps 100000] [--rounds 8] [--data FILE] [--quick]

Prints a Markdown table:
- seed-style scalar autograd vs reference vs numpy backend, default `optimized` config,
  one doc per step: ms/step and the ratio (target >= 2500x), in CPU time and wall time.
  They run interleaved in rounds on the same documents, so a machine that gets busier or
  quieter affects all alike; figures are medians over rounds.
- a full 500-step `optimized` run with its validation (every 100 steps) on the bundled
  names (falls back to tests/data/docs.txt, and says so, if they are missing);
- 20 samples after that run, attention capture for one word;
- RSS over --rss-steps numpy steps (should stay flat);
- a scaling table: ms/step for n_embd 16/64/256 x batch 1/32.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # run from a checkout, installed or not

import numpy as np  # noqa: E402
from rss import rss_mb  # noqa: E402
from seed_style import SeedStyleModel  # noqa: E402

from engine import Trainer, load_dataset, preset  # noqa: E402
from engine.data import bundled_path  # noqa: E402


def dataset(path: str | None):
    if path:
        return load_dataset(path), path
    if bundled_path().is_file():
        return load_dataset(), "bundled names (resources/names.txt)"
    fallback = ROOT / "tests" / "data" / "docs.txt"
    return load_dataset(fallback), "tests/data/docs.txt (bundled names.txt not found)"


def timed_steps(trainer: Trainer, n: int) -> float:
    """Seconds per step over n steps."""
    t0 = time.perf_counter()
    for _ in range(n):
        trainer.step()
    return (time.perf_counter() - t0) / n


def best_of(fn, repeats: int) -> tuple[float, float]:
    """(min, median) wall seconds of fn() over repeats."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def both_clocks(fn, n: int) -> tuple[float, float]:
    """(wall, CPU) seconds per call of fn over n calls. CPU time leaves out the time this
    process waited for a core, which on a shared machine is other jobs' doing."""
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return (time.perf_counter() - w0) / n, (time.process_time() - c0) / n


def speed_ratio(data, rounds: int, ref_steps: int, repeats: int):
    """Per-step (wall, CPU) seconds of the seed-style scalar autograd (bench/seed_style.py,
    our re-creation of how the seed script computes), the reference backend and the
    numpy backend, default optimized config, one doc per step, interleaved in rounds.

    Each round takes the next ref_steps documents: the reference trains on them once, the
    numpy backend on the same documents `repeats` times right after (mean pass: like the
    reference's one long pass it sees the machine's average load, not its quietest
    moment), and the seed style on the first of them in the first three rounds. Figures
    are medians over rounds; ratios are medians of the per-round ratios."""
    cfg = preset("optimized", num_steps=10**9, val_every=0)  # no schedule end, no validation
    ref = Trainer(preset("optimized", backend="reference", num_steps=10**9, val_every=0), data)
    fast = Trainer(cfg, data)
    m = cfg.model
    seed = SeedStyleModel(ref.params, m.n_head, m.n_layer, m.block_size, 10**9)
    timed_steps(fast, 500)  # warm up caches and the allocator
    seed_t, ref_t, np_t = [], [], []
    for r in range(rounds):
        start = ref.step_num
        if r < 3:
            tokens = ref.tokenizer.doc_tokens(ref.batch_docs(start)[0])
            seed_t.append(both_clocks(lambda tokens=tokens: seed.step(tokens), 1))
        # Collect the other runner's garbage first (the seed style's graph is full of
        # reference cycles): each runner pays for its own garbage collection, not another's.
        gc.collect()
        ref_t.append(both_clocks(ref.step, ref_steps))
        gc.collect()
        passes = []
        for _ in range(repeats):
            fast.step_num = start  # the same documents as the reference just saw
            passes.append(both_clocks(fast.step, ref_steps))
        np_t.append(tuple(statistics.fmean(x) for x in zip(*passes, strict=True)))
    med = statistics.median
    out = {}
    for clock in (0, 1):  # 0 wall, 1 CPU
        out[clock] = (med(t[clock] for t in seed_t), med(t[clock] for t in ref_t),
                      med(t[clock] for t in np_t),
                      med(a[clock] / b[clock] for a, b in zip(ref_t, np_t, strict=True)))
    return out


def full_run(data):
    """A 500-step optimized run with its validation, then samples and attention."""
    t0 = time.perf_counter()
    trainer = Trainer(preset("optimized"), data)
    t_init = time.perf_counter() - t0
    t0 = time.perf_counter()
    vals = []
    while not trainer.done:
        st = trainer.step()
        if st.val_loss is not None:
            vals.append(st.val_loss)
    t_run = time.perf_counter() - t0
    sample_t = best_of(lambda: trainer.sample(20), 20)
    word = trainer.val_docs[0] if trainer.val_docs else trainer.train_docs[0]
    att_t = best_of(lambda: trainer.attention(word), 50)
    trainer.config.train.num_steps += 1000  # room for the timed steps below (step()
    # refuses to go past the end of a run)
    cap_t = best_of(lambda: trainer.step(capture_attention=True), 50)
    return t_init, t_run, vals, sample_t, word, att_t, cap_t


def rss_run(data, steps: int):
    """RSS marks along a long run (no validation), and its mean seconds per step."""
    trainer = Trainer(preset("optimized", num_steps=steps, val_every=0), data)
    marks = []
    every = max(steps // 10, 1)
    timed_steps(trainer, min(1000, steps))  # let the first allocations settle
    marks.append((trainer.step_num, rss_mb()))
    t0, n0 = time.perf_counter(), trainer.step_num
    while trainer.step_num < steps:
        timed_steps(trainer, min(every, steps - trainer.step_num))
        marks.append((trainer.step_num, rss_mb()))
    mean = (time.perf_counter() - t0) / max(trainer.step_num - n0, 1)
    return marks, mean


def scaling(data, seconds: float):
    rows = []
    for n_embd in (16, 64, 256):
        row = []
        for batch in (1, 32):
            cfg = preset("optimized", n_embd=n_embd, batch_size=batch, num_steps=10**9,
                         val_every=0)
            trainer = Trainer(cfg, data)
            per = timed_steps(trainer, 3)  # warm up, and a first estimate
            n = max(5, int(seconds / max(per, 1e-6)))
            row.append(min(timed_steps(trainer, n) for _ in range(3)))
        rows.append((n_embd, row))
    return rows


def biggest(data, steps: int = 2):
    """The issue's largest sizes at once: n_layer 8, n_embd 256, block_size 64, batch 32
    (docs longer than 64 characters made by joining names, so the block is full)."""
    long = [" ".join(data.docs[i : i + 12]) for i in range(0, 12 * 64, 12)]
    cfg = preset("optimized", n_layer=8, n_embd=256, n_head=8, block_size=64, batch_size=32,
                 num_steps=100, val_every=0, val_fraction=0.0)
    t0 = time.perf_counter()
    trainer = Trainer(cfg, long)
    setup = time.perf_counter() - t0
    losses = [trainer.step().loss for _ in range(steps)]
    per = timed_steps(trainer, steps)
    return trainer.num_params, setup, per, losses


def same_wall_time(data, budget: float, batches=(1, 8, 32)):
    """Validation loss reached in the same wall time with one doc per step vs batches.
    Each run's schedule is sized to the steps that fit the budget (measured first)."""
    out = []
    for b in batches:
        probe = Trainer(preset("optimized", batch_size=b, num_steps=10**9, val_every=0), data)
        per = min(timed_steps(probe, 20) for _ in range(3))
        steps = max(int(budget / per), 1)
        t = Trainer(preset("optimized", batch_size=b, num_steps=steps, val_every=0), data)
        t0 = time.perf_counter()
        while not t.done and time.perf_counter() - t0 < budget:
            t.step()
        wall = time.perf_counter() - t0
        val = t.inference().mean_nll(t.val_docs[:1000])
        out.append((b, t.step_num, wall, val))
    return out


def mark(ok: bool) -> str:
    return "yes" if ok else "NO"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="a text file, one document per line (default: bundled)")
    ap.add_argument("--rounds", type=int, default=8, help="interleaved speed rounds")
    ap.add_argument("--ref-steps", type=int, default=3, help="documents per round")
    ap.add_argument("--repeats", type=int, default=200,
                    help="numpy passes over each round's documents (their mean counts)")
    ap.add_argument("--rss-steps", type=int, default=100_000, help="steps for the RSS check")
    ap.add_argument("--budget", type=float, default=3.0,
                    help="seconds per run in the batch-size comparison")
    ap.add_argument("--quick", action="store_true", help="fewer steps everywhere (smoke run)")
    args = ap.parse_args(argv)
    if args.quick:
        args.rounds, args.ref_steps, args.repeats, args.rss_steps = 2, 2, 50, 5000
        args.budget = 0.5
    data, data_name = dataset(args.data)
    cpus = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# microgpt engine benchmark\n\nPython {platform.python_version()}, NumPy "
          f"{np.__version__}, {platform.machine()} ({cpus} CPUs, load average {load:.1f} "
          f"at start), data: {data_name} ({len(data.docs):,} docs)\n")

    speeds = speed_ratio(data, args.rounds, args.ref_steps, args.repeats)
    seed_s, ref_s, np_s, ratio = speeds[1]  # CPU time (see both_clocks)
    seed_w, ref_w, np_w, ratio_w = speeds[0]
    gc.collect()  # the seed style's graphs are cyclic garbage: not the next measures' cost
    t_init, t_run, vals, sample_t, word, att_t, cap_t = full_run(data)
    marks, sustained = rss_run(data, args.rss_steps)
    growth = marks[-1][1] - marks[0][1]
    scale = scaling(data, 0.3 if args.quick else 1.0)
    batches = same_wall_time(data, args.budget)
    big = biggest(data, 1 if args.quick else 2)

    print("| measure | figure | target | met |")
    print("|---|---|---|---|")
    print("| seed-style scalar autograd (bench/seed_style.py), optimized, 1 doc/step, "
          f"CPU (wall) | {seed_s * 1e3:.0f} ({seed_w * 1e3:.0f}) ms/step | | |")
    print(f"| reference backend, same config, CPU (wall) | {ref_s * 1e3:.1f} "
          f"({ref_w * 1e3:.1f}) ms/step | | |")
    print(f"| numpy backend, same config and documents, CPU (wall) | {np_s * 1e3:.3f} "
          f"({np_w * 1e3:.3f}) ms/step, {1 / np_s:,.0f} steps/s | <= 0.2 ms | "
          f"{mark(np_s <= 2e-4)} |")
    print(f"| numpy backend, wall mean over the {marks[-1][0]:,}-step run below | "
          f"{sustained * 1e3:.3f} ms/step | | |")
    print(f"| speed-up numpy / reference, CPU (wall) | {ratio:,.0f}x ({ratio_w:,.0f}x) | "
          f">= 2500x | {mark(ratio >= 2500)} |")
    print(f"| speed-up numpy / seed-style, CPU (wall) | {seed_s / np_s:,.0f}x "
          f"({seed_w / np_w:,.0f}x) | | |")
    print(f"| full 500-step optimized run + {len(vals)} validations | {t_run * 1e3:.0f} ms "
          f"(+ {t_init * 1e3:.0f} ms setup) | < 1 s | {mark(t_run + t_init < 1)} |")
    print(f"| 20 samples | {sample_t[0] * 1e3:.2f} ms (median {sample_t[1] * 1e3:.2f}) "
          f"| < 10 ms | {mark(sample_t[0] < 0.01)} |")
    print(f"| attention for one word ({word!r}) | {att_t[0] * 1e3:.3f} ms (median "
          f"{att_t[1] * 1e3:.3f}) | < 2 ms | {mark(att_t[0] < 0.002)} |")
    print(f"| a step with attention attached to StepStats | {cap_t[0] * 1e3:.3f} ms | | |")
    print(f"| RSS over {marks[-1][0]:,} steps | {marks[0][1]:.1f} -> {marks[-1][1]:.1f} MiB "
          f"({growth:+.1f}) | flat | {mark(growth < 2.0)} |")
    print(f"\nValidation losses of the 500-step run: {', '.join(f'{v:.4f}' for v in vals)}")
    print("\nRSS (MiB) by step: " + ", ".join(f"{s:,}: {r:.1f}" for s, r in marks))
    print("\nms/step (numpy backend, optimized preset, n_layer 1, block_size 8):\n")
    print("| n_embd | batch 1 | batch 32 |")
    print("|---|---|---|")
    for n_embd, row in scale:
        print(f"| {n_embd} | " + " | ".join(f"{t * 1e3:.3f}" for t in row) + " |")
    print(f"\nLargest sizes at once (n_layer 8, n_embd 256, block_size 64, batch 32; "
          f"{big[0]:,} parameters): {big[2] * 1e3:.0f} ms/step, setup {big[1]:.1f} s, "
          f"first losses {', '.join(f'{x:.3f}' for x in big[3])}")
    print(f"\nSame wall time ({args.budget:g} s each), optimized preset, loss on up to 1000 "
          "validation docs:\n")
    print("| batch_size | steps | docs seen | wall s | val loss |")
    print("|---|---|---|---|---|")
    for b, steps, wall, val in batches:
        print(f"| {b} | {steps:,} | {b * steps:,} | {wall:.2f} | {val:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
