"""Trainer's Adam(W) and gradient clipping against the textbook formulas of DESIGN.md §2.

The Trainer folds clipping and the bias corrections into scalars (fewer passes over the
parameter vector); the result must be the same update to rounding (~1e-15 relative)."""

import math

import numpy as np
import pytest

from engine import Trainer, preset

DOCS = ["anna", "bob", "cecilia", "dave", "eve", "ada", "abe", "bea", "cab", "dee"]


def textbook_step(p, m, v, g, step, tr, lr_t, b_t):
    """One clipped Adam(W) step, as the seed writes it; returns the new b_t products."""
    norm = math.sqrt(float(np.sum(g * g)))
    if tr.grad_clip is not None and norm > tr.grad_clip:
        g = g * (tr.grad_clip / norm)
    m[:] = tr.beta1 * m + (1 - tr.beta1) * g
    v[:] = tr.beta2 * v + (1 - tr.beta2) * g**2
    if tr.adam_running_product:
        b_t = (b_t[0] * tr.beta1, b_t[1] * tr.beta2)
        c1, c2 = 1 - b_t[0], 1 - b_t[1]
    else:
        c1, c2 = 1 - tr.beta1 ** (step + 1), 1 - tr.beta2 ** (step + 1)
    m_hat, v_hat = m / c1, v / c2
    p[:] = p - lr_t * (m_hat / (np.sqrt(v_hat) + tr.eps) + tr.weight_decay * p)
    return b_t


@pytest.mark.parametrize("name", ["optimized", "original"])
@pytest.mark.parametrize("clip", [None, 0.5, 1e9])  # off, usually clipping, never clipping
@pytest.mark.parametrize("weight_decay", [0.0, 1e-2])
def test_adam_matches_the_textbook(name, clip, weight_decay):
    cfg = preset(name, num_steps=8, val_every=0, grad_clip=clip, weight_decay=weight_decay)
    t = Trainer(cfg, DOCS)
    tr = t.config.train
    rng = np.random.default_rng(0)
    p, m, v = t.params.flat.copy(), t.m.flat.copy(), t.v.flat.copy()
    b_t = (1.0, 1.0)
    for step in range(8):
        g = rng.normal(size=p.size) * (0.01 if step % 2 else 1.0)  # clipped or not
        lr_t = 0.01 * (step + 1)
        b_t = textbook_step(p, m, v, g, step, tr, lr_t, b_t)
        norm = math.sqrt(float(np.dot(g, g)))
        scale = tr.grad_clip / norm if tr.grad_clip is not None and norm > tr.grad_clip else 1
        given = g.copy()
        t._adam(given, lr_t, step, scale)
        np.testing.assert_array_equal(given, g)  # the gradient itself is left alone
        for got, want in ((t.m.flat, m), (t.v.flat, v), (t.params.flat, p)):
            # rounding only: relative to each vector's scale (entries can cancel to ~0)
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14 * np.abs(want).max())


def test_step_reports_clipping_and_the_norm_before_it():
    cfg = preset("optimized", num_steps=5, val_every=0, grad_clip=1e-6)
    st = Trainer(cfg, DOCS).step()
    assert st.clipped and st.grad_norm > 1e-6
    cfg = preset("optimized", num_steps=5, val_every=0, grad_clip=None)
    st = Trainer(cfg, DOCS).step()
    assert not st.clipped


@pytest.mark.parametrize("schedule", ["linear", "cosine"])
def test_no_step_past_the_end_of_the_run(schedule):
    """Past num_steps the linear schedule's lr is negative (each step would climb the
    loss) and the cosine one rises again: step() refuses, the weights stay as they are."""
    t = Trainer(preset("optimized", num_steps=3, val_every=0, lr_schedule=schedule), DOCS)
    for _ in range(3):
        t.step()
    assert t.done
    before = t.params.flat.copy()
    with pytest.raises(RuntimeError, match="all 3 steps are done"):
        t.step()
    assert t.step_num == 3
    np.testing.assert_array_equal(t.params.flat, before)
