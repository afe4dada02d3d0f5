"""PCA of embeddings, run records + CSV round trip, the bounded time-lapse."""

import math
from pathlib import Path

import numpy as np
import pytest

from engine import load_dataset, preset
from engine.analysis import (
    Snapshot,
    TimeLapse,
    fast_view,
    is_vowel,
    pca_2d,
    take_snapshot,
)
from engine.run_record import RunRecord, read_csv, write_csv
from engine.trainer import StepStats, Trainer

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs.txt"


def test_pca_recovers_a_plane_and_is_sign_stable():
    rng = np.random.default_rng(0)
    plane = rng.normal(size=(27, 2)) * [5.0, 1.0]
    basis = np.linalg.qr(rng.normal(size=(16, 16)))[0][:2]  # two orthonormal rows
    x = plane @ basis + 3.0
    p = pca_2d(x)
    assert p.shape == (27, 2)
    # Distances are preserved when the data lies in a plane.
    d = lambda a: np.linalg.norm(a[:, None] - a[None], axis=-1)  # noqa: E731
    np.testing.assert_allclose(d(p), d(plane), atol=1e-9)
    # The axes' signs follow the data, not the SVD's whim: reordering the rows (which
    # changes nothing about the cloud) gives the same picture, reordered.
    perm = rng.permutation(27)
    np.testing.assert_allclose(pca_2d(x[perm]), p[perm], atol=1e-9)
    assert np.all(pca_2d(np.ones((5, 4))) == 0)  # no spread: no axes, no NaN
    assert pca_2d(np.zeros((1, 3))).shape == (1, 2)
    assert is_vowel("a") and not is_vowel("b") and not is_vowel("⟨BOS⟩")


def _record(name, n=5, val_every=2):
    rec = RunRecord(name, preset="optimized")
    for i in range(1, n + 1):
        rec.add(StepStats(step=i, loss=3.0 / i + 1e-13, grad_norm=0.1 * i, lr=0.01 / i,
                          ms=12.5, doc="x", val_loss=(2.0 + 1 / 3 / i) if i % val_every == 0
                          else None))
    return rec


def test_run_record_finals_and_dict_round_trip():
    rec = _record("a")
    assert rec.steps == 5
    assert rec.final("loss") == pytest.approx(0.6)
    assert rec.final("val_loss") == pytest.approx(2 + 1 / 12)
    assert rec.seconds == pytest.approx(5 * 0.0125)
    back = RunRecord.from_dict(rec.to_dict())
    assert back.name == "a" and back.steps == 5
    np.testing.assert_array_equal(back.array("loss"), rec.array("loss"))
    assert math.isnan(back.curves["val_loss"][0])
    with pytest.raises(ValueError, match="not a valid run record"):
        RunRecord.from_dict({"curves": {}})


def test_csv_round_trip_one_and_many(tmp_path):
    a, b = _record("a"), _record("b, with comma", n=3)
    write_csv(tmp_path / "one.csv", [a])
    (one,) = read_csv(tmp_path / "one.csv", default_name="not this")
    assert one.name == "a"  # the run's own name, from the run column
    for col in a.curves:
        np.testing.assert_array_equal(one.array(col), a.array(col))  # exact, NaN included
    header = (tmp_path / "one.csv").read_text().splitlines()[0]
    assert header == "run,step,loss,val_loss,grad_norm,lr,ms,preset,changes,run_seconds"
    write_csv(tmp_path / "all.csv", [a, b])
    runs = read_csv(tmp_path / "all.csv")
    assert [r.name for r in runs] == ["a", "b, with comma"]
    np.testing.assert_array_equal(runs[1].array("grad_norm"), b.array("grad_norm"))


def test_csv_bad_input_names_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("step,loss,val_loss,grad_norm,lr,ms\n1,2.0,,0.1,0.01,3\n2,oops,,0.1,0.01,3\n")
    with pytest.raises(ValueError, match="^bad.csv, line 3: column 'loss' must be a number, "
                       "got 'oops'$"):
        read_csv(bad)
    bad.write_text("a,b\n")
    with pytest.raises(ValueError, match="^bad.csv, line 1: not a curves CSV: expected the "
                       "columns step, loss"):
        read_csv(bad)
    with pytest.raises(ValueError, match="^missing.csv: no such file"):
        read_csv(tmp_path / "missing.csv")


def _snap(step):
    return Snapshot(step, 1.0, None, [], np.zeros((3, 2)), ["a", "b", "c"], [])


