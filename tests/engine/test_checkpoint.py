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
