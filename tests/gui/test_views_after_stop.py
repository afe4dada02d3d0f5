"""When training stops (the run's end, or Pause), the views computed from the weights show
the weights it stopped with, not the last ones they happened to sample while it ran.

The last batch of steps reaches the window while the controller still says "running" (the
state change follows it), so a view that refreshed only on a batch that arrives while not
running (single steps) and on its timer while running never saw the final weights: after
a 500-step run at max speed the next-letter bars still showed the untrained model's
uniform guesses, and a typed word's attention and surprise were those of some earlier step.
"""

from __future__ import annotations

import numpy as np
import pytest

from microgpt_gui.head_roles_view import compute_roles
from tests.gui.helpers import WAIT, in_worker, train_to_end


def final_weights(qtbot, w):
    return in_worker(qtbot, w, lambda t: (t.step_num, t.snapshot()))


def test_the_bars_show_the_model_a_run_finished_with(qtbot, make_window):
    w = make_window(num_steps=300)
    panel = w.sampling
    qtbot.waitUntil(lambda: panel.inference is not None, timeout=WAIT)
    panel.timer.stop()  # its refreshes while running: only the run's end may refresh
    train_to_end(qtbot, w)
    step, final = final_weights(qtbot, w)
    assert step == 300
    qtbot.waitUntil(lambda: np.array_equal(panel.inference.params["wte"],
                                           final.params["wte"]), timeout=5000)
    want = final.next_token_probs("", panel.temperature_value(), panel.top_k_value())
    qtbot.waitUntil(lambda: np.allclose(panel.probs, want), timeout=5000)


def test_pause_shows_the_model_it_paused_with(qtbot, make_window):
    w = make_window(num_steps=1_000_000)
    panel = w.sampling
    qtbot.waitUntil(lambda: panel.inference is not None, timeout=WAIT)
    panel.timer.stop()  # its refreshes while running: only the pause itself may refresh
    w.controller.train()
    qtbot.waitUntil(lambda: w.controller.history.step > 50, timeout=WAIT)
    with qtbot.waitSignal(w.controller.state_changed, timeout=WAIT):
        w.controller.pause()
    step, final = final_weights(qtbot, w)
    assert step > 50
    qtbot.waitUntil(lambda: np.array_equal(panel.inference.params["wte"],
                                           final.params["wte"]), timeout=5000)


def test_a_typed_words_attention_is_that_of_the_last_step(qtbot, make_window):
    w = make_window(num_steps=300)
    panel = w.attention
    w.docks["attention"].raise_()
    panel.word.setText("emma")
    qtbot.waitUntil(lambda: (panel.current or {}).get("word") == "emma", timeout=WAIT)
    panel.timer.stop()  # its requests while running: only the stop itself may ask
    train_to_end(qtbot, w)
    qtbot.waitUntil(lambda: panel.current["step"] == 300, timeout=5000)
    want, _labels = in_worker(qtbot, w, lambda t: t.inference().attention("emma"))
    assert np.allclose(panel.current["attention"], want)


def test_the_surprise_of_the_last_document_is_scored_by_the_final_model(qtbot, make_window):
    w = make_window(num_steps=300)
    w.docks["surprise"].raise_()
    qtbot.waitUntil(w.panels["surprise"].on_screen, timeout=5000)
    w.panels["surprise"].timer.stop()  # its requests while running: only the stop may ask
    seen = []
    w.controller.capture_ready.connect(
        lambda cap: seen.append(cap) if cap.get("position_losses") is not None else None)
    train_to_end(qtbot, w)
    qtbot.waitUntil(lambda: any(c.get("step") == 300 for c in seen), timeout=5000)


@pytest.mark.parametrize("stop", ["finished", "paused"])
def test_head_roles_are_those_of_the_final_weights(qtbot, make_window, stop):
    w = make_window(num_steps=300 if stop == "finished" else 1_000_000)
    roles = w.head_roles
    qtbot.waitUntil(lambda: roles.roles is not None and not roles._busy, timeout=WAIT)
    roles.timer.stop()  # its refreshes while running: only the stop itself may refresh
    if stop == "finished":
        train_to_end(qtbot, w)
    else:
        w.controller.train()
        qtbot.waitUntil(lambda: w.controller.history.step > 50, timeout=WAIT)
        with qtbot.waitSignal(w.controller.state_changed, timeout=WAIT):
            w.controller.pause()
    _step, final = final_weights(qtbot, w)
    words, source = roles._words
    def masses(result):
        return [list(r.masses.values()) for layer in result for r in layer]

    want = masses(compute_roles(final, words, source)["roles"])
    qtbot.waitUntil(lambda: not roles._busy and np.allclose(masses(roles.roles), want),
                    timeout=5000)
