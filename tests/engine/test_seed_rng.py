"""engine.seed_rng: gauss_array draws the very numbers rng.gauss would, bit for bit,
and leaves the generator where the plain loop would (the seed's RNG order)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from engine import seed_rng
from engine.backends import init_params
from engine.config import preset
from engine.seed_rng import gauss_array


@pytest.mark.parametrize("seed", [0, 42, 2024])
def test_bulk_draws_are_python_gauss_bit_for_bit_and_leave_the_same_state(seed):
    assert seed_rng._bulk_gauss_matches()
    slow, fast = random.Random(seed), random.Random(seed)
    sizes = np.random.default_rng(seed)
    for _ in range(8):  # odd and even counts: a pending second normal carries over
        n = int(sizes.integers(0, 2000))
        std = float(sizes.choice([0.0, 0.02, 0.08, 1.0]))
        want = np.array([slow.gauss(0, std) for _ in range(n)], dtype=np.float64)
        got = gauss_array(fast, n, std)
        assert got.dtype == np.float64 and got.shape == (n,)
        assert np.array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want))  # 0.0, never -0.0
    assert fast.getstate() == slow.getstate()
    assert fast.random() == slow.random()  # what is drawn next (shuffle, sampling)


def test_big_model_weights_are_the_plain_loops(monkeypatch):
    cfg = preset("optimized", n_embd=64, n_head=4, n_layer=2).model
    cfg.vocab_size = 27
    fast = init_params(cfg, random.Random(42))
    monkeypatch.setattr(seed_rng, "_bulk_ok", False)  # the fallback: rng.gauss per weight
    slow = init_params(cfg, random.Random(42))
    assert list(fast) == list(slow)
    for name in fast:
        assert np.array_equal(fast[name], slow[name]), name
