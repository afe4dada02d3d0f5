"""Prefix checks of the sampler: messages a user can act on (engine.sampling)."""

import random
from pathlib import Path

import pytest

from engine import Trainer, load_dataset, preset
from engine.sampling import char_name, context_problem, prefix_note, prefix_problem

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs.txt"
LOWER = list("abcdefghijklmnopqrstuvwxyz")


def test_invisible_characters_are_named():
    assert char_name(" ") == "space" and char_name("\t") == "tab"
    assert char_name("#") == "“#”"
    assert "U+00A0" in char_name("\u00a0") or char_name("\u00a0") == "no-break space"
    assert "U+0301" in char_name("\u0301")  # a combining accent alone is invisible
    assert "U+200D" in char_name("\u200d")  # zero-width joiner (format character)


@pytest.mark.parametrize("prefix, wanted", [
    ("em ", "space (at the end of the prefix)"),
    (" em", "space (at the start of the prefix)"),
    ("e m", "characters: space."),
    ("e\tm", "characters: tab."),
    ("e#", "“#”"),
])
def test_unknown_characters_are_shown_visibly(prefix, wanted):
    text = prefix_problem(prefix, LOWER, 16)
    assert wanted in text
    assert "It has: a–z." in text


def test_upper_case_in_a_lower_case_dataset_suggests_the_lower_case_form():
    text = prefix_problem("Emma", LOWER, 16)
    assert "“E”" in text and "only lower-case letters: try “emma”" in text
    text = prefix_problem("EM#", LOWER, 16)  # not fixable by case alone
    assert "only lower-case letters." in text and "It has: a–z." in text
    assert prefix_problem("Emma", LOWER + ["E"], 16) == ""
    assert "only upper-case letters: try “EMMA”" in prefix_problem("emma", list("AEM"), 16)


def test_a_prefix_filling_the_context_is_a_problem():
    assert prefix_problem("a" * 15, LOWER, 16) == ""
    assert "only one more letter fits" in prefix_note("a" * 15, 16)
    assert prefix_note("a" * 14, 16) == "" and prefix_note("", 1) == ""
    for n in (16, 30):
        text = prefix_problem("a" * n, LOWER, 16)
        assert f"The prefix is {n} characters; this model reads at most 15 after the " \
               "start token" in text
        assert "nothing left to generate" in text
    assert context_problem("a" * 15, 16) == ""


def test_sample_refuses_a_prefix_that_leaves_nothing_to_draw():
    cfg = preset("optimized", backend="numpy", n_embd=8, n_head=2, num_steps=3)
    inf = Trainer(cfg, load_dataset(DOCS)).snapshot()
    block = cfg.model.block_size
    with pytest.raises(ValueError, match=f"reads at most {block - 1} after the start token"):
        inf.sample(3, prefix="a" * block, rng=random.Random(1))
    names = inf.sample(20, prefix="a" * (block - 1), rng=random.Random(1))
    assert all(n.startswith("a" * (block - 1)) and len(n) <= block for n in names)
    assert any(len(n) == block for n in names)  # one more letter still fits
