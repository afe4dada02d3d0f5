"""The controls say what a model will cost before it is built: parameters, time per step
and memory; they warn when a step will be slow and refuse a model that would not fit in
the computer's memory (engine/cost.py), leaving the current run as it was."""

from __future__ import annotations

from engine import cost


def set_sizes(w, backend=None, **fields):
    if backend:
        w.controls.backend.setCurrentText(backend)
    for name, value in fields.items():
        w.controls.fields[name].setValue(value)


def test_the_default_model_shows_its_size_time_and_memory(make_window):
    w = make_window()
    text = w.controls.cost.text()
    assert text.startswith(f"{w.controller.info.num_params:,} parameters")
    assert "ms per step" in text and "MB" in text
    assert w.controls.slow.isHidden() and w.controls.problem.isHidden()
    set_sizes(w, n_embd=64)
    assert w.controls.cost.text() != text  # follows the fields


def test_a_slow_reference_model_is_flagged_with_the_way_out(make_window, monkeypatch):
    monkeypatch.setattr(cost, "physical_memory", lambda: 256 * 2**30)
    w = make_window()
    set_sizes(w, "reference", n_embd=128, n_layer=4, batch_size=4)
    slow = w.controls.slow
    assert not slow.isHidden()
    assert "per step" in slow.text() and "numpy backend" in slow.text()
    assert w.controls.problem.isHidden() and w.act["reset"].isEnabled()  # allowed, warned
    set_sizes(w, "numpy")
    assert slow.isHidden()


def test_a_model_too_big_for_the_memory_cannot_be_reset(qtbot, make_window, monkeypatch):
    monkeypatch.setattr(cost, "physical_memory", lambda: 4 * 2**30)
    w = make_window()
    info = w.controller.info
    set_sizes(w, "reference", n_embd=256, n_head=8, n_layer=8, block_size=64, batch_size=64)
    problem = w.controls.problem
    assert not problem.isHidden()
    assert problem.text().startswith("Too big: training this model needs about")
    assert "has 4.0 GB" in problem.text()
    assert "numpy backend" in problem.text()
    assert not w.act["reset"].isEnabled()
    w.reset()  # e.g. the R shortcut: refused with the reason, the run untouched
    assert w.messages and "of memory" in w.messages[-1][1]
    assert w.controller.info is info
    set_sizes(w, "numpy", batch_size=1)
    assert problem.isHidden() and w.act["reset"].isEnabled()


def test_pause_and_reset_do_not_wait_for_a_slow_step(qtbot, make_window):
    """A reference model with steps of several seconds: Pause and Reset abandon the step
    in progress (nothing changes: StepCancelled) instead of waiting for its end."""
    from tests.gui.helpers import in_worker, reset

    w = make_window()
    c = w.controller
    cfg = w.controls.config()
    cfg.backend, cfg.model.n_embd, cfg.train.batch_size = "reference", 64, 4  # ~5-10 s/step
    reset(qtbot, w, cfg)
    assert w.controls.estimate(cfg).seconds_per_step > 3
    checks = []  # the step's calls of should_stop: it has started once there are some

    def count_checks(trainer):
        inner = trainer.should_stop

        def counting():
            checks.append(1)
            return inner()
        trainer.should_stop = counting

    in_worker(qtbot, w, count_checks)
    w.act["train"].trigger()
    qtbot.waitUntil(lambda: len(checks) >= 3, timeout=30_000)  # inside the first step
    with qtbot.waitSignal(c.state_changed, timeout=30_000,
                          check_params_cb=lambda s: s == "paused"):
        w.act["train"].trigger()  # Pause
    # Not a single step done: the pause did not wait for the end of the first one.
    assert c.history.step == 0 and in_worker(qtbot, w, lambda t: t.step_num) == 0
    # Train again, then Reset mid-step: the old run ends with its step abandoned.
    closed = []
    c.run_closed.connect(lambda history, info: closed.append(history.step))
    checks.clear()
    w.act["train"].trigger()
    qtbot.waitUntil(lambda: len(checks) >= 3, timeout=30_000)
    cfg.model.n_embd, cfg.train.batch_size, cfg.backend = 16, 1, "numpy"
    reset(qtbot, w, cfg)
    assert closed == [0] and c.info.config.backend == "numpy"
    assert in_worker(qtbot, w, lambda t: t.step_num) == 0
