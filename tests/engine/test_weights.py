"""engine/weights.py: the update-to-weight ratio per kind of matrix, measured after steps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import Trainer, preset
from engine.weights import RatioRecorder, UpdateMeter, kind_of, matrix_view, update_ratios


def small(backend="numpy", **model):
    cfg = preset("optimized")
    cfg.backend = backend
    for k, v in model.items():
        setattr(cfg.model, k, v)
    cfg.train.num_steps = 50
    return cfg


@pytest.fixture
def docs():
    return ["anna", "bob", "carla", "dave", "emma", "frank", "gina", "hugo", "iris", "jon"]


def naive(before: dict, after: dict) -> dict:
    """rms(Δ)/rms(w) per kind, the slow and obvious way."""
    moved, size = {}, {}
    for name in before:
        k = kind_of(name)
        moved[k] = moved.get(k, 0.0) + float(((after[name] - before[name]) ** 2).sum())
        size[k] = size.get(k, 0.0) + float((before[name] ** 2).sum())
    return {k: (np.sqrt(moved[k] / size[k]) if size[k] else np.nan) for k in moved}


def test_kinds_group_the_layers():
    assert kind_of("layer3.attn_wq") == "attn_wq"
    assert kind_of("wte") == "wte" and kind_of("lm_head") == "lm_head"


def test_ratios_match_the_obvious_computation_over_several_layers(docs):
    t = Trainer(small(n_layer=3), docs)
    meter = UpdateMeter()
    assert meter(t) is None  # nothing to compare with yet
    for _ in range(4):
        before = {k: p.copy() for k, p in t.params.items()}
        t.step()
        step, kinds, ratios = meter(t)
        assert step == t.step_num
        want = naive(before, dict(t.params.items()))
        assert kinds == list(want)  # first-seen order: wte, wpe, attn_wq, ...
        assert len(kinds) == 8  # three layers folded into one line per kind
        np.testing.assert_allclose(ratios, [want[k] for k in kinds], rtol=1e-12)


def test_an_all_zero_matrix_has_no_ratio():
    before = np.array([1.0, 2.0, 0.0, 0.0])
    after = np.array([1.1, 2.0, 0.5, 0.0])
    r = update_ratios(before, after, np.array([0, 2]), np.array([0, 1]), 2)
    assert r[0] == pytest.approx(0.1 / np.sqrt(5)) and np.isnan(r[1])


def test_zero_init_projections_move_only_once_the_gradient_reaches_them(docs):
    # Zero-initialised output projections (attn_wo, mlp_fc2) have no size at step 1;
    # query/key/value/fc1 get no gradient through a zero projection, so only weight
    # decay moves them: ~lr·wd = 1e-6 of their size.
    t = Trainer(small(), docs)
    meter = UpdateMeter()
    meter(t)
    t.step()
    _, kinds, r = meter(t)
    by = dict(zip(kinds, r))
    assert np.isnan(by["attn_wo"]) and np.isnan(by["mlp_fc2"])
    lr, wd = t.config.train.learning_rate, t.config.train.weight_decay
    assert by["attn_wq"] == pytest.approx(lr * wd, rel=1e-3)
    assert by["wte"] > 1e-2  # the embedding is learning


def test_a_missed_step_or_a_new_model_starts_afresh(docs):
    t = Trainer(small(), docs)
    meter = UpdateMeter()
    meter(t)
    t.step()
    assert meter(t) is not None
    t.step()
    t.step()  # the meter did not see the step before this one
    assert meter(t) is None
    t.step()
    assert meter(t) is not None
    other = Trainer(small(), docs)
    other.step_num = t.step_num + 1  # even a step number that would fit
    assert meter(other) is None


def test_both_backends_measure_the_same_steps(docs):
    # The ratio is read from the weights, so the two backends (same numbers) agree.
    got = []
    for backend in ("numpy", "reference"):
        t = Trainer(small(backend, n_embd=8, n_head=2, block_size=6), docs)
        meter = UpdateMeter()
        meter(t)
        rows = []
        for _ in range(3):
            t.step()
            rows.append(meter(t)[2])
        got.append(np.array(rows))
    np.testing.assert_allclose(got[0], got[1], rtol=1e-9)


def test_the_recorder_measures_only_while_enabled(docs):
    t = Trainer(small(), docs)
    rec = RatioRecorder(min_interval=0)
    for _ in range(3):
        rec(t, t.step())
    assert not rec.queue  # off: nothing measured, nothing copied
    rec.enabled = True
    for _ in range(3):
        rec(t, t.step())
    assert [row[1] for row in rec.queue] == [5, 6]  # the first call only remembers
    assert {row[0] for row in rec.queue} == {1} and not any(row[4] for row in rec.queue)
    rec.enabled = False
    rec(t, t.step())
    rec.enabled = True
    for _ in range(2):
        rec(t, t.step())
    assert rec.queue[-1][1] == 9 and rec.queue[-1][4]  # after steps it did not watch
    t2 = Trainer(small(), docs)
    for _ in range(2):
        rec(t2, t2.step())
    assert rec.queue[-1][0] == 2 and rec.queue[-1][1] == 2  # a new model: a new run
    assert not rec.queue[-1][4]


def test_a_thinned_out_recorder_still_measures_single_steps(docs):
    # Flat out, at most one step per min_interval is measured, but the weights are kept
    # every step: a measured row is one step's change, never several steps'.
    t = Trainer(small(), docs)
    rec = RatioRecorder(min_interval=math.inf)  # only the first measurable step
    rec.enabled = True
    for _ in range(3):
        rec(t, t.step())
    rec.min_interval = 0
    before = {k: p.copy() for k, p in t.params.items()}
    rec(t, t.step())
    assert [row[1] for row in rec.queue] == [2, 4]
    want = naive(before, dict(t.params.items()))
    np.testing.assert_allclose(rec.queue[-1][3], [want[k] for k in rec.queue[-1][2]],
                               rtol=1e-12)
    assert not rec.queue[-1][4]  # thinned, not a gap: the line goes on


def test_matrix_view_copies_the_chosen_matrix(docs):
    t = Trainer(small(), docs)
    step, names, name, w, labels = matrix_view(t, "layer0.mlp_fc1")
    assert name == "layer0.mlp_fc1" and names[0] == "wte" and len(labels) == t.tokenizer.vocab_size
    np.testing.assert_array_equal(w, t.params[name])
    w[...] = 0
    assert np.abs(t.params[name]).sum() > 0  # a copy: the panel cannot touch training
    assert matrix_view(t, "layer7.attn_wq")[2] == "wte"  # a name this model lacks
    assert matrix_view(None, "wte") is None
