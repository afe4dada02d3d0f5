"""The fused one-document step (engine/fused.py) against the layer-by-layer path
(engine/layers.py via NumpyBackend.forward/backward), which test_numpy_backend.py checks
against finite differences and the reference backend.

Random configs cover every shape and flag the fused path handles: 1-3 layers, 1/2/4
heads, head sizes that are and are not powers of two (1/√D exact or not), tied and
untied heads, relu and relu², documents shorter than, equal to and longer than the
block, and the one-token-target document (BOS BOS)."""

import random

import numpy as np
import pytest

from engine import Trainer, preset
from engine import layers as L
from engine.backends import init_params
from engine.fused import FUSED_MAX_HT, FusedStep
from engine.numpy_backend import NumpyBackend
from engine.trainer import FlatParams


def layered(backend, params, tokens):
    """Loss and flat gradient of one document through the per-layer forward/backward."""
    B, T, inputs, targets, weights = backend._batch_arrays([tokens])
    logits, caches = backend.forward(params, inputs, B, T)
    loss, c_ce = L.cross_entropy_forward(logits, targets, weights)
    return loss, backend.backward(L.cross_entropy_backward(c_ce), caches).flat


def random_case(seed):
    r = random.Random(seed)
    n_head = r.choice([1, 2, 4])
    cfg = preset(
        r.choice(["optimized", "original"]), n_head=n_head,
        n_embd=n_head * r.choice([1, 2, 3, 4, 8]), n_layer=r.choice([1, 2, 3]),
        block_size=r.randint(1, 12), weight_tying=r.random() < 0.5,
        activation=r.choice(["relu", "relu2"]),
    )
    cfg.model.vocab_size = r.randint(2, 30)
    cfg.model.init_std = r.choice([0.1, 0.5])  # large enough that every path carries signal
    cfg.model.zero_init = False
    n = r.choice([0, 1, r.randint(1, 20)])  # characters between the two BOS
    tokens = [0, *(r.randrange(cfg.model.vocab_size) for _ in range(n)), 0]
    return cfg, init_params(cfg.model, random.Random(seed)), tokens


@pytest.mark.parametrize("seed", range(40))
def test_fused_matches_layer_path(seed):
    cfg, params, tokens = random_case(seed)
    backend = NumpyBackend(cfg.model, cfg.train)
    assert backend._fused is not None  # every random case takes the fused path
    loss, grads, nodes = backend.loss_and_grads(params, [tokens])  # the fused path
    want_loss, want = layered(backend, params, tokens)
    assert nodes is None
    assert loss == pytest.approx(want_loss, rel=1e-13)
    np.testing.assert_allclose(grads.flat, want, rtol=1e-11, atol=1e-13 * np.abs(want).max())
    for name, g in grads.items():  # the per-matrix views are the same numbers
        assert g.shape == params[name].shape


def test_fused_reads_the_trainers_flat_vector_and_follows_a_new_one():
    cfg, params, tokens = random_case(3)
    backend = NumpyBackend(cfg.model, cfg.train)
    flat = FlatParams(params)
    a = backend.loss_and_grads(flat, [tokens])[1].flat
    np.testing.assert_array_equal(a, backend.loss_and_grads(params, [tokens])[1].flat)
    flat2 = FlatParams({k: p * 0.5 for k, p in params.items()})  # a new vector: new views
    b = backend.loss_and_grads(flat2, [tokens])[1].flat
    np.testing.assert_allclose(b, layered(backend, flat2, tokens)[1], rtol=1e-11, atol=1e-14)
    flat2.flat *= 2  # changed in place: the cached views see it
    np.testing.assert_array_equal(backend.loss_and_grads(flat2, [tokens])[1].flat, a)


def test_unused_positions_get_zero_gradient_after_a_longer_document():
    cfg, params, _ = random_case(5)
    cfg.model.block_size = 6
    params = init_params(cfg.model, random.Random(5))
    backend = NumpyBackend(cfg.model, cfg.train)
    backend.loss_and_grads(params, [[0, 1, 1, 1, 1, 1, 1, 0]])  # fills every wpe row
    g = backend.loss_and_grads(params, [[0, 1, 0]])[1]
    assert not g["wpe"][2:].any()


def test_when_the_fused_path_is_used(monkeypatch):
    cfg, params, tokens = random_case(1)
    backend = NumpyBackend(cfg.model, cfg.train)
    calls = []
    real = FusedStep.__call__
    monkeypatch.setattr(FusedStep, "__call__", lambda *a: calls.append(1) or real(*a))
    backend.loss_and_grads(params, [tokens])
    assert calls == [1]
    backend.loss_and_grads(params, [tokens, tokens])  # batches: the general path
    assert calls == [1]
    assert FusedStep.supports(preset("optimized").model)
    big = preset("optimized", n_head=8, block_size=FUSED_MAX_HT // 8 + 1, n_embd=64).model
    assert not FusedStep.supports(big)


def test_loss_and_grads_into_writes_the_callers_vector():
    for seed in (2, 4):  # the fused path, then a batch through the general path
        cfg, params, tokens = random_case(seed)
        backend = NumpyBackend(cfg.model, cfg.train)
        batch = [tokens] if seed == 2 else [tokens, tokens[:3] + [0]]
        loss, grads, _ = backend.loss_and_grads(params, batch)
        out = np.full(backend.size, np.nan)
        assert backend.loss_and_grads_into(params, batch, out) == (loss, None)
        np.testing.assert_array_equal(out, grads.flat)


def test_training_with_and_without_the_fused_path_agrees():
    docs = ["anna", "bob", "cecilia", "dave", "eve", "ada", "abe", "bea", "cab", "dee"]
    cfg = preset("optimized", num_steps=30, val_every=10, val_docs=2)
    fused = Trainer(cfg, docs)
    a = [fused.step() for _ in range(30)]
    plain = Trainer(cfg, docs)
    plain.backend._fused = None  # the layer-by-layer path
    b = [plain.step() for _ in range(30)]
    for x, y in zip(a, b, strict=True):
        assert x.loss == pytest.approx(y.loss, rel=1e-12)
        assert x.grad_norm == pytest.approx(y.grad_norm, rel=1e-12)
        assert (x.val_loss is None) == (y.val_loss is None)
    np.testing.assert_allclose(fused.params.flat, plain.params.flat, rtol=1e-10, atol=1e-14)
