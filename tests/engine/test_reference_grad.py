"""The reference backend's autograd against finite differences, and its graph switches."""

import random

import numpy as np
import pytest

from engine import preset
from engine.backends import init_params
from engine.reference import ReferenceBackend, Value, backward

BATCH = [[0, 3, 1, 4, 1, 0], [0, 2, 0]]


def tiny(**overrides):
    cfg = preset("optimized", n_embd=8, n_head=2, block_size=5, **overrides)
    cfg.model.vocab_size = 6
    cfg.model.init_std = 0.3  # large enough that every path carries signal
    cfg.model.zero_init = False
    return cfg


@pytest.mark.parametrize("overrides", [
    {},
    {"activation": "relu", "weight_tying": False, "fused_ce": False, "div_op": False},
    {"n_layer": 2, "sum_from_first": False, "iterative_topo": False},
])
def test_gradients_match_finite_differences(overrides):
    cfg = tiny(**overrides)
    params = init_params(cfg.model, random.Random(0))
    backend = ReferenceBackend(cfg.model, cfg.train)
    _, grads, _ = backend.loss_and_grads(params, BATCH)
    rng = np.random.default_rng(1)
    h = 1e-6
    for name, p in params.items():
        for _ in range(2):  # a couple of random entries of every matrix
            idx = tuple(rng.integers(0, s) for s in p.shape)
            old = p[idx]
            p[idx] = old + h
            up = backend.loss_and_grads(params, BATCH)[0]
            p[idx] = old - h
            down = backend.loss_and_grads(params, BATCH)[0]
            p[idx] = old
            numeric = (up - down) / (2 * h)
            assert grads[name][idx] == pytest.approx(numeric, rel=1e-5, abs=1e-8), (name, idx)


def test_graph_switches_change_nodes_not_numbers():
    base = tiny()
    params = init_params(base.model, random.Random(0))
    ref_loss, ref_grads, ref_nodes = ReferenceBackend(base.model, base.train).loss_and_grads(
        params, BATCH[:1])
    for flag in ("div_op", "fused_ce", "sum_from_first"):
        cfg = tiny(**{flag: False})
        loss, grads, nodes = ReferenceBackend(cfg.model, cfg.train).loss_and_grads(
            params, BATCH[:1])
        assert loss == pytest.approx(ref_loss, rel=1e-12)
        for k in grads:
            np.testing.assert_allclose(grads[k], ref_grads[k], rtol=1e-9, atol=1e-14)
        assert nodes > ref_nodes, f"switching off {flag} should add graph nodes"


def test_iterative_topo_has_no_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(5000):  # far deeper than Python's default recursion limit
        y = y * 1.0001
    n = backward(y, iterative=True)
    assert n > 5000
    assert x.grad == pytest.approx(1.0001**5000)
    with pytest.raises(RuntimeError, match="recursion limit"):
        backward(y, iterative=False)


def test_inference_on_another_thread_does_not_add_to_a_steps_node_count():
    """Sampling and attention maps on a snapshot (the GUI does both while training runs)
    build UncountedValues: the training step's node count stays exact."""
    import sys
    import threading

    cfg = tiny()
    params = init_params(cfg.model, random.Random(0))
    backend = ReferenceBackend(cfg.model, cfg.train)
    alone = backend.loss_and_grads(params, BATCH)[2]
    before = Value.created
    backend.logits(params, [0, 3, 1, 4])
    backend.attention(params, [0, 3, 1])
    assert Value.created == before  # inference counts nothing

    stop = threading.Event()

    def sample_all_the_time():
        while not stop.is_set():
            backend.logits(params, [0, 3, 1, 4, 1])

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads as often as possible
    sampler = threading.Thread(target=sample_all_the_time)
    sampler.start()
    try:
        counts = [backend.loss_and_grads(params, BATCH)[2] for _ in range(5)]
    finally:
        stop.set()
        sampler.join()
        sys.setswitchinterval(old)
    assert counts == [alone] * 5
