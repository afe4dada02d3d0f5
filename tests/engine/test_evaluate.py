"""engine.evaluate: the loss on many documents at once (Run ▸ Measure the loss)."""

from __future__ import annotations

import math

import pytest

from engine import load_dataset, preset
from engine.baselines import bigram_loss
from engine.evaluate import measure
from engine.trainer import Trainer
from tests.helpers import DOCS


@pytest.mark.parametrize("backend", ["numpy", "reference"])
def test_it_is_the_seeds_validation_measure_on_every_document(backend):
    t = Trainer(preset("optimized", backend=backend, num_steps=5),
                load_dataset(str(DOCS)))
    for _ in range(3):
        t.step()
    calls = []
    n = 40 if backend == "numpy" else 8  # the scalar graph: ~0.2 s a document
    train, val = t.train_docs[:n], t.val_docs[:n]
    r = measure(t.snapshot(), train, val, lambda done, total: calls.append((done, total)))
    inf = t.inference()  # the backend's own numbers (the scalar graph for reference)
    assert r["train"] == pytest.approx(inf.mean_nll(train), rel=1e-12)
    assert r["val"] == pytest.approx(inf.mean_nll(val), rel=1e-12)
    assert r["pairs"] == bigram_loss(t.tokenizer, train, val, t.config.model.block_size)
    assert r["guess"] == math.log(t.tokenizer.vocab_size)
    assert calls[-1] == (len(train) + len(val),) * 2  # the documents done, of all


def test_no_validation_documents_give_nan_not_an_error():
    t = Trainer(preset("original", num_steps=2), load_dataset(str(DOCS)))
    r = measure(t.snapshot(), t.train_docs[:10], [])
    assert math.isfinite(r["train"]) and math.isnan(r["val"]) and math.isnan(r["pairs"])
