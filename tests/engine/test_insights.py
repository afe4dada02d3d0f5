"""engine.insights: head roles, name quality, per-letter surprise."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from engine import DataError, Trainer, load_docs, preset
from engine.insights import (
    ITSELF,
    PREVIOUS,
    SPREAD,
    START,
    head_role_masses,
    head_roles,
    letter_surprise,
    name_quality,
    surprise_level,
)

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs.txt"
BACKEND = "numpy" if importlib.util.find_spec("engine.numpy_backend") else "reference"


def pattern(kind: str, t: int) -> np.ndarray:
    """A [T, T] causal attention map where every query does one thing."""
    a = np.zeros((t, t))
    for q in range(t):
        if kind == "start":
            a[q, 0] = 1.0
        elif kind == "previous":
            a[q, max(q - 1, 0)] = 1.0
        elif kind == "itself":
            a[q, q] = 1.0
        elif kind == "uniform":
            a[q, : q + 1] = 1.0 / (q + 1)
        elif kind == "mostly-previous":  # 70 % previous, the rest spread out
            a[q, : q + 1] = 0.3 / (q + 1)
            a[q, max(q - 1, 0)] += 0.7
    return a


def stack(kinds, t):
    """[L=1, H=len(kinds), T, T]."""
    return np.stack([pattern(k, t) for k in kinds])[None]


def test_head_roles_on_hand_built_patterns():
    kinds = ["start", "previous", "itself", "uniform", "mostly-previous"]
    maps = [stack(kinds, 6), stack(kinds, 4), stack(kinds, 8)]  # words of different lengths
    roles = head_roles(maps)
    assert [r.label for r in roles[0]] == [START, PREVIOUS, ITSELF, SPREAD, PREVIOUS]
    assert roles[0][0].masses[START] == pytest.approx(1.0)
    assert roles[0][1].masses[PREVIOUS] == pytest.approx(1.0)
    assert roles[0][1].masses[ITSELF] == pytest.approx(0.0)
    assert roles[0][4].masses[PREVIOUS] > 0.7
    assert roles[0][1].text() == "previous letter (100%)"
    assert roles[0][3].text() == "spread out"
    assert roles[0][0].rows == (6 - 2) + (4 - 2) + (8 - 2)


def test_head_roles_multi_layer_and_threshold():
    # layer 0: previous; layer 1: 30 % itself + 70 % uniform, so about 44 % on itself on
    # average: below the more-than-half rule -> spread out
    t = 8
    weak = pattern("uniform", t) * 0.7
    weak[np.arange(t), np.arange(t)] += 0.3
    att = np.stack([np.stack([pattern("previous", t)]), np.stack([weak])])
    roles = head_roles([att])
    assert roles[0][0].label == PREVIOUS
    assert roles[1][0].label == SPREAD
    assert 0.4 < roles[1][0].masses[ITSELF] < 0.5
    assert head_roles([att], threshold=0.3)[1][0].label == ITSELF


def test_head_roles_short_words_and_bad_input():
    masses, rows = head_role_masses([stack(["start"], 2)])  # only query rows 0 and 1
    assert rows == 0 and masses.shape == (1, 1, 3)
    assert head_roles([stack(["start"], 2)])[0][0].label == SPREAD
    with pytest.raises(ValueError):
        head_roles([])
    with pytest.raises(ValueError):
        head_roles([np.zeros((2, 3))])


def test_name_quality_on_known_list():
    train = ["emma", "liam", "olivia", "noah"]
    val = ["ava", "mia"]
    samples = ["emma", "emma", "ava", "zorp", "lia", ""]
    q = name_quality(samples, train, train + val)
    assert q.count == 6
    assert q.copy_share == pytest.approx(2 / 6)
    assert q.heldout_share == pytest.approx(1 / 6)
    assert q.new_share == pytest.approx(2 / 6)  # zorp, lia
    assert q.empty_share == pytest.approx(1 / 6)
    assert q.distinct_share == pytest.approx(5 / 6)
    assert q.mean_length == pytest.approx((4 + 4 + 3 + 4 + 3 + 0) / 6)
    assert q.dataset_mean_length == pytest.approx((4 + 4 + 6 + 4 + 3 + 3) / 6)
    assert q.as_dict()["copies"] == pytest.approx(2 / 6)


@pytest.mark.parametrize(
    ("samples", "word"),
    [
        (["emma", "liam", "noah", "emma", "zed"], "copies"),
        (["", "", "a", "", "bo"], "empty"),
        (["xa", "xa", "xa", "xa", "yo"], "repeats"),
        (["a", "b", "c", "d", "e"], "shorter"),
        (["abcdefghijkl", "bcdefghijklm", "cdefghijklmn"], "longer"),
        (["emmy", "liah", "nora", "oliv", "avia"], "generalising"),
        ([], "no names"),
    ],
)
def test_name_quality_verdicts(samples, word):
    train = ["emma", "liam", "olivia", "noah"]
    assert word in name_quality(samples, train, train + ["ava"]).verdict


@pytest.fixture(scope="module")
def trainer():
    cfg = preset("optimized", backend=BACKEND, num_steps=50, val_every=0)
    return Trainer(cfg, load_docs(DOCS))


def test_surprise_letters_average_to_step_loss(trainer):
    for _ in range(3):
        stats = trainer.step(capture_positions=True)
        assert np.mean(stats.position_losses) == pytest.approx(stats.loss, rel=1e-9)
    # letter_surprise on the same weights as a step reproduces that step's loss
    doc = trainer.batch_docs(trainer.step_num)[0]
    letters = letter_surprise(trainer.inference(), doc)
    stats = trainer.step(capture_positions=True)
    assert stats.doc == doc
    assert np.mean([x.loss for x in letters]) == pytest.approx(stats.loss, rel=1e-9)
    n = min(len(doc) + 1, trainer.config.model.block_size)
    assert len(letters) == n
    assert "".join(x.char for x in letters[: len(doc)]) == doc[:n]


def test_surprise_top_predictions_and_levels(trainer):
    letters = letter_surprise(trainer.inference(), "emma", top=3)
    assert letters[-1].char == "⟨BOS⟩"  # the end of the name is predicted too
    for x in letters:
        probs = [p for _, p in x.top]
        assert len(x.top) == 3 and probs == sorted(probs, reverse=True)
        assert math.exp(-x.loss) == pytest.approx(x.prob)
    assert [x.context for x in letters] == ["", "e", "em", "emm", "emma"]
    v = trainer.config.model.vocab_size
    assert surprise_level(0.0, v) == 0.0
    assert surprise_level(math.log(v), v) == pytest.approx(1.0)
    assert surprise_level(float("nan"), v) == 1.0
    with pytest.raises(DataError):
        letter_surprise(trainer.inference(), "em!ma")
