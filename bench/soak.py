"""Soak test (issue 7): the real window, offscreen, training at max speed with the curves
and the attention heatmaps live, for a set time; prints the resident memory every minute.

    python bench/soak.py                  # 10 minutes, a line per minute
    python bench/soak.py --seconds 30 --every 5
    python bench/soak.py --json           # one JSON object at the end (for tests)

Memory must stay bounded: the curves live in fixed-size ring buffers (History thins itself
when full), so after the first seconds RSS should only wander by allocator noise. When a
run reaches its last step, the soak presses Reset and Train again, as a user would.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# Run as a script, bench/ comes first on sys.path, and bench/engine.py would shadow the
# engine package: put the project root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
from bench import harness  # noqa: E402

WARMUP_S = 5.0  # the first batches, captures and plots allocate their working set


def run(seconds: float, every: float, out=print) -> dict:
    harness.app()
    harness.quiet_message_boxes()
    window = harness.open_window()
    harness.new_run(window, num_steps=1_000_000)  # the controls' maximum
    c = window.controller
    window.attention.follow.setChecked(True)
    harness.train_max_speed(window)

    samples = []  # (elapsed s, steps done in all runs, RSS MiB)
    done_before = 0  # steps of runs already finished
    resets = 0
    t0 = time.monotonic()
    next_report = every

    def total_steps():
        return done_before + c.history.step

    harness.pump(min(WARMUP_S, seconds))
    base = (time.monotonic() - t0, total_steps(), harness.rss_mb())
    samples.append(base)
    out(f"{'time':>7}  {'steps':>10}  {'steps/s':>8}  {'RSS MiB':>8}")
    out(f"{base[0]:6.0f}s  {base[1]:10,d}  {'':>8}  {base[2]:8.1f}   (after warm-up)")
    last = base
    while time.monotonic() - t0 < seconds:
        harness.pump(min(1.0, seconds - (time.monotonic() - t0)))
        if c.state == "finished":  # start over, like a user pressing Reset then Train
            done_before += c.history.step
            resets += 1
            harness.new_run(window, num_steps=1_000_000)
            harness.train_max_speed(window)
        elapsed = time.monotonic() - t0
        if elapsed >= next_report or elapsed >= seconds:
            now = (elapsed, total_steps(), harness.rss_mb())
            rate = (now[1] - last[1]) / max(now[0] - last[0], 1e-9)
            note = "" if c.state == "running" else f"   {c.state}"
            if c.state != "running" and getattr(window, "messages", None):
                note += f": {window.messages[-1][1].splitlines()[0][:100]}"
            out(f"{now[0]:6.0f}s  {now[1]:10,d}  {rate:8.0f}  {now[2]:8.1f}{note}")
            samples.append(now)
            last = now
            next_report += every
    final_state = c.state
    c.pause()
    harness.pump(1.0, lambda: c.state != "running")
    history_points = len(c.history)
    harness.close(window)
    rss = [s[2] for s in samples]
    result = {
        "seconds": round(samples[-1][0], 1), "steps": samples[-1][1], "resets": resets,
        "rss_after_warmup_mb": round(rss[0], 1), "rss_max_mb": round(max(rss), 1),
        "rss_end_mb": round(rss[-1], 1), "growth_mb": round(max(rss) - rss[0], 1),
        "history_points": history_points, "final_state": final_state,
        "messages": [text for _kind, text in getattr(window, "messages", [])][-5:],
        "samples": [[round(t, 1), n, round(m, 1)] for t, n, m in samples],
    }
    out(f"RSS after warm-up {result['rss_after_warmup_mb']} MiB, max {result['rss_max_mb']} "
        f"MiB, end {result['rss_end_mb']} MiB: growth {result['growth_mb']} MiB over "
        f"{result['steps']:,} steps ({resets} resets; {history_points:,} curve points kept)")
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600.0, help="how long (default 10 min)")
    ap.add_argument("--every", type=float, default=60.0, help="report interval in seconds")
    ap.add_argument("--json", action="store_true", help="print only a JSON summary")
    args = ap.parse_args(argv)
    if args.json:
        result = run(args.seconds, args.every, out=lambda *_: None)
        print(json.dumps(result))
    else:
        run(args.seconds, args.every)
    return 0


if __name__ == "__main__":
    from microgpt_gui.app import exit_now  # as the app ends: no teardown of Qt objects

    exit_now(main())
