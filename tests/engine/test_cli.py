"""The `microgpt` command: seed-format output, conformance end to end, --jsonl, save and
sample, Ctrl+C, and one-line errors (exit 2, no traceback) for every kind of bad input."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from engine import cli
from tests.helpers import run_cli as run

DATA = Path(__file__).resolve().parent.parent / "data"
DOCS = DATA / "docs.txt"
ROOT = DATA.parent.parent
HAVE_NUMPY_BACKEND = importlib.util.find_spec("engine.numpy_backend") is not None
BACKENDS = ["reference"] + (["numpy"] if HAVE_NUMPY_BACKEND else [])
needs_numpy = pytest.mark.skipif(not HAVE_NUMPY_BACKEND, reason="numpy backend not built")

STEP_TIMED = re.compile(r"^step +\d+/ \d+ \| loss \d+\.\d{4} \| \d+(\.\d)?ms$")
STEP_PLAIN = re.compile(r"^step +\d+/ \d+ \| loss \d+\.\d{4}$")


def conformance(name):
    return json.loads((DATA / f"{name}-60.json").read_text())


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b))


@needs_numpy
def test_optimized_60_steps_match_the_seed(capsys, tmp_path):
    ref = conformance("optimized")
    log = tmp_path / "run.jsonl"
    code, out, err = run(capsys, "train", "--data", DOCS, "--steps", 60, "--val-every", 20,
                         "--backend", "numpy", "--jsonl", log)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:3] == ["num docs: 300 (train 270, val 30)", "vocab size: 27",
                         "num params: 3632"]
    assert lines[3].startswith("step    1/ 60 | loss 3.2802 | ")
    steps = [ln for ln in lines if ln.startswith("step")]
    assert len(steps) == 60 and all(STEP_TIMED.match(ln) for ln in steps), steps[:3]
    vals = [ln for ln in lines if ln.startswith("  val loss: ")]
    assert vals == [f"  val loss: {v['val_loss']:.4f}" for v in ref["val"]]
    # each val line comes right after its step line
    for v in ref["val"]:
        i = lines.index(next(ln for ln in steps if ln.startswith(f"step {v['step']:4d}/")))
        assert lines[i + 1].startswith("  val loss: ")
    k = lines.index("--- inference ---")
    assert lines[k + 1:] == [f"sample {i:2d}: {s}" for i, s in enumerate(ref["samples"], 1)]

    records = [json.loads(ln) for ln in log.read_text().splitlines()]
    assert [r["step"] for r in records] == list(range(1, 61))
    for r, want in zip(records, ref["steps"], strict=True):
        assert close(r["loss"], want["loss"]) and close(r["lr"], want["lr"])
        assert close(r["grad_norm"], want["grad_norm"])
        assert r["ms"] >= 0 and isinstance(r["doc"], str) and r["doc"]
    got_val = [(r["step"], r["val_loss"]) for r in records if r["val_loss"] is not None]
    assert [s for s, _ in got_val] == [20, 40, 60]
    assert all(close(v, w["val_loss"]) for (_, v), w in zip(got_val, ref["val"], strict=True))


@needs_numpy
def test_original_preset_has_no_timing_and_no_split(capsys, tmp_path):
    ref = conformance("original")
    log = tmp_path / "run.jsonl"
    code, out, err = run(capsys, "train", "--preset", "original", "--data", DOCS,
                         "--steps", 60, "--jsonl", log)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:4] == ["num docs: 300", "vocab size: 27", "num params: 4192",
                         "step    1/ 60 | loss 3.4130"]
    assert all(STEP_PLAIN.match(ln) for ln in lines if ln.startswith("step"))
    assert not any("val loss" in ln for ln in lines)
    k = lines.index("--- inference ---")
    assert lines[k + 1:] == [f"sample {i:2d}: {s}" for i, s in enumerate(ref["samples"], 1)]
    records = [json.loads(ln) for ln in log.read_text().splitlines()]
    assert all(close(r["loss"], w["loss"]) for r, w in zip(records, ref["steps"], strict=True))


@pytest.mark.parametrize("backend", BACKENDS)
def test_short_run_on_each_backend(capsys, tmp_path, backend):
    log = tmp_path / "run.jsonl"
    code, out, err = run(capsys, "train", "--data", DOCS, "--steps", 3, "--backend", backend,
                         "--samples", 2, "--jsonl", log)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[3].startswith("step    1/ 3 | loss 3.2802 | ")
    assert len([ln for ln in lines if STEP_TIMED.match(ln)]) == 3
    assert lines[-3] == "--- inference ---" and lines[-1].startswith("sample  2: ")
    records = [json.loads(ln) for ln in log.read_text().splitlines()]
    assert set(records[0]) == {"step", "loss", "grad_norm", "lr", "ms", "doc", "val_loss",
                               "nodes"}
    assert records[0]["val_loss"] is None
    assert (records[0]["nodes"] or 0) > 0 if backend == "reference" else True
    assert "Traceback" not in err


@needs_numpy
def test_quiet_prints_only_validation_steps_and_the_last(capsys):
    code, out, err = run(capsys, "train", "--data", DOCS, "--steps", 25, "--val-every", 10,
                         "--quiet", "--samples", 0)
    assert code == 0 and err == ""
    steps = [ln.split("|")[0].strip() for ln in out.splitlines() if ln.startswith("step")]
    assert steps == ["step   10/ 25", "step   20/ 25", "step   25/ 25"]
    assert out.splitlines()[-1] == "--- inference ---"


@needs_numpy
def test_sizes_and_sampling_flags(capsys):
    code, out, err = run(capsys, "train", "--data", DOCS, "--steps", 2, "--n-embd", 8,
                         "--n-head", 2, "--n-layer", 2, "--block-size", 6, "--batch-size", 3,
                         "--lr", 0.02, "--seed", 7, "--top-k", 0, "--temperature", 1.5,
                         "--samples", 3)
    assert code == 0, err
    # 27*8 wte + 6*8 wpe + 2 layers * (4*64 + 2*4*64) = 216 + 48 + 2*768
    assert "num params: 1800" in out.splitlines()
    assert len([ln for ln in out.splitlines() if ln.startswith("sample")]) == 3


@needs_numpy
def test_save_then_sample_continues_the_same_rng(capsys, tmp_path):
    ckpt = tmp_path / "run.npz"
    code, out, err = run(capsys, "train", "--data", DOCS, "--steps", 20, "--save", ckpt,
                         "--samples", 5)
    assert code == 0, err and ckpt.is_file()
    trained = out.splitlines()[-5:]
    code, out, err = run(capsys, "sample", "--checkpoint", ckpt, "--samples", 5)
    assert code == 0, err
    assert out.splitlines() == ["--- inference ---", *trained]
    # a given --seed is reproducible; --prefix starts every name
    _, a, _ = run(capsys, "sample", "--checkpoint", ckpt, "--seed", 3, "--prefix", "ma")
    _, b, _ = run(capsys, "sample", "--checkpoint", ckpt, "--seed", 3, "--prefix", "ma")
    assert a == b
    names = [ln.split(": ", 1)[1] for ln in a.splitlines()[1:]]
    assert len(names) == 20 and all(n.startswith("ma") for n in names)


@pytest.fixture
def bad_files(tmp_path):
    files = {
        "empty.txt": b"", "blank.txt": b"\n  \n\t\n", "one.txt": b"emma\n",
        "binary.bin": b"emma\nol\0ivia\n", "latin1.txt": b"emma\nzo\xe9\n",
        "garbage.npz": b"this is not a checkpoint",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "a_dir").mkdir()
    return tmp_path


def closed_port_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/names.txt"


BAD = [
    (["train", "--data", "{d}/missing.txt"], "no such file"),
    (["train", "--data", "{d}/a_dir"], "directory"),
    (["train", "--data", "{d}/empty.txt"], "empty"),
    (["train", "--data", "{d}/blank.txt"], "blank"),
    (["train", "--data", "{d}/binary.bin"], "line 2: contains NUL"),
    (["train", "--data", "{d}/latin1.txt"], "line 2: not valid UTF-8"),
    (["train", "--data", "{d}/one.txt"], "at least 2 documents"),
    # config errors name the flag the user typed, not the config field behind it
    (["train", "--n-embd", "10", "--n-head", "4"], "--n-embd (10) must be divisible by "
     "--n-head (4)"),
    (["train", "--n-embd", "7"], "--n-embd (7) must be divisible by n_head (4)"),
    (["train", "--block-size", "0"], "--block-size must be a positive integer"),
    (["train", "--block-size", "100000"], "--block-size 100000 is too large"),
    (["train", "--steps", "-5"], "--steps must be a positive integer"),
    (["train", "--steps", "0"], "--steps must be a positive integer, got 0"),
    (["train", "--steps", "abc"], "invalid int value"),
    (["train", "--lr", "0"], "--lr must be > 0"),
    (["train", "--lr", "-0.01"], "--lr must be > 0, got -0.01"),
    (["train", "--lr", "inf"], "--lr must be a finite number > 0, got inf"),
    (["train", "--batch-size", "0"], "--batch-size must be a positive integer"),
    (["train", "--val-every", "-1"], "--val-every must be >= 0"),
    (["train", "--preset", "fastest"], "invalid choice"),
    (["train", "--backend", "gpu"], "unknown backend 'gpu'"),
    (["train", "--temperature", "0"], "--temperature"),
    (["train", "--temperature", "nan"], "--temperature"),
    # a subnormal temperature made logits / T infinite: "ValueError: Total of weights must
    # be finite" with a traceback, after the whole run
    (["train", "--temperature", "1e-320"], "--temperature 1e-320 is too small"),
    (["sample", "--checkpoint", "{d}/garbage.npz", "--temperature", "1e-320"],
     "not a microgpt checkpoint"),
    (["train", "--top-k", "-1"], "--top-k"),
    (["train", "--samples", "-1"], "--samples"),
    (["train", "--jsonl", "{d}/no/such/dir/x.jsonl", "--data", "{docs}"], "--jsonl"),
    (["train", "--save", "{d}/a_dir"], "is a directory"),
    # output paths are checked before training, not after it (when the run would be lost)
    (["train", "--save", "{d}/no/such/dir/x.npz"], "/x.npz: no such folder"),
    (["train", "--save", "{d}/empty.txt/x.npz"], "x.npz: empty.txt is a file, not a folder"),
    (["train", "--jsonl", "{d}/a_dir"], "--jsonl {d}/a_dir: is a directory"),
    # an output onto the training data would overwrite it (--jsonl truncated it at once)
    (["train", "--data", "{d}/one.txt", "--jsonl", "{d}/./one.txt"], "is the --data file"),
    (["train", "--data", "{d}/one.txt", "--save", "{d}/one.txt"], "is the --data file"),
    (["train", "--jsonl", "{d}/out", "--save", "{d}/out"], "--save and --jsonl are the same"),
    (["train", "--data", "makemore"], "offline"),
    (["train", "--no-such-flag"], "unrecognized arguments"),
    (["sample"], "--checkpoint"),
    (["sample", "--checkpoint", "{d}/missing.npz"], "no such file"),
    (["sample", "--checkpoint", "{d}/garbage.npz"], "not a microgpt checkpoint"),
    (["sample", "--checkpoint", "{d}/a_dir"], "directory"),
    (["sample", "--checkpoint", "{d}/empty.txt"], "not a microgpt checkpoint"),
    ([], "required"),
    (["fly"], "invalid choice"),
]


@pytest.mark.parametrize("argv, expected", BAD, ids=[" ".join(a) or "none" for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(capsys, monkeypatch, bad_files, argv, expected):
    monkeypatch.setenv("MICROGPT_CACHE_DIR", str(bad_files / "cache"))
    monkeypatch.setenv("MICROGPT_MAKEMORE_URL", closed_port_url())
    argv = [a.format(d=bad_files, docs=DOCS) for a in argv]
    expected = expected.format(d=bad_files)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == "", out  # nothing ran: the error is the only output
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert err.count(str(bad_files)) <= 1, err  # the file is named once, not twice
    if "makemore" in argv:  # the download announces itself before it fails
        lines = [ln for ln in lines if not ln.startswith("downloading")]
    assert len(lines) == 1, err
    assert lines[0].startswith("microgpt: error: ") and expected in err, err


@needs_numpy
@pytest.mark.parametrize("prefix, expected", [
    ("zé", "--prefix 'zé': Not in this dataset's characters: “é”"),
    ("Em", "only lower-case letters: try “em”"),
    ("ab ", "space (at the end of the prefix)"),
    ("abcdefgh", "at most 7")])
def test_bad_prefix(capsys, tmp_path, prefix, expected):
    ckpt = tmp_path / "c.npz"
    assert run(capsys, "train", "--data", DOCS, "--steps", 1, "--save", ckpt)[0] == 0
    code, _, err = run(capsys, "sample", "--checkpoint", ckpt, "--prefix", prefix)
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1


@pytest.fixture
def makemore_server(monkeypatch, tmp_path):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(DATA))
    handler.log_message = lambda *a: None
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    monkeypatch.setenv("MICROGPT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MICROGPT_MAKEMORE_URL", f"http://127.0.0.1:{srv.server_port}/docs.txt")
    yield tmp_path / "cache"
    srv.shutdown()
    srv.server_close()


@needs_numpy
def test_data_makemore_downloads_with_progress(capsys, makemore_server):
    code, out, err = run(capsys, "train", "--data", "makemore", "--steps", 1, "--samples", 0)
    assert code == 0, err
    assert "downloading" in err and "100% of" in err
    assert out.splitlines()[0] == "num docs: 300 (train 270, val 30)"
    assert (makemore_server / "makemore-names.txt").read_bytes() == DOCS.read_bytes()
    code, out, err = run(capsys, "train", "--data", "makemore", "--steps", 1, "--samples", 0)
    assert code == 0 and "downloading" not in err


def test_help_lists_the_commands(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "train" in out and "sample" in out


def test_version(capsys):
    from engine import __version__

    code, out, _ = run(capsys, "--version")
    assert (code, out.strip()) == (0, f"microgpt {__version__}")


@needs_numpy
def test_ctrl_c_stops_cleanly_saves_and_exits_130(tmp_path):
    ckpt = tmp_path / "stopped.npz"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "train", "--data", str(DOCS), "--steps",
         "10000000", "--save", str(ckpt)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:  # wait until training is really under way
            if line.startswith("step   20/"):
                break
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted at step" in err
    assert "--- inference ---" not in rest
    from engine.trainer import Trainer

    stopped_at = int(err.split("interrupted at step ")[1].split()[0])
    assert Trainer.load(ckpt).step_num == stopped_at >= 20


@needs_numpy
def test_sample_works_from_anywhere_after_the_data_has_gone(capsys, tmp_path, monkeypatch):
    # Trained on a relative --data path, then sampled from another folder after the data
    # file was moved: sampling reads weights and vocabulary from the checkpoint alone.
    work = tmp_path / "work"
    work.mkdir()
    (work / "names.txt").write_bytes(DOCS.read_bytes())
    monkeypatch.chdir(work)
    code, out, err = run(capsys, "train", "--data", "names.txt", "--steps", 10, "--save",
                         "run.npz", "--samples", 4)
    assert code == 0, err
    trained = out.splitlines()[-4:]
    (work / "names.txt").rename(work / "moved.txt")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "sample", "--checkpoint", "work/run.npz", "--samples", 4)
    assert code == 0, err
    assert out.splitlines() == ["--- inference ---", *trained]


@needs_numpy
def test_divergence_is_one_line_without_numpy_warnings(tmp_path):
    r = subprocess.run([sys.executable, "-m", "engine.cli", "train", "--data", str(DOCS),
                        "--steps", "20", "--lr", "1e300", "--quiet"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "diverged at step" in lines[0] and "--lr" in lines[0], lines
    assert "RuntimeWarning" not in r.stderr and "--- inference ---" not in r.stdout


# --- microgpt ablate: bad input -------------------------------------------------------------
@pytest.mark.parametrize("argv, expected", [
    (["--off", ","], "--off ',' names no change"),
    (["--n-embd", "7", "--n-head", "4"], "--n-embd (7) must be divisible by --n-head (4)"),
    (["--n-embd", "7"], "--n-embd (7) must be divisible by n_head (4)"),
    (["--preset", "fastest"], "invalid choice: 'fastest'"),
])
def test_ablate_bad_flags_are_one_line_naming_the_flag(capsys, argv, expected):
    code, out, err = run(capsys, "ablate", "--data", DOCS, "--steps", 1, *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], err


def test_ablate_too_few_documents_is_one_line_before_any_table(capsys, tmp_path):
    one = tmp_path / "one.txt"
    one.write_text("emma\n")
    code, out, err = run(capsys, "ablate", "--data", one, "--backend", "numpy")
    assert code == 2 and out == ""  # no header line for a run that never starts
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(one) in lines[0] and "at least 2 documents" in lines[0]


def test_an_output_onto_the_data_file_leaves_the_data_alone(capsys, tmp_path):
    data = tmp_path / "names.txt"
    data.write_bytes(DOCS.read_bytes())
    for flag in ("--jsonl", "--save"):
        code, out, err = run(capsys, "train", "--data", data, "--steps", 2, flag, data)
        assert code == 2 and "is the --data file" in err and out == ""
        assert data.read_bytes() == DOCS.read_bytes()  # --jsonl used to truncate it


def test_every_flag_in_the_readme_synopsis_exists():
    # README's "Command line" block is what people copy; each flag it shows must parse.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a.choices, dict))  # the subcommands
    shown, command = {}, None
    for line in filter(str.strip, block.splitlines()):
        words = line.split()
        if words[0] == "microgpt":
            command = words[1]
        shown.setdefault(command, set()).update(re.findall(r"--[a-z][a-z-]*", line))
    assert set(shown) == {"train", "sample", "ablate"}
    for command, flags in shown.items():
        known = set(sub.choices[command]._option_string_actions)
        assert flags <= known, f"{command}: README shows {sorted(flags - known)}"
        usage = sub.choices[command].format_usage()
        for flag in ("--steps N", "--lr LR", "--top-k K", "--temperature T", "--samples N"):
            if flag.split()[0] in flags and command != "ablate":
                assert flag in usage, (command, flag, usage)


def test_val_every_without_a_validation_split_says_it_does_nothing(capsys):
    code, out, err = run(capsys, "train", "--preset", "original", "--data", DOCS,
                         "--steps", 2, "--val-every", 1, "--samples", 0, "--quiet")
    assert code == 0 and "val loss" not in out
    assert "--val-every 1 has no effect" in err and "original" in err
    code, out, err = run(capsys, "train", "--data", DOCS, "--steps", 2, "--val-every", 1,
                         "--samples", 0, "--quiet")
    assert code == 0 and "val loss" in out and err == ""


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout here")
def test_jsonl_to_standard_output(tmp_path):
    # an existing output that is not a regular file (a pipe, /dev/stdout) is not refused
    # by the "can I write in its folder" check (users may not create files in /dev)
    r = subprocess.run([sys.executable, "-m", "engine.cli", "train", "--data", str(DOCS),
                        "--steps", "2", "--samples", "0", "--quiet", "--jsonl", "/dev/stdout"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    records = [json.loads(ln) for ln in r.stdout.splitlines() if ln.startswith("{")]
    assert [rec["step"] for rec in records] == [1, 2]


def test_damaged_makemore_cache_says_how_to_fix_it(capsys, tmp_path, monkeypatch):
    (tmp_path / "makemore-names.txt").write_bytes(b"")
    monkeypatch.setenv("MICROGPT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("MICROGPT_MAKEMORE_URL", closed_port_url())  # must not be fetched
    for command in (["train"], ["ablate", "--backend", "numpy", "--steps", "1"]):
        code, out, err = run(capsys, *command, "--data", "makemore")
        assert code == 2 and out == ""
        assert "makemore-names.txt: is empty" in err and "delete it to fetch it again" in err


@needs_numpy
def test_sample_with_a_vanishing_temperature_is_refused_not_a_traceback(capsys, tmp_path):
    ckpt = tmp_path / "c.npz"
    assert run(capsys, "train", "--data", DOCS, "--steps", 1, "--save", ckpt)[0] == 0
    code, out, err = run(capsys, "sample", "--checkpoint", ckpt, "--temperature", "1e-320")
    assert code == 2 and out == "" and "too small" in err and "--top-k 1" in err
    code, out, _ = run(capsys, "sample", "--checkpoint", ckpt, "--temperature", "0.001",
                       "--samples", 2)
    assert code == 0 and out.count("sample ") == 2


def test_out_of_memory_is_one_line(capsys, monkeypatch):
    from engine.trainer import Trainer

    def too_big(self, *a, **k):
        raise MemoryError  # what numpy raises for an impossible --batch-size

    monkeypatch.setattr(Trainer, "step", too_big)
    code, out, err = run(capsys, "train", "--data", DOCS, "--steps", 2)
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("microgpt: error: out of memory")
    assert "--batch-size" in err


@pytest.mark.parametrize("argv", [
    ["train", "--save", ""],  # trained and exited 0 without saving anything
    ["train", "--jsonl", ""],  # trained without the log
    ["train", "--data", ""],  # trained on the bundled names
    ["ablate", "--backend", "numpy", "--data", ""],  # ... so did ablate
    ["train", "--resume", ""],  # ".: is a directory, not a checkpoint"
    ["sample", "--checkpoint", ""],  # the same
], ids=lambda a: " ".join(a))
def test_an_empty_file_name_is_refused_not_taken_as_no_file(capsys, argv):
    # e.g. --save "$CKPT" with CKPT unset: the run must not go ahead without its output
    extra = {"train": ["--steps", 1, "--samples", 0], "ablate": ["--steps", 1]}
    code, out, err = run(capsys, *argv, *extra.get(argv[0], []))
    flag = argv[-2]
    assert code == 2 and out == "", (out, err)
    assert err.strip().splitlines() == [
        f"microgpt: error: argument {flag}: needs a file name, got '' "
        f"(see 'microgpt {argv[0]} --help')"]


@needs_numpy
def test_a_run_with_validation_ends_with_the_loss_scale(capsys):
    from engine import Trainer, load_dataset, preset
    from engine.baselines import baselines

    code, out, err = run(capsys, "train", "--data", DOCS, "--steps", 10, "--val-every", 5,
                         "--samples", 0)
    assert code == 0
    line = [ln for ln in err.splitlines() if ln.startswith("for scale")]
    b = baselines(Trainer(preset("optimized"), load_dataset(DOCS)))
    assert len(line) == 1 and f"guessing {b.guessing:.4f}" in line[0]
    assert f"letter pairs {b.bigram:.4f}" in line[0]
    val = [ln for ln in out.splitlines() if "val loss" in ln][-1].split()[-1]
    assert line[0].endswith(f"this run: {val}")
    code, out, err = run(capsys, "train", "--preset", "original", "--data", DOCS,
                         "--steps", 3, "--samples", 0)
    assert code == 0 and "for scale" not in err  # no validation: nothing to compare
