"""Run ▸ Measure the loss on all names (measure.py): training and validation loss on
many names at once, from a frozen copy, with what the numbers mean."""

from __future__ import annotations

import math

import pytest

from engine import preset
from engine.baselines import bigram_loss
from engine.evaluate import verdict
from microgpt_gui import measure
from tests.gui.helpers import WAIT, in_worker, reset, steps, train_to_end


def press_and_wait(qtbot, w) -> str:
    n = len(w.messages)
    w.act["measure"].trigger()
    qtbot.waitUntil(lambda: len(w.messages) > n, timeout=WAIT)
    return w.messages[-1][1]


def test_the_numbers_are_the_engines_on_every_name(qtbot, make_window):
    w = make_window(num_steps=40)
    reset(qtbot, w, preset("optimized", num_steps=40, val_every=20))
    train_to_end(qtbot, w)
    text = press_and_wait(qtbot, w)

    def direct(trainer):  # the seed's validation measure, on the live weights
        inf = trainer.inference()
        return (inf.mean_nll(trainer.train_docs), inf.mean_nll(trainer.val_docs),
                bigram_loss(trainer.tokenizer, trainer.train_docs, trainer.val_docs,
                            trainer.config.model.block_size),
                len(trainer.train_docs), len(trainer.val_docs), trainer.last_val_loss)

    train, val, pairs, n_train, n_val, dots = in_worker(qtbot, w, direct)
    assert "The loss at step 40," in text
    assert f"training names: {train:.3f}  (all {n_train:,})" in text
    assert f"validation names: {val:.3f}  (all {n_val:,})" in text
    assert f"last red dot, 20 validation names: {dots:.3f}" in text
    assert f"letter pairs: {pairs:.3f}" in text
    assert verdict(train, val, pairs) in text


def test_measuring_while_training_runs_leaves_the_run_alone(qtbot, make_window):
    w = make_window(num_steps=100_000, speed=0)
    w.controller.train()
    qtbot.waitUntil(lambda: w.controller.history.step > 20, timeout=WAIT)
    text = press_and_wait(qtbot, w)
    assert "training names:" in text and w.controller.state == "running"
    w.controller.pause()


def test_many_names_are_sampled_and_said_so(qtbot, make_window, monkeypatch):
    monkeypatch.setattr(measure, "MAX_DOCS", 50)
    w = make_window(num_steps=5)
    steps(qtbot, w, 2)
    text = press_and_wait(qtbot, w)
    assert "(50 of 270, a random sample)" in text  # tests/data/docs.txt: 270 train, 30 val
    assert "(all 30)" in text


def test_the_original_preset_has_no_validation_names(qtbot, make_window):
    w = make_window(num_steps=5)
    reset(qtbot, w, preset("original", num_steps=5))
    steps(qtbot, w, 1)
    text = press_and_wait(qtbot, w)
    assert "training names:" in text and "validation names:" not in text
    assert "no validation names" in text


def test_no_model_yet_is_said(qtbot, plain_window):
    text = press_and_wait(qtbot, plain_window)
    assert "no model yet" in text.lower()


@pytest.mark.parametrize("train, val, pairs, words", [
    (2.40, 2.42, 2.45, ["generalises", "more than which letter follows which"]),
    (2.30, 2.42, 2.45, ["starting to memorise"]),
    (1.90, 2.42, 2.40, ["overfitting", "not yet better than a table"]),
    (2.40, math.nan, math.nan, ["no validation names"]),
])
def test_the_verdict_reads_the_gap_and_the_letter_pairs(train, val, pairs, words):
    text = verdict(train, val, pairs)
    for word in words:
        assert word in text
