"""The Optimizations tab as a user drives it: untick one change, press "Reset with these",
and the same seed trains without exactly that change (offscreen, numpy backend, tiny)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from engine import ablate, preset  # noqa: E402
from tests.gui.helpers import WAIT, in_worker, steps  # noqa: E402

pytest.importorskip("pytestqt")

# Changes that must move the loss within a few steps of a tiny model (the others either
# never do on the numpy backend, or only much later: val_split after the training
# documents wrap around, the running product at rounding level).
MOVES_THE_LOSS = {"weight_tying", "lr_schedule", "grad_clip", "weight_decay"}


def flat(d: dict) -> dict:
    out = {"backend": d["backend"]}
    for part in ("model", "train"):
        out.update({f"{part}.{k}": v for k, v in d[part].items()})
    return out


def press_reset_with_these(qtbot, w):
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.panels["explorer"].reset_btn.click()


def trained(qtbot, w, n=4):
    cfg = in_worker(qtbot, w, lambda t: t.config.to_dict())
    return flat(cfg), [s.loss for s in steps(qtbot, w, n)]


def test_reset_with_these_button_trains_each_change_off_alone(qtbot, plain_window):
    w, ex = plain_window, plain_window.panels["explorer"]
    w.controls.load_config(preset("optimized", n_embd=8, n_head=2, num_steps=40), "optimized")
    press_reset_with_these(qtbot, w)  # the button itself, as a user presses it
    base_cfg, base_loss = trained(qtbot, w)
    for c in ablate.CHANGES:
        if not c.fields:
            assert not ex.boxes[c.key].isEnabled()  # `with open()`: nothing to switch
            continue
        ex.set_change(c.key, False)
        press_reset_with_these(qtbot, w)
        cfg, loss = trained(qtbot, w)
        changed = {k for k in cfg if cfg[k] != base_cfg[k]}
        assert changed == {f"{part}.{name}" for part, name in c.fields}, c.key
        assert ablate.changes_off(w.controller.info.config) == [c.key]
        if c.matters in (ablate.GRAPH, ablate.OUTPUT, ablate.SAMPLING):
            assert loss == base_loss, c.key  # no graph here: the very same numbers
        elif c.key in MOVES_THE_LOSS:
            assert loss != base_loss, c.key
        ex.restore_preset()
    press_reset_with_these(qtbot, w)
    assert trained(qtbot, w) == (base_cfg, base_loss)
