"""Counts that are exact, not estimated: the parameter count the controls show before a
Reset (engine/cost.py), and a data set's summary (the Data box, the CLI's "data:" line)."""

from __future__ import annotations

import pytest

from engine import Dataset, Trainer, cost, preset
from tests.helpers import DOCS


def names():
    return DOCS.read_text(encoding="utf-8").split()


@pytest.mark.parametrize("preset_name", ["optimized", "original"])
def test_estimate_counts_the_characters_of_every_document(preset_name):
    """The estimate the controls show before a Reset (vocab_size not known yet) has the
    parameter count of the model built, also when documents after the first 1,000 bring
    new characters: it was read from those first 1,000 only (3,632 shown, 4,048 built)."""
    lower = [w.lower() for w in names()]
    late = [w.upper() + "é" for w in lower]  # characters not in the first 1,500 docs
    data = (lower * (1500 // len(lower) + 1))[:1500] + late
    cfg = preset(preset_name)
    built = Trainer(preset(preset_name), data).num_params
    assert cfg.model.vocab_size == 0  # as in the controls: the data sets it
    assert cost.estimate_on(cfg, data).params == built
    assert cost.estimate_on(cfg, Dataset(data, "memory", "documents")).params == built


def test_summary_counts_in_words_and_with_separators():
    one = Dataset(["hello"], "memory", "one")
    assert one.summary() == "1 doc, 5 chars, 4 distinct characters"
    alphabet = [chr(0x4E00 + i) for i in range(2947)]  # 2,947 one-character documents
    big = Dataset(alphabet, "memory", "big")
    assert big.summary() == "2,947 docs, 2,947 chars, 2,947 distinct characters"
    single = Dataset(["a", "a"], "memory", "a")
    assert single.summary() == "2 docs, 2 chars, 1 distinct character"
