"""Benchmark: the engine's speed, measured side by side in one run (issue 3).

    python bench/engine.py [--rss-steps 100000] [--ref-steps 6] [--data FILE] [--quick]

Prints a Markdown table:
- reference vs numpy backend, default `optimized` config, one doc per step: ms/step,
  steps/s and their ratio (target >= 2500x). The two run interleaved in rounds, so a
  machine that gets busier or quieter affects both alike; each figure is the best round.
- a full 500-step `optimized` run with its validation (every 100 steps) on the bundled
  names (falls back to tests/data/docs.txt, and says so, if they are missing);
- 20 samples after that run, attention capture for one word;
- RSS over --rss-steps numpy steps (should stay flat);
- a scaling table: ms/step for n_embd 16/64/256 x batch 1/32.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # run from a checkout, installed or not

import numpy as np  # noqa: E402
from seed_style import SeedStyleModel  # noqa: E402

from engine import Trainer, load_dataset, preset  # noqa: E402
from engine.data import bundled_path  # noqa: E402


def rss_mb() -> float:
    """Resident set size in MiB (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


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


def speed_ratio(data, rounds: int, ref_steps: int, np_steps: int):
    """Seconds per step of the seed-style scalar autograd (bench/seed_style.py, our
    re-creation of how the seed script computes), the reference backend and the numpy
    backend, default optimized config, interleaved in rounds; best round of each."""
    cfg = preset("optimized", num_steps=10**9, val_every=0)  # no schedule end, no validation
    ref = Trainer(preset("optimized", backend="reference", num_steps=10**9, val_every=0), data)
    fast = Trainer(cfg, data)
    m = cfg.model
    seed = SeedStyleModel(ref.params, m.n_head, m.n_layer, m.block_size, 10**9)
    tokens = [ref.tokenizer.doc_tokens(d) for d in ref.train_docs[:1000]]

    def seed_steps(n):
        t0 = time.perf_counter()
        for _ in range(n):
            seed.step(tokens[seed.step_num % len(tokens)])
        return (time.perf_counter() - t0) / n

    timed_steps(fast, 500)  # warm up caches and the allocator
    seed_t, ref_t, np_t = [], [], []
    for _ in range(rounds):
        seed_t.append(seed_steps(max(ref_steps // 3, 1)))
        ref_t.append(timed_steps(ref, ref_steps))
        np_t.append(timed_steps(fast, np_steps))
    return min(seed_t), min(ref_t), min(np_t)


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
    cap_t = best_of(lambda: trainer.step(capture_attention=True), 50)
    return t_init, t_run, vals, sample_t, word, att_t, cap_t


def rss_run(data, steps: int):
    trainer = Trainer(preset("optimized", num_steps=steps), data)
    marks = []
    every = max(steps // 10, 1)
    timed_steps(trainer, min(1000, steps))  # let the first allocations settle
    marks.append((trainer.step_num, rss_mb()))
    while trainer.step_num < steps:
        timed_steps(trainer, min(every, steps - trainer.step_num))
        marks.append((trainer.step_num, rss_mb()))
    return marks


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
    ap.add_argument("--rounds", type=int, default=3, help="interleaved speed rounds")
    ap.add_argument("--ref-steps", type=int, default=6, help="reference steps per round")
    ap.add_argument("--np-steps", type=int, default=3000, help="numpy steps per round")
    ap.add_argument("--rss-steps", type=int, default=100_000, help="steps for the RSS check")
    ap.add_argument("--budget", type=float, default=3.0,
                    help="seconds per run in the batch-size comparison")
    ap.add_argument("--quick", action="store_true", help="fewer steps everywhere (smoke run)")
    args = ap.parse_args(argv)
    if args.quick:
        args.rounds, args.ref_steps, args.np_steps, args.rss_steps = 1, 2, 500, 5000
        args.budget = 0.5
    data, data_name = dataset(args.data)
    cpus = os.cpu_count()
    print(f"# microgpt engine benchmark\n\nPython {platform.python_version()}, NumPy "
          f"{np.__version__}, {platform.machine()} ({cpus} CPUs), data: {data_name} "
          f"({len(data.docs):,} docs)\n")

    seed_s, ref_s, np_s = speed_ratio(data, args.rounds, args.ref_steps, args.np_steps)
    ratio = ref_s / np_s
    t_init, t_run, vals, sample_t, word, att_t, cap_t = full_run(data)
    marks = rss_run(data, args.rss_steps)
    growth = marks[-1][1] - marks[0][1]
    scale = scaling(data, 0.3 if args.quick else 1.0)
    batches = same_wall_time(data, args.budget)

    print("| measure | figure | target | met |")
    print("|---|---|---|---|")
    print(f"| seed-style scalar autograd (bench/seed_style.py), optimized, 1 doc/step | "
          f"{seed_s * 1e3:.0f} ms/step ({1 / seed_s:.2f} steps/s) | | |")
    print(f"| reference backend, same config | {ref_s * 1e3:.1f} ms/step "
          f"({1 / ref_s:.2f} steps/s) | | |")
    print(f"| numpy backend, same config | {np_s * 1e3:.3f} ms/step ({1 / np_s:,.0f} steps/s)"
          f" | <= 0.2 ms | {mark(np_s <= 2e-4)} |")
    print(f"| speed-up numpy / reference (same run) | {ratio:,.0f}x | >= 2500x | "
          f"{mark(ratio >= 2500)} |")
    print(f"| speed-up numpy / seed-style (same run) | {seed_s / np_s:,.0f}x | | |")
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
    print(f"\nSame wall time ({args.budget:g} s each), optimized preset, loss on up to 1000 "
          "validation docs:\n")
    print("| batch_size | steps | docs seen | wall s | val loss |")
    print("|---|---|---|---|---|")
    for b, steps, wall, val in batches:
        print(f"| {b} | {steps:,} | {b * steps:,} | {wall:.2f} | {val:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
