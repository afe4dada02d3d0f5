"""A backend's should_stop() abandons a step part-way (StepCancelled) and leaves the
Trainer exactly as it was: the same step run again gives the numbers of a run that was
never interrupted. This is what lets the app pause a model whose steps take seconds."""

from __future__ import annotations

import numpy as np
import pytest

from engine import Trainer, preset
from engine import reference as ref_module
from engine.backends import StepCancelled
from tests.helpers import DOCS


def docs():
    return DOCS.read_text().split()


def stop_after(n):
    """should_stop that says 'stop' from its (n+1)-th call on; .calls counts them."""
    def should_stop():
        should_stop.calls += 1
        return should_stop.calls > n
    should_stop.calls = 0
    return should_stop


def state(t):
    return (t.step_num, t.params.flat.copy(), t.m.flat.copy(), t.v.flat.copy(), t.b1_t, t.b2_t)


CASES = [
    ("reference", dict()),
    ("reference", dict(batch_size=2, n_layer=2, n_embd=8, n_head=2)),
    ("numpy", dict(batch_size=4, n_layer=3)),  # the batched path checks between layers
]


@pytest.mark.parametrize("backend,sizes", CASES)
@pytest.mark.parametrize("after", [0, 1, 5, 40])
def test_a_cancelled_step_changes_nothing_and_reruns_exactly(backend, sizes, after, monkeypatch):
    # Check often, so that even these small graphs are cancelled inside the topological
    # sort and the backward pass too, not only between positions.
    monkeypatch.setattr(ref_module, "CHECK_EVERY", 97)
    cfg = preset("optimized", backend=backend, num_steps=50, val_every=0, **sizes)
    plain, cut = Trainer(cfg, docs()), Trainer(cfg, docs())
    for _ in range(2):
        plain.step()
        cut.step()
    before = state(cut)
    cut.should_stop = stop = stop_after(after)
    with pytest.raises(StepCancelled):
        for _ in range(10):  # `after` may let a step or two finish first
            cut.step()
            plain.step()
            before = state(cut)
    assert stop.calls > after
    after_state = state(cut)
    assert after_state[0] == before[0] and after_state[4:] == before[4:]
    for a, b in zip(after_state[1:4], before[1:4], strict=True):
        np.testing.assert_array_equal(a, b)
    cut.should_stop = None
    for _ in range(3):
        a, b = plain.step(), cut.step()
        assert (a.step, a.loss, a.grad_norm) == (b.step, b.loss, b.grad_norm)
    np.testing.assert_array_equal(plain.params.flat, cut.params.flat)


def test_reference_checks_inside_sort_and_backward(monkeypatch):
    """With checks every 97 nodes, a step calls should_stop many more times than it has
    positions: the long phases of a big graph are covered, not only the forward pass."""
    monkeypatch.setattr(ref_module, "CHECK_EVERY", 97)
    t = Trainer(preset("optimized", backend="reference", val_every=0), docs())
    t.should_stop = stop = stop_after(10**9)
    nodes = t.step().nodes
    positions = min(t.config.model.block_size, len(t.train_docs[0]) + 1)
    assert stop.calls >= positions + 2 * nodes // 97 - 2


def test_inference_is_never_cancelled():
    """should_stop concerns training steps: sampling and attention ignore it."""
    for backend in ("reference", "numpy"):
        t = Trainer(preset("optimized", backend=backend, val_every=0), docs())
        t.should_stop = lambda: True
        assert len(t.sample(3)) == 3
        assert t.attention("emma")[0].shape[-1] == 5


def test_a_pause_during_validation_skips_only_the_validation():
    """The update is done when validation starts: a stop there keeps the step (it counts,
    same numbers) and reports no validation loss for it; the next one is measured."""
    cfg = preset("optimized", backend="reference", num_steps=50, val_every=2, val_docs=5)
    plain, cut, twin = (Trainer(cfg, docs()) for _ in range(3))
    for t in (plain, cut, twin):
        t.step()
    twin.should_stop = counter = stop_after(10**9)
    assert twin.step().val_loss is not None
    step_checks = counter.calls - 5  # one check before each of the 5 validation docs
    cut.should_stop = stop_after(step_checks + 1)  # the step passes, validation's 2nd doc stops
    a, b = plain.step(), cut.step()
    assert a.val_loss is not None and b.val_loss is None
    assert (a.step, a.loss, a.grad_norm) == (b.step, b.loss, b.grad_norm)
    np.testing.assert_array_equal(plain.params.flat, cut.params.flat)
    cut.should_stop = None
    for _ in range(2):
        a, b = plain.step(), cut.step()
    assert a.val_loss == b.val_loss is not None
