"""Pipes as `--data`, `--checkpoint` and `--resume` (`--data <(zcat names.gz)`, a mkfifo
path): read once, like a file; one that nothing writes into is refused with one line
naming it, after a short wait, never waited for for ever (it was: open() blocks until a
writer comes). A checkpoint through a pipe was refused as "not a valid .npz archive"
(it is read twice, and by seeking)."""

from __future__ import annotations

import os
import threading

import pytest

from engine import pipe_input
from tests.helpers import DOCS
from tests.helpers import run_cli as run

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def feed(path, data: bytes) -> threading.Thread:
    """Write data into the named pipe `path` once a reader opens it (in a thread)."""
    def write():
        with open(path, "wb") as f:
            f.write(data)

    t = threading.Thread(target=write, daemon=True)
    t.start()
    return t


def cli(capsys, *argv, limit=30.0):
    """run_cli in a thread; if it is still waiting after `limit` s, a writer is opened
    and closed on every pipe in argv to release it, and the test fails."""
    box = {}
    t = threading.Thread(target=lambda: box.update(r=run(capsys, *argv)), daemon=True)
    t.start()
    t.join(limit)
    if t.is_alive():
        for a in argv:
            if pipe_input.is_pipe(a):
                os.close(os.open(a, os.O_WRONLY | os.O_NONBLOCK))
        t.join(10)
        pytest.fail(f"microgpt {' '.join(map(str, argv))}: still waiting after {limit} s")
    return box["r"]


@pytest.fixture
def fifo(tmp_path, monkeypatch):
    monkeypatch.setattr(pipe_input, "PIPE_WAIT_S", 0.5)
    path = tmp_path / "in.pipe"
    os.mkfifo(path)
    return path


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    from engine import Trainer, load_dataset, preset

    path = tmp_path_factory.mktemp("ck") / "c.npz"
    t = Trainer(preset("optimized", num_steps=5), load_dataset(str(DOCS)))
    for _ in range(2):
        t.step()
    t.save(path)
    return path


@pytest.mark.parametrize("argv", [("train", "--steps", 1), ("sample",)],
                         ids=["data", "checkpoint"])
def test_a_pipe_nothing_writes_into_is_one_line_not_a_hang(capsys, fifo, argv):
    flag = "--data" if argv[0] == "train" else "--checkpoint"
    code, out, err = cli(capsys, *argv, flag, fifo, limit=10)
    assert code == 2 and out == ""
    assert err.startswith(f"microgpt: error: {fifo}: ") and "named pipe" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_data_through_a_pipe_is_read(capsys, fifo):
    feed(fifo, DOCS.read_bytes())
    code, out, err = cli(capsys, "train", "--data", fifo, "--steps", 2, "--samples", 1)
    assert code == 0, err
    assert out.startswith("num docs: 300 (train 270, val 30)")


def test_a_checkpoint_through_a_pipe_is_sampled(capsys, fifo, checkpoint):
    _, want, _ = cli(capsys, "sample", "--checkpoint", checkpoint, "--samples", 3)
    feed(fifo, checkpoint.read_bytes())
    code, out, err = cli(capsys, "sample", "--checkpoint", fifo, "--samples", 3)
    assert code == 0, err
    assert out == want and "sample  3:" in out


def test_a_checkpoint_through_a_pipe_is_resumed(capsys, fifo, checkpoint):
    """--resume reads the checkpoint twice (its settings first): a pipe is read once."""
    _, want, _ = cli(capsys, "train", "--resume", checkpoint, "--steps", 4, "--data", DOCS)
    feed(fifo, checkpoint.read_bytes())
    code, out, err = cli(capsys, "train", "--resume", fifo, "--steps", 4, "--data", DOCS)
    assert code == 0, err
    strip = [ln.split(" | ")[:2] for ln in out.splitlines()]  # (not the ms per step)
    assert strip == [ln.split(" | ")[:2] for ln in want.splitlines()]
