"""Checkpoint round trip, exact resume, and refusal of bad files."""

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from engine import Trainer, load_dataset, preset
from engine.checkpoint import CheckpointError

DATA = Path(__file__).resolve().parents[1] / "data" / "docs.txt"


def small_config(backend="reference"):
    # tiny model so the reference backend stays fast
    return preset("optimized", n_embd=8, n_head=2, block_size=6, num_steps=12, val_every=4,
                  backend=backend)


def run(trainer, n):
    return [(s.loss, s.grad_norm, s.lr, s.val_loss) for s in (trainer.step() for _ in range(n))]


def test_save_load_continue_is_exact(tmp_path):
    data = load_dataset(DATA)
    straight = Trainer(small_config(), data)
    expected = run(straight, 8)
    expected_samples = straight.sample(5)

    first = Trainer(small_config(), data)
    got = run(first, 3)
    ckpt = tmp_path / "run.npz"
    first.save(ckpt, extra={"note": "hello"})
    resumed = Trainer.load(ckpt)  # reloads the data from the recorded source
    assert resumed.step_num == 3
    assert resumed.checkpoint_extra == {"note": "hello"}
    got += run(resumed, 5)
    assert got == expected  # exactly the same floats, validation included
    assert resumed.sample(5) == expected_samples  # RNG state restored too


def test_checkpoint_has_no_pickle(tmp_path):
    t = Trainer(small_config(), load_dataset(DATA))
    t.step()
    t.save(tmp_path / "c.npz")
    with np.load(tmp_path / "c.npz", allow_pickle=False) as z:
        meta = json.loads(z["meta.json"].tobytes())
        assert meta["format"] == "microgpt-checkpoint"
        assert z["param/wte"].dtype == np.float64


def test_truncated_checkpoint_refused(tmp_path):
    t = Trainer(small_config(), load_dataset(DATA))
    good = tmp_path / "good.npz"
    t.save(good)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(CheckpointError, match="bad.npz"):
        Trainer.load(bad)


def test_json_renamed_npz_refused(tmp_path):
    bad = tmp_path / "fake.npz"
    bad.write_text(json.dumps({"format": "microgpt-checkpoint"}))
    with pytest.raises(CheckpointError, match="not a microgpt checkpoint"):
        Trainer.load(bad)


def test_missing_and_directory_refused(tmp_path):
    with pytest.raises(CheckpointError, match="no such file"):
        Trainer.load(tmp_path / "nope.npz")
    with pytest.raises(CheckpointError, match="directory"):
        Trainer.load(tmp_path)


def test_other_npz_refused(tmp_path):
    p = tmp_path / "other.npz"
    np.savez(p, x=np.zeros(3))
    with pytest.raises(CheckpointError, match="no meta.json"):
        Trainer.load(p)


