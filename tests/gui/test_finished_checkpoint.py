"""Opening a checkpoint of a finished run: Train cannot start it, so nothing may say
"press Train"; what can be done is to raise Steps (the run trains on) or to Generate.
Offscreen, numpy backend, tiny model."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from engine import Trainer, load_dataset, preset  # noqa: E402
from tests.gui.helpers import WAIT, reset, steps, train_to_end  # noqa: E402

pytest.importorskip("pytestqt")

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs.txt"


def tiny(**kw):
    for key, value in (("num_steps", 3), ("n_embd", 8), ("n_head", 2)):
        kw.setdefault(key, value)
    return preset("optimized", backend="numpy", **kw)


def cli_checkpoint(path, done: int, num_steps: int):
    """A checkpoint as `microgpt train --steps N --save CKPT` writes it: no curves."""
    t = Trainer(tiny(num_steps=num_steps), load_dataset(DOCS))
    for _ in range(done):
        t.step()
    t.save(path)
    return str(path)


def open_checkpoint(qtbot, w, path, state):
    """Open path and wait until the run's state (from the training thread) is `state`."""
    with qtbot.waitSignal(w.checkpoints.opened, timeout=WAIT):
        w.checkpoints.open(path)
    message = w.statusBar().currentMessage()
    qtbot.waitUntil(lambda: w.controller.state == state, timeout=WAIT)
    w.curves.refresh(force=True)
    return message


def test_a_finished_cli_checkpoint_says_to_raise_steps_not_press_train(qtbot, plain_window,
                                                                         tmp_path):
    w, hint = plain_window, plain_window.curves.start_hint
    message = open_checkpoint(qtbot, w, cli_checkpoint(tmp_path / "c3.npz", 3, 3), "finished")
    assert not w.act["train"].isEnabled()  # a finished run: Train cannot start it
    assert "press Train" not in message
    assert message.startswith("Opened checkpoint ")
    assert "(finished at step 3): raise Steps to train on, or Generate to sample" in message
    assert w.status.state_label.text() == "✓ finished"
    # No curves (the CLI keeps none): the empty loss plot says what is true.
    assert hint.isVisible()
    assert "Press Train" not in hint.text
    assert hint.text == "Finished at step 3: raise Steps to train on"
    # Raising Steps above the steps done: the run trains on, and Train now continues it.
    w.controls.fields["num_steps"].setValue(5)
    qtbot.waitUntil(lambda: w.controller.state == "paused", timeout=WAIT)
    assert w.act["train"].isEnabled()
    w.curves.refresh(force=True)
    assert hint.isVisible() and hint.text == "Press Train (Space) to continue"
    steps(qtbot, w, 1)
    w.curves.refresh()
    assert not hint.isVisible()


def test_an_unfinished_cli_checkpoint_says_press_train_to_continue(qtbot, plain_window,
                                                                    tmp_path):
    w, hint = plain_window, plain_window.curves.start_hint
    message = open_checkpoint(qtbot, w, cli_checkpoint(tmp_path / "c2.npz", 2, 5), "paused")
    assert w.act["train"].isEnabled()
    assert message.endswith(": press Train to continue, or Generate to sample")
    assert "(finished at" not in message
    # Step 2 of 5, no curves: Train continues the run; it does not start one.
    assert hint.isVisible() and hint.text == "Press Train (Space) to continue"
    w.status.refresh()
    qtbot.waitUntil(lambda: w.status.state_label.text() == "▶ ready", timeout=WAIT)
    assert "Train (Space) goes on from step 2" in w.status.state_label.toolTip()
    # A new model (step 0) still says how to start.
    reset(qtbot, w, tiny())
    w.curves.refresh()
    assert hint.isVisible() and hint.text == "Press Train (Space) to start"


def test_a_finished_checkpoint_with_curves_says_to_raise_steps(qtbot, plain_window, tmp_path):
    w, hint = plain_window, plain_window.curves.start_hint
    reset(qtbot, w, tiny(), show_in_controls=True)
    train_to_end(qtbot, w)
    path = tmp_path / "gui.npz"
    with qtbot.waitSignal(w.checkpoints.saved, timeout=WAIT):
        w.checkpoints.save(str(path))
    reset(qtbot, w, tiny(num_steps=5))  # another run, then the finished one again
    message = open_checkpoint(qtbot, w, str(path), "finished")
    assert "(finished at step 3): raise Steps to train on, or Generate to sample" in message
    assert list(w.controller.history.array("step")) == [1, 2, 3]
    assert not hint.isVisible()  # the curves are there: no hint over them