def test_timelapse_is_bounded_and_spread():
    tl = TimeLapse(every=1, capacity=8)
    for step in range(1, 1001):
        if tl.due(step):
            tl.add(_snap(step))
        assert len(tl) <= 8
    steps = tl.steps()
    assert steps[0] == 1 and steps == sorted(steps)
    assert steps[-1] > 1000 - tl.every  # the recent past is kept ...
    assert steps[len(steps) // 2] < 700  # ... and so is the middle of the run
    tl.add(_snap(3))  # going back in steps (a reset) starts over
    assert tl.steps() == [3] and tl.every == 1


def test_take_snapshot_fixed_samples_dont_touch_training_rng():
    cfg = preset("optimized", backend="reference", n_embd=8, n_head=2, num_steps=5)
    t = Trainer(cfg, load_dataset(DOCS))
    t.step()
    state = t.rng.getstate()
    s1 = take_snapshot(t.snapshot(), t.step_num, "emma", n_samples=3, seed=7)
    s2 = take_snapshot(t.snapshot(), t.step_num, "emma", n_samples=3, seed=7)
    assert t.rng.getstate() == state
    assert s1.samples == s2.samples and len(s1.samples) == 3
    assert s1.embedding.shape == (t.tokenizer.vocab_size, 2)
    assert s1.attention.shape == (1, 2, 5, 5) and s1.attention_labels[1] == "e"
    assert take_snapshot(t.snapshot(), 1, "é!", n_samples=0).attention is None


def test_curves_travel_in_a_checkpoint_and_training_continues(tmp_path):
    cfg = preset("optimized", backend="reference", n_embd=8, n_head=2, num_steps=6,
                 val_every=2, val_docs=3)
    data = load_dataset(DOCS)
    straight = Trainer(cfg, data)
    want = [straight.step() for _ in range(6)]
    t = Trainer(cfg, data)
    rec = RunRecord("run 1", preset="optimized")
    for _ in range(3):
        rec.add(t.step())
    t.save(tmp_path / "c.npz", extra={"run": rec.to_dict()})
    back = Trainer.load(tmp_path / "c.npz", data)
    rec2 = RunRecord.from_dict(back.checkpoint_extra["run"])
    assert rec2.curves["loss"] == rec.curves["loss"]
    for _ in range(3):
        rec2.add(back.step())
    assert rec2.curves["loss"] == [s.loss for s in want]
    assert rec2.final("val_loss") == want[5].val_loss


def test_fast_view_gives_the_reference_numbers_and_snapshots_can_stop_early():
    cfg = preset("optimized", backend="reference", n_embd=8, n_head=2, num_steps=5)
    t = Trainer(cfg, load_dataset(DOCS))
    t.step()
    fast = fast_view(t)
    assert fast.backend.name == "numpy"
    np.testing.assert_allclose(fast.next_token_probs("em"), t.next_token_probs("em"),
                               rtol=1e-9)
    calls = []
    snap = take_snapshot(fast, 1, "emma", n_samples=5,
                         cancelled=lambda: calls.append(1) or len(calls) > 2)
    assert len(snap.samples) == 2


def test_snapshot_sampling_fits_a_time_budget():
    cfg = preset("optimized", n_embd=8, n_head=2, num_steps=5, backend="numpy")
    view = fast_view(Trainer(cfg, load_dataset(DOCS)))
    assert take_snapshot(view, 0, "emma", n_samples=3, budget_s=10.0).samples
    assert take_snapshot(view, 0, "emma", n_samples=3, budget_s=0.0).samples == []


def test_negative_develops_into_the_snapshot_of_its_step_however_training_goes_on():
    from engine.analysis import NEGATIVE_MAX_PARAMS, Negative, negative

    cfg = preset("optimized", n_embd=8, n_head=2, num_steps=50)
    t = Trainer(cfg, load_dataset(DOCS))
    for _ in range(3):
        t.step()
    options = {"n_samples": 3, "seed": 7}
    eager = take_snapshot(t.snapshot(), t.step_num, "emma", **options)
    film = negative(t, "emma", **options)
    assert isinstance(film, Negative) and film.step == 3
    for _ in range(10):  # the negative holds a copy: later steps must not leak into it
        t.step()
    lapse = TimeLapse(every=1, capacity=4)
    lapse.add(film)
    developed = lapse.at(0)
    assert isinstance(developed, Snapshot) and lapse.at(0) is developed  # developed once
    assert developed.samples == eager.samples
    np.testing.assert_array_equal(developed.attention, eager.attention)
    np.testing.assert_array_equal(developed.embedding, eager.embedding)
    # Too big to keep dozens of copies: the caller takes a developed snapshot instead.
    big = preset("optimized", n_embd=64, n_head=4, n_layer=2, num_steps=5)
    tb = Trainer(big, load_dataset(DOCS))
    assert tb.num_params > NEGATIVE_MAX_PARAMS
    assert negative(tb, "emma") is None
