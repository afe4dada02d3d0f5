"""Top-k at or above the vocabulary size: every token, drawn as the seed draws them."""

from __future__ import annotations

import random

import numpy as np

from engine import Trainer, preset
from engine.sampling import token_weights


def trained():
    cfg = preset("optimized")
    cfg.train.num_steps = 30
    t = Trainer(cfg)
    while not t.done:
        t.step()
    return t


def seed_draw(logits, temperature, k, rng):
    """The seed's top-k draw, written out: sort by logit (stable, descending), keep k,
    weigh by exp(l/T - max), random.choices."""
    row = [float(x) for x in logits]
    top = sorted(range(len(row)), key=lambda i: row[i], reverse=True)[:k]
    scaled = [row[i] / temperature for i in top]
    mx = max(scaled)
    return rng.choices(top, weights=[np.exp(s - mx) for s in scaled])[0]


def test_a_top_k_as_big_as_the_vocabulary_keeps_the_seeds_sorted_order():
    t = trained()
    view = t.inference()
    V = t.tokenizer.vocab_size
    logits = view.next_logits([t.tokenizer.bos_id])
    for k in (V, V + 10):
        ids, w = token_weights(logits, 0.6, k)
        assert len(ids) == V and ids == sorted(range(V), key=lambda i: -float(logits[i]))
        for seed in range(20):  # the same random number, the seed's token
            a, b = random.Random(seed), random.Random(seed)
            assert a.choices(ids, weights=w)[0] == seed_draw(logits, 0.6, k, b)
    # ... which is not the id-ordered draw of top-k off (Karpathy's original): the
    # same random numbers pick other names
    on = view.sample(30, temperature=0.6, top_k=V, rng=random.Random(1))
    off = view.sample(30, temperature=0.6, top_k=None, rng=random.Random(1))
    assert on == view.sample(30, temperature=0.6, top_k=V + 3, rng=random.Random(1))
    assert on != off


def test_top_k_keeps_the_seeds_order_among_equal_logits_and_big_vocabularies():
    """token_weights picks the k largest without sorting the whole vocabulary; ties must
    still come out as the seed's stable descending sort puts them (the earlier id first),
    or the same random number would draw another token."""
    rng = np.random.default_rng(0)
    for _ in range(500):
        V = int(rng.integers(2, 80))
        logits = rng.integers(-3, 3, size=V).astype(float)  # plenty of ties
        k = int(rng.integers(1, V + 3))
        want = sorted(range(V), key=lambda i: logits[i], reverse=True)[:k]
        assert token_weights(logits, 0.7, k)[0] == want
        assert token_weights(list(logits), 0.7, k)[0] == want  # (any sequence of floats)
    big = rng.normal(size=3001)
    ids, w = token_weights(big, 0.6, 5)
    assert ids == list(np.argsort(-big, kind="stable")[:5])
    assert w[0] == 1.0 and all(a >= b for a, b in zip(w, w[1:], strict=False))