def test_mismatched_shapes_refused(tmp_path):
    t = Trainer(small_config(), load_dataset(DATA))
    good = tmp_path / "good.npz"
    t.save(good)
    # rewrite the archive with one weight of the wrong shape
    with np.load(good, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["param/wte"] = np.zeros((3, 3))
    bad = tmp_path / "shape.npz"
    np.savez(bad, **arrays)
    with pytest.raises(CheckpointError, match="param/wte has shape"):
        Trainer.load(bad)


def test_changed_data_refused(tmp_path):
    t = Trainer(small_config(), load_dataset(DATA))
    ckpt = tmp_path / "c.npz"
    t.save(ckpt)
    other = load_dataset(DATA)
    other.docs = other.docs[:-1]
    with pytest.raises(CheckpointError, match="does not match|has changed"):
        Trainer.load(ckpt, dataset=other)


def test_corrupt_meta_refused(tmp_path):
    p = tmp_path / "meta.npz"
    np.savez(p, **{"meta.json": np.frombuffer(b"{not json", dtype=np.uint8)})
    with pytest.raises(CheckpointError, match="corrupt checkpoint metadata"):
        Trainer.load(p)
    assert zipfile.is_zipfile(p)


# --- the file on disk, where its data is, and sampling without the data ------------------
def rewrite_meta(src, dest, change):
    """A copy of checkpoint src whose metadata is change(meta) (the arrays as they are)."""
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = change(json.loads(arrays["meta.json"].tobytes()))
    arrays["meta.json"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(dest, **arrays)
    return dest


def test_saved_file_is_readable_like_any_other_file(tmp_path):
    import os
    import stat

    t = Trainer(small_config(), load_dataset(DATA))
    old = os.umask(0o022)
    try:
        t.save(tmp_path / "c.npz")
    finally:
        os.umask(old)
    # mkstemp's private 0600 must not leak into the checkpoint a teacher hands out
    assert stat.S_IMODE((tmp_path / "c.npz").stat().st_mode) == 0o644


@pytest.mark.parametrize("where", ["file_as_folder", "folder"])
def test_save_where_it_cannot_write_names_the_file(tmp_path, where):
    t = Trainer(small_config(), load_dataset(DATA))
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    target = blocker / "c.npz" if where == "file_as_folder" else tmp_path
    with pytest.raises(CheckpointError) as e:
        t.save(target)
    assert str(target) in str(e.value) and "\n" not in str(e.value)
    assert not list(tmp_path.glob("*.tmp"))


def test_data_path_is_recorded_absolute(tmp_path, monkeypatch):
    (tmp_path / "names.txt").write_bytes(DATA.read_bytes())
    monkeypatch.chdir(tmp_path)
    t = Trainer(small_config(), load_dataset("names.txt"))  # relative, as typed
    t.save(tmp_path / "c.npz")
    monkeypatch.chdir(DATA.parent)  # somewhere else
    with np.load(tmp_path / "c.npz") as z:
        meta = json.loads(z["meta.json"].tobytes())
    assert meta["data_source"] == str(tmp_path / "names.txt")
    assert Trainer.load(tmp_path / "c.npz").step_num == 0


def test_old_relative_data_path_is_found_beside_the_checkpoint(tmp_path, monkeypatch):
    (tmp_path / "names.txt").write_bytes(DATA.read_bytes())
    t = Trainer(small_config(), load_dataset(tmp_path / "names.txt"))
    t.step()
    t.save(tmp_path / "abs.npz")
    rel = rewrite_meta(tmp_path / "abs.npz", tmp_path / "rel.npz",
                       lambda m: {**m, "data_source": "names.txt"})
    monkeypatch.chdir(DATA.parent)
    assert Trainer.load(rel).step_num == 1


def test_sampling_needs_no_training_data(tmp_path):
    from engine.checkpoint import load_inference

    data = tmp_path / "names.txt"
    data.write_bytes(DATA.read_bytes())
    t = Trainer(small_config(), load_dataset(data))
    for _ in range(5):
        t.step()
    t.save(tmp_path / "c.npz")
    expected = t.sample(6)  # continues the run's own RNG
    data.unlink()  # the data has gone: training could not continue, sampling can
    with pytest.raises(CheckpointError, match="cannot reload its training data"):
        Trainer.load(tmp_path / "c.npz")
    model, rng = load_inference(tmp_path / "c.npz")
    assert model.sample(6, rng=rng) == expected
    assert model.tokenizer.chars == t.tokenizer.chars


@pytest.mark.parametrize("change, reason", [
    (lambda m: {**m, "config": "x"}, "invalid settings"),
    (lambda m: {**m, "config": [1]}, "invalid settings"),
    (lambda m: {**m, "config": {**m["config"], "train": {**m["config"]["train"],
                                                          "temperature": None}}},
     "temperature must be a number"),
    (lambda m: {**m, "config": {**m["config"], "model": {**m["config"]["model"],
                                                          "weight_tying": "no"}}},
     "weight_tying must be true or false"),
    (lambda m: {**m, "data_source": 12}, "data_source"),
    (lambda m: {**m, "vocab": 5}, "vocab"),
])
def test_damaged_metadata_is_refused_in_one_line(tmp_path, change, reason):
    from engine.checkpoint import load_inference

    t = Trainer(small_config(), load_dataset(DATA))
    t.save(tmp_path / "good.npz")
    bad = rewrite_meta(tmp_path / "good.npz", tmp_path / "bad.npz", change)
    for load in (Trainer.load, load_inference):
        if reason == "data_source" and load is load_inference:
            continue  # sampling does not read the data
        with pytest.raises(CheckpointError) as e:
            load(bad)
        msg = str(e.value)
        assert str(bad) in msg and reason in msg and "\n" not in msg, msg


def test_extra_that_is_not_an_object_is_ignored(tmp_path):
    t = Trainer(small_config(), load_dataset(DATA))
    t.save(tmp_path / "good.npz")
    odd = rewrite_meta(tmp_path / "good.npz", tmp_path / "odd.npz",
                       lambda m: {**m, "extra": "zzz"})
    assert Trainer.load(odd).checkpoint_extra == {}


def test_load_with_another_backend_and_metadata_alone(tmp_path):
    from engine.checkpoint import CheckpointDataError, load_checkpoint, read_checkpoint

    t = Trainer(small_config(backend="numpy"), load_dataset(DATA))
    run(t, 3)
    ckpt = tmp_path / "c.npz"
    t.save(ckpt)
    meta, arrays = read_checkpoint(ckpt, arrays=False)  # the settings without the weights
    assert meta["step"] == 3 and arrays == {}
    numpy_steps = run(Trainer.load(ckpt), 3)
    other = load_checkpoint(ckpt, backend="reference")
    assert other.config.backend == "reference" and other.step_num == 3
    for got, want in zip(run(other, 3), numpy_steps, strict=True):
        assert got[0] == pytest.approx(want[0], rel=1e-9)  # the same numbers
    fewer = load_dataset(DATA)
    fewer.docs = fewer.docs[:-1]
    with pytest.raises(CheckpointDataError, match="does not match"):
        load_checkpoint(ckpt, dataset=fewer)


def test_makemore_data_is_recorded_portably(tmp_path, monkeypatch):
    """A checkpoint trained on the cached makemore names records "makemore", not this
    user's cache path: another computer reloads its own cached copy, and says how to get
    one when it has none. Older checkpoints with a foreign cache path are read the same."""
    from engine import download
    from engine.checkpoint import CheckpointDataError

    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv(download.ENV_CACHE_DIR, str(cache))
    download.makemore_path().write_bytes(DATA.read_bytes())  # as if downloaded here
    t = Trainer(small_config(), load_dataset(download.makemore_path()))
    t.step()
    t.save(tmp_path / "c.npz")
    with np.load(tmp_path / "c.npz") as z:
        assert json.loads(z["meta.json"].tobytes())["data_source"] == "makemore"
    old = rewrite_meta(tmp_path / "c.npz", tmp_path / "old.npz", lambda m: {
        **m, "data_source": "/home/someone/.cache/microgpt/" + download.MAKEMORE_FILE})
    other = tmp_path / "other-computer"
    other.mkdir()
    download.makemore_path(other).write_bytes(DATA.read_bytes())
    monkeypatch.setenv(download.ENV_CACHE_DIR, str(other))
    for ckpt in (tmp_path / "c.npz", old):
        assert Trainer.load(ckpt).step_num == 1
    download.makemore_path(other).unlink()  # a computer that never downloaded them
    for ckpt in (tmp_path / "c.npz", old):
        with pytest.raises(CheckpointDataError, match="makemore names are not on this "
                           "computer yet: download them first"):
            Trainer.load(ckpt)


def damaged_copies(good, tmp_path):
    """Copies of checkpoint `good` damaged where the zip and .npy readers raise neither
    OSError nor ValueError: an unbalanced bracket in a .npy header (tokenize.TokenError)
    and an unknown compression method in the zip directory (NotImplementedError)."""
    import struct

    raw = good.read_bytes()
    header = bytearray(raw)
    at = raw.index(b",), }")  # the end of the first array's shape, e.g. (8450,)
    header[at + 1] = ord(" ")  # -> "(8450, " never closed
    method = bytearray(raw)
    at = raw.index(b"PK\x01\x02")  # the first central directory entry
    method[at + 10 : at + 12] = struct.pack("<H", 99)  # compression method 99
    out = {"header": tmp_path / "header.npz", "method": tmp_path / "method.npz"}
    out["header"].write_bytes(bytes(header))
    out["method"].write_bytes(bytes(method))
    return out


def test_damage_the_readers_do_not_report_as_value_errors_is_refused_in_one_line(
        tmp_path, capsys):
    # Both were tracebacks (TokenError, NotImplementedError), in the app and the CLI.
    from engine.checkpoint import load_inference
    from tests.helpers import run_cli

    t = Trainer(small_config(backend="numpy"), load_dataset(DATA))
    t.save(tmp_path / "good.npz")
    for bad in damaged_copies(tmp_path / "good.npz", tmp_path).values():
        for load in (Trainer.load, load_inference):
            with pytest.raises(CheckpointError) as e:
                load(bad)
            assert str(bad) in str(e.value) and "corrupt" in str(e.value)
        code, out, err = run_cli(capsys, "sample", "--checkpoint", bad)
        assert code == 2 and out == "" and err.startswith("microgpt: error: ")
        assert len(err.strip().splitlines()) == 1 and str(bad) in err


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs named pipes")
def test_save_onto_a_special_file_writes_into_it_and_leaves_it_in_place(tmp_path):
    # Saving went through a temp file renamed over the target: `--save /dev/null` (or a
    # named pipe, /dev/stdout) replaced the special file with a regular one, which as root
    # destroys /dev/null for the whole machine, and as a user failed after the whole run
    # (no writable temp folder in /dev) although the CLI had checked --save beforehand.
    # A named pipe stands in for the device here: the test must never touch /dev/null.
    import io
    import os
    import stat

    from tests.helpers import through_a_pipe

    t = Trainer(small_config(backend="numpy"), load_dataset(DATA))
    t.step()
    pipe, got = through_a_pipe(tmp_path, t.save)
    received = [got] if got is not None else []
    assert stat.S_ISFIFO(os.stat(pipe).st_mode), "the pipe was replaced by a regular file"
    assert received, "nothing was written into the pipe"
    with np.load(io.BytesIO(received[0]), allow_pickle=False) as z:
        assert json.loads(z["meta.json"].tobytes())["step"] == 1
        np.testing.assert_array_equal(z["param/wte"], t.params["wte"])
    assert not list(tmp_path.glob("*.tmp"))
