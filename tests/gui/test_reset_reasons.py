"""reset_reasons: the "Press Reset to apply" list in the words on the screen (no Qt)."""

from __future__ import annotations

from engine import preset
from microgpt_gui.reset_reasons import reset_reasons

LABELS = {"n_embd": "Embedding size", "num_steps": "Steps", "seed": "Seed"}


def test_a_new_preset_is_one_item_not_its_twenty_settings():
    got = reset_reasons(preset("original"), preset("optimized"), LABELS,
                        live={"learning_rate"})
    # original differs in steps (1000) too: a field on screen, said by its label
    assert got == ["the original preset", "Steps (num_steps)"]


def test_fields_by_label_and_switches_by_the_seeds_title():
    have = preset("optimized")
    want = preset("optimized", n_embd=32, grad_clip=None, learning_rate=0.02)
    got = reset_reasons(want, have, LABELS, live={"learning_rate"}, data_changed=True)
    assert got == ["Embedding size (n_embd)", "Gradient clipping (global norm)", "the data"]


def test_backend_and_nothing_changed():
    have = preset("optimized")
    assert reset_reasons(preset("optimized"), have, LABELS) == []
    assert reset_reasons(preset("optimized", backend="reference"), have, LABELS) == \
        ["Backend (reference)"]
