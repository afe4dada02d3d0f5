"""`microgpt train --resume CKPT`: a saved run continues with exactly the numbers of a run
that never stopped; flags that would change the model are refused in one line."""

from __future__ import annotations

import json
import re
import shutil
import signal
from pathlib import Path

import pytest

from engine import Trainer, cli, load_dataset, preset
from tests.helpers import run_cli as run

DATA = Path(__file__).resolve().parent.parent / "data"
DOCS = DATA / "docs.txt"
MS = re.compile(r" \| \d+(\.\d)?ms$")


def without_ms(out: str) -> list[str]:
    return [MS.sub("", line) for line in out.splitlines()]


def records(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def numbers(recs) -> list[tuple]:
    """What must be the same, exactly, in a resumed and an uninterrupted run."""
    return [(r["step"], r["loss"], r["grad_norm"], r["lr"], r["val_loss"], r["doc"])
            for r in recs]


def saved_mid_run(path, steps_done=30, data=DOCS, **settings):
    """A checkpoint as the app's File > Save checkpoint writes it: `steps_done` of a
    longer run (by default the conformance run: 60 steps, validation every 20)."""
    settings = {"num_steps": 60, "val_every": 20, **settings}
    t = Trainer(preset("optimized", **settings), load_dataset(str(data)))
    for _ in range(steps_done):
        t.step()
    t.save(path)
    return path


def test_resume_after_30_of_60_steps_is_the_run_that_never_stopped(capsys, tmp_path):
    ref = json.loads((DATA / "optimized-60.json").read_text())  # the seed's own figures
    ckpt = saved_mid_run(tmp_path / "half.npz")
    code, straight, err = run(capsys, "train", "--data", DOCS, "--steps", 60, "--val-every",
                              20, "--jsonl", tmp_path / "straight.jsonl")
    assert code == 0, err
    code, resumed, err = run(capsys, "train", "--resume", ckpt, "--jsonl",
                             tmp_path / "resumed.jsonl", "--save", tmp_path / "end.npz")
    assert code == 0, err
    assert "resuming" in err and "at step 30 of 60" in err
    # stdout continues the uninterrupted run's from step 31: steps, val losses, samples
    lines = without_ms(straight)
    at_30 = next(i for i, line in enumerate(lines) if line.startswith("step   30/ 60 |"))
    assert without_ms(resumed) == lines[at_30 + 1:]
    assert resumed.splitlines()[0].startswith("step   31/ 60 | loss ")
    # --jsonl continues too: steps 31..60, the same floats (not just the same 4 decimals)
    got = records(tmp_path / "resumed.jsonl")
    assert [r["step"] for r in got] == list(range(31, 61))
    assert numbers(got) == numbers(records(tmp_path / "straight.jsonl")[30:])
    for r, want in zip(got, ref["steps"][30:], strict=True):
        assert abs(r["loss"] - want["loss"]) <= 1e-9 * want["loss"]
    assert [(r["step"], round(r["val_loss"], 9)) for r in got if r["val_loss"]] == \
        [(v["step"], round(v["val_loss"], 9)) for v in ref["val"] if v["step"] > 30]
    k = resumed.splitlines().index("--- inference ---")
    assert resumed.splitlines()[k + 1:] == [f"sample {i:2d}: {s}"
                                            for i, s in enumerate(ref["samples"], 1)]
    assert Trainer.load(tmp_path / "end.npz").step_num == 60


def test_a_run_stopped_with_ctrl_c_and_resumed_prints_what_one_run_prints(
        capsys, tmp_path, monkeypatch):
    code, straight, err = run(capsys, "train", "--data", DOCS, "--steps", 60, "--val-every",
                              20, "--samples", 5)
    assert code == 0, err
    real_step = Trainer.step

    def step_then_ctrl_c_at_30(self, *args, **kwargs):
        stats = real_step(self, *args, **kwargs)
        if stats.step == 30:  # as if the user pressed Ctrl+C during step 30
            signal.raise_signal(signal.SIGINT)
        return stats

    with monkeypatch.context() as m:
        m.setattr(Trainer, "step", step_then_ctrl_c_at_30)
        code, first, err = run(capsys, "train", "--data", DOCS, "--steps", 60,
                               "--val-every", 20, "--samples", 5, "--save",
                               tmp_path / "run.npz")
    assert code == cli.EXIT_INTERRUPTED and "interrupted at step 30" in err, err
    code, second, err = run(capsys, "train", "--resume", tmp_path / "run.npz", "--samples",
                            5, "--save", tmp_path / "run.npz")  # saved over itself
    assert code == 0, err
    assert without_ms(first) + without_ms(second) == without_ms(straight)
    assert Trainer.load(tmp_path / "run.npz").step_num == 60


def test_steps_sets_a_new_total_and_the_schedule_follows_it(capsys, tmp_path):
    ckpt = saved_mid_run(tmp_path / "done.npz", steps_done=30, num_steps=30)
    code, _, err = run(capsys, "train", "--resume", ckpt)  # nothing left to train
    assert code == 2 and err.count("\n") == 1
    assert "this run is complete (step 30 of 30)" in err and "--steps N above 30" in err
    code, out, err = run(capsys, "train", "--resume", ckpt, "--steps", 45, "--samples", 3,
                         "--top-k", 1, "--jsonl", tmp_path / "more.jsonl", "--quiet")
    assert code == 0 and err == "", err
    # the same as the engine doing it by hand: 30 steps of a 30-step run, then 15 more
    # with the total raised to 45 (the learning rate rises again, then decays to 45)
    t = Trainer(preset("optimized", num_steps=30, val_every=20), load_dataset(str(DOCS)))
    for _ in range(30):
        t.step()
    t.config.train.num_steps = 45
    want = [t.step() for _ in range(15)]
    got = records(tmp_path / "more.jsonl")
    assert [(r["step"], r["loss"], r["lr"]) for r in got] == \
        [(s.step, s.loss, s.lr) for s in want]
    assert got[0]["lr"] > 0.001  # the 30-step schedule had decayed to 0
    lines = out.splitlines()  # --quiet: validation steps and the last one
    assert [ln.split(" | ")[0] for ln in lines if ln.startswith("step")] == \
        ["step   40/ 45", "step   45/ 45"]
    assert lines[-4:] == ["--- inference ---"] + [f"sample {i:2d}: {n}" for i, n in
                                                  enumerate(t.sample(3, 0.6, 1), 1)]


def test_live_settings_may_change_and_the_training_numbers_stay(capsys, tmp_path):
    ckpt = saved_mid_run(tmp_path / "half.npz")
    code, _, err = run(capsys, "train", "--data", DOCS, "--steps", 60, "--val-every", 20,
                       "--jsonl", tmp_path / "straight.jsonl")
    assert code == 0, err
    straight = records(tmp_path / "straight.jsonl")[30:]
    # validation more often: more val losses, the same training numbers
    code, out, err = run(capsys, "train", "--resume", ckpt, "--val-every", 10,
                         "--jsonl", tmp_path / "val10.jsonl")
    assert code == 0, err
    got = records(tmp_path / "val10.jsonl")
    assert [r["step"] for r in got if r["val_loss"] is not None] == [40, 50, 60]
    assert [(r["loss"], r["grad_norm"]) for r in got] == \
        [(r["loss"], r["grad_norm"]) for r in straight]
    assert [r["val_loss"] for r in got if r["step"] in (40, 60)] == \
        [r["val_loss"] for r in straight if r["step"] in (40, 60)]
    # another learning rate from step 31 on: step 31 (computed before the update) is the
    # same, the later ones are not
    code, out, err = run(capsys, "train", "--resume", ckpt, "--lr", 0.02, "--jsonl",
                         tmp_path / "lr.jsonl")
    assert code == 0, err
    got = records(tmp_path / "lr.jsonl")
    assert got[0]["loss"] == straight[0]["loss"]
    assert got[0]["lr"] == pytest.approx(2 * straight[0]["lr"], rel=1e-12)
    assert got[5]["loss"] != straight[5]["loss"]
    # flags that repeat the checkpoint's own values are fine
    code, out, err = run(capsys, "train", "--resume", ckpt, "--n-embd", 16, "--seed", 42,
                         "--batch-size", 1, "--backend", "numpy", "--samples", 0)
    assert code == 0, err


def test_data_may_be_given_if_it_is_the_same_documents(capsys, tmp_path):
    moved = tmp_path / "names.txt"
    shutil.copy(DOCS, moved)
    ckpt = saved_mid_run(tmp_path / "half.npz", data=moved)
    code, straight, err = run(capsys, "train", "--resume", ckpt, "--samples", 4)
    assert code == 0, err
    moved.rename(tmp_path / "elsewhere.txt")
    code, out, err = run(capsys, "train", "--resume", ckpt, "--samples", 4)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "cannot reload its training data" in err and "--data FILE" in err
    code, out, err = run(capsys, "train", "--resume", ckpt, "--samples", 4,
                         "--data", tmp_path / "elsewhere.txt")
    assert code == 0, err
    assert without_ms(out) == without_ms(straight)


BAD_CHECKPOINTS = {
    "missing": (None, "no such file"),
    "folder": ("folder", "is a directory"),
    "text": (b"not a checkpoint\n", "not a microgpt checkpoint"),
    "truncated": ("truncated", "not a microgpt checkpoint, or truncated"),
}


@pytest.mark.parametrize("kind", BAD_CHECKPOINTS)
def test_a_bad_checkpoint_is_one_line_and_exit_2(capsys, tmp_path, kind):
    content, message = BAD_CHECKPOINTS[kind]
    bad = tmp_path / "bad.npz"
    if content == "folder":
        bad.mkdir()
    elif content == "truncated":
        good = saved_mid_run(tmp_path / "good.npz", steps_done=2)
        bad.write_bytes(good.read_bytes()[:2000])
    elif content is not None:
        bad.write_bytes(content)
    code, out, err = run(capsys, "train", "--resume", bad, "--save", tmp_path / "out.npz")
    assert code == 2 and out == ""
    assert err.startswith("microgpt: error: ") and err.count("\n") == 1, err
    assert str(bad) in err and message in err
    assert not (tmp_path / "out.npz").exists()


@pytest.mark.parametrize("flags, message", [
    (["--n-embd", "32"], "--n-embd 32 cannot change a resumed run: {ckpt} was trained with "
     "--n-embd 16 (leave out --n-embd)"),
    (["--n-layer", "2"], "--n-layer 2 cannot change a resumed run"),
    (["--block-size", "4"], "--block-size 4 cannot change a resumed run"),
    (["--seed", "7"], "--seed 7 cannot change a resumed run: {ckpt} was trained with "
     "--seed 42"),
    (["--batch-size", "4"], "--batch-size 4 cannot change a resumed run"),
    (["--preset", "original"], "--preset cannot be combined with --resume"),
    (["--preset", "optimized"], "--preset cannot be combined with --resume"),
    (["--data", "bundled"], "the training data does not match this checkpoint"),
    (["--steps", "30"], "--steps 30: {ckpt} is already at step 30; give a total above 30"),
    (["--steps", "0"], "--steps must be a positive integer, got 0"),
    (["--lr", "-1"], "--lr must be > 0"),
    (["--backend", "gpu"], "unknown backend 'gpu'"),
    (["--temperature", "0"], "--temperature must be a positive number"),
    (["--jsonl", "{ckpt}"], "--jsonl {ckpt}: that is the --resume checkpoint"),
])
def test_flags_that_would_change_the_run_are_refused_in_one_line(capsys, tmp_path, flags,
                                                                 message):
    ckpt = saved_mid_run(tmp_path / "half.npz")
    before = ckpt.read_bytes()
    flags = [f.format(ckpt=ckpt) for f in flags]
    code, out, err = run(capsys, "train", "--resume", ckpt, *flags, "--save",
                         tmp_path / "out.npz")
    assert code == 2 and out == ""
    assert err.startswith("microgpt: error: ") and err.count("\n") == 1, err
    assert message.format(ckpt=ckpt) in err, err
    assert ckpt.read_bytes() == before and not (tmp_path / "out.npz").exists()


# --- --jsonl continues the run's log ----------------------------------------------------

def without_timing(recs) -> list[dict]:
    """Records as two runs of the same steps agree on them: all but the wall time."""
    return [{k: v for k, v in r.items() if k != "ms"} for r in recs]


def test_a_resumed_run_continues_its_jsonl_log(capsys, tmp_path, monkeypatch):
    """Stopped with Ctrl+C at step 30 and resumed onto the same --jsonl file: the file is
    the log of the run that never stopped (the first 30 lines untouched)."""
    code, _, err = run(capsys, "train", "--data", DOCS, "--steps", 60, "--val-every", 20,
                       "--samples", 0, "--jsonl", tmp_path / "straight.jsonl")
    assert code == 0, err
    real_step = Trainer.step

    def step_then_ctrl_c_at_30(self, *args, **kwargs):
        stats = real_step(self, *args, **kwargs)
        if stats.step == 30:
            signal.raise_signal(signal.SIGINT)
        return stats

    log = tmp_path / "run.jsonl"
    with monkeypatch.context() as m:
        m.setattr(Trainer, "step", step_then_ctrl_c_at_30)
        code, _, err = run(capsys, "train", "--data", DOCS, "--steps", 60, "--val-every", 20,
                           "--samples", 0, "--save", tmp_path / "run.npz", "--jsonl", log)
    assert code == cli.EXIT_INTERRUPTED, err
    first = log.read_bytes()
    assert [r["step"] for r in records(log)] == list(range(1, 31))
    code, _, err = run(capsys, "train", "--resume", tmp_path / "run.npz", "--samples", 0,
                       "--jsonl", log)
    assert code == 0, err
    assert log.read_bytes().startswith(first)
    assert without_timing(records(log)) == without_timing(records(tmp_path / "straight.jsonl"))


def test_steps_logged_after_the_save_are_dropped_and_redone(capsys, tmp_path):
    """The log went on to step 60 (and a write was cut short), the checkpoint is from
    step 30: steps 31.. are replaced by the resumed run's, which are the same numbers."""
    ckpt = saved_mid_run(tmp_path / "half.npz")
    log = tmp_path / "run.jsonl"
    code, _, err = run(capsys, "train", "--data", DOCS, "--steps", 60, "--val-every", 20,
                       "--samples", 0, "--jsonl", log)
    assert code == 0, err
    straight = log.read_bytes()
    first_30 = b"".join(straight.splitlines(keepends=True)[:30])
    with log.open("ab") as f:
        f.write(b'{"step": 61, "lo')  # killed while writing a line
    code, _, err = run(capsys, "train", "--resume", ckpt, "--samples", 0, "--jsonl", log)
    assert code == 0, err
    assert log.read_bytes().startswith(first_30)
    assert without_timing(records(log)) == without_timing(
        [json.loads(line) for line in straight.splitlines()])
    # the checkpoint's step without its newline (edited by hand): the next one goes below
    log.write_bytes(first_30.rstrip(b"\n"))
    code, _, err = run(capsys, "train", "--resume", ckpt, "--samples", 0, "--jsonl", log)
    assert code == 0, err
    assert [r["step"] for r in records(log)] == list(range(1, 61))


def test_a_missing_or_empty_log_gets_the_resumed_steps(capsys, tmp_path):
    ckpt = saved_mid_run(tmp_path / "half.npz")
    for log in (tmp_path / "new.jsonl", tmp_path / "empty.jsonl"):
        if log.name == "empty.jsonl":
            log.write_bytes(b"\n")
        code, _, err = run(capsys, "train", "--resume", ckpt, "--samples", 0, "--jsonl", log)
        assert code == 0, err
        assert [r["step"] for r in records(log)] == list(range(31, 61))


@pytest.mark.parametrize("content, message", [
    (b"emma\nolivia\n", "{log}, line 1: not a step record (not JSON); --resume continues "
     "a `microgpt train --jsonl` log and leaves any other file alone"),
    (b'{"step": 1, "loss": 3.3}\n[1, 2]\n', "{log}, line 2: not a step record (not a JSON "
     "object with a step and a loss)"),
    (b'{"step": 1, "loss": 3.3}\n\n{"step": true, "loss": 3.1}\n', "{log}, line 3: not a "
     "step record (step True is not a whole number above 0)"),
    (b'{"step": 1, "loss": 3.3}\n{"step": 3, "loss": 3.1}\n', "{log}, line 2: step 3 "
     "follows step 1"),
    (b'{"step": 1, "loss": 3.3}\n{"step": 2, "loss": 3.1}\n', "{log}: its last record is "
     "step 2, but {ckpt} is at step 30 (steps 3-30 would be missing)"),
    (b"\xff\xfe{\x00", "{log}, line 1: not a step record (not JSON)"),
])
def test_a_file_that_is_not_the_runs_log_is_refused_and_left_alone(capsys, tmp_path, content,
                                                                   message):
    ckpt = saved_mid_run(tmp_path / "half.npz")
    log = tmp_path / "notes.txt"
    log.write_bytes(content)
    code, out, err = run(capsys, "train", "--resume", ckpt, "--jsonl", log, "--save",
                         tmp_path / "out.npz")
    assert code == 2 and out == ""
    assert err.startswith("microgpt: error: --jsonl ") and err.count("\n") == 1, err
    assert message.format(log=log, ckpt=ckpt) in err, err
    assert log.read_bytes() == content and not (tmp_path / "out.npz").exists()


def test_without_resume_the_jsonl_file_starts_afresh(capsys, tmp_path):
    log = tmp_path / "run.jsonl"
    log.write_bytes(b"emma\n")
    code, _, err = run(capsys, "train", "--data", DOCS, "--steps", 3, "--samples", 0,
                       "--jsonl", log)
    assert code == 0, err
    assert [r["step"] for r in records(log)] == [1, 2, 3]
