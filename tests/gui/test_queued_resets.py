"""Several new models asked for before the first is built (Reset, Open checkpoint): each
answer is matched to its own request.

The training thread builds them one after the other, and a big model or a big file takes
seconds. The checkpoint manager took the first model to arrive for the checkpoint it had
asked for: opened while a Reset was still being built, the checkpoint came without its
curves and settings ("Opened checkpoint" was said of the Reset's model), and a failing
Reset was reported as "Could not open the checkpoint". The window also stopped saying
"building the model" while more models were still queued.
"""

from __future__ import annotations

import time

import pytest

from tests.gui.helpers import WAIT, train_to_end


def hold_worker(w, seconds=0.5):
    """Keep the training thread busy, so that what is asked next queues behind it."""
    w.controller.call_in_worker(lambda _t: time.sleep(seconds))


def saved_checkpoint(qtbot, w, path):
    train_to_end(qtbot, w)
    with qtbot.waitSignal(w.checkpoints.saved, timeout=WAIT):
        w.checkpoints.save(str(path))
    return w.controller.history.step


def test_a_checkpoint_opened_while_a_reset_is_built_keeps_its_curves(qtbot, make_window,
                                                                      tmp_path):
    w = make_window(num_steps=30)
    step = saved_checkpoint(qtbot, w, tmp_path / "c.npz")
    w.controls.fields["num_steps"].setValue(77)  # the Reset's model: 77 steps
    hold_worker(w)
    w.reset()
    w.checkpoints.open(str(tmp_path / "c.npz"))
    opened = []
    w.checkpoints.opened.connect(opened.append)
    qtbot.waitUntil(lambda: not w.controller.busy, timeout=WAIT)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT)
    c = w.controller
    assert c.info.config.train.num_steps == 30  # the checkpoint's model came last
    assert c.history.step == step and len(c.history) == step  # with its curves
    assert w.controls.fields["num_steps"].value() == 30  # and its settings


def test_building_is_shown_until_the_last_queued_model_is_built(qtbot, make_window):
    w = make_window()
    hold_worker(w)
    for _ in range(3):
        w.reset()
    done = []
    w.controller.reset_done.connect(lambda info: done.append(w.controller.busy))
    qtbot.waitUntil(lambda: len(done) == 3, timeout=WAIT)
    assert done == [True, True, False]


def test_a_failing_reset_before_a_checkpoint_is_reported_as_a_reset(qtbot, make_window,
                                                                    tmp_path):
    w = make_window(num_steps=30)
    saved_checkpoint(qtbot, w, tmp_path / "c.npz")
    hold_worker(w)
    w.controller.replace_trainer(lambda: 1 / 0)  # a Reset that fails
    w.checkpoints.open(str(tmp_path / "c.npz"))
    qtbot.waitUntil(lambda: not w.controller.busy, timeout=WAIT)
    errors = [text for kind, text in w.messages if kind == "Warning"]
    assert errors and errors[0].startswith("Could not start a new model: ZeroDivisionError")
    qtbot.waitUntil(lambda: w.controller.history.step == 30, timeout=WAIT)  # then opened


def test_a_lesson_opened_while_a_reset_is_built_is_opened_with_its_own_model(qtbot, make_window,
                                                                            tmp_path):
    import json

    from tests.gui.conftest import DOCS

    lesson = tmp_path / "l.json"
    lesson.write_text(json.dumps({"microgpt_lesson": 1, "title": "Queued", "dataset": str(DOCS),
                                  "settings": {"num_steps": 33}}))
    w = make_window(num_steps=30)
    w.controls.fields["num_steps"].setValue(77)
    hold_worker(w)
    w.reset()
    opened = []
    w.lessons.opened.connect(lambda _p: opened.append(w.controller.info.config.train.num_steps))
    assert w.lessons.open(str(lesson))
    qtbot.waitUntil(lambda: not w.controller.busy, timeout=WAIT)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT)
    assert opened == [33] and w.controller.info.config.train.num_steps == 33


def other_data_lesson(tmp_path):
    """A lesson file with 33 steps on its own data, other.txt (300 short names)."""
    import json

    lesson = tmp_path / "l.json"
    (tmp_path / "other.txt").write_text("\n".join(f"name{chr(97 + i % 26)}{i % 7}"
                                                 for i in range(300)) + "\n")
    lesson.write_text(json.dumps({"microgpt_lesson": 1, "title": "Other data",
                                  "dataset": "other.txt", "settings": {"num_steps": 33}}))
    return lesson


def test_a_lesson_whose_data_loads_while_a_reset_is_built_gets_its_own_model(
        qtbot, make_window, tmp_path):
    """The Reset's model (old data, old settings) arrives after the lesson's data: it is
    not the lesson's, and the lesson still gets a model of its own."""
    lesson = other_data_lesson(tmp_path)
    w = make_window(num_steps=30)
    train_to_end(qtbot, w)  # something trained: the window does not reset on new data
    w.controls.fields["num_steps"].setValue(77)
    hold_worker(w, 1.5)  # the Reset is built after the lesson's data has loaded
    w.reset()
    opened = []
    w.lessons.opened.connect(lambda _p: opened.append(w.controller.info))
    assert w.lessons.open(str(lesson))
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT)
    qtbot.waitUntil(lambda: not w.controller.busy, timeout=WAIT)
    info = opened[0]
    assert info.config.train.num_steps == 33 and info.dataset_source.endswith("other.txt")
    assert w.controller.info is info  # the last model built is the lesson's


def slow_data(monkeypatch):
    """Data files load only once the returned event is set (a big file, a slow disk)."""
    import threading

    import engine

    release = threading.Event()
    real = engine.load_dataset

    def load_dataset(*args, **kwargs):
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "load_dataset", load_dataset)
    return release


@pytest.mark.parametrize("when", ["still built when the data arrives", "trained on"])
def test_a_reset_pressed_while_a_lessons_data_loads_is_not_the_lessons_model(
        qtbot, make_window, tmp_path, monkeypatch, when):
    """R pressed while the lesson's data loads builds a model on the old data (the
    lesson's settings are already in the fields): the lesson must not take it as its own,
    neither when it is still being built as the data arrives (the lesson said "ready" with
    the old data) nor when it was built and trained on before (the lesson waited for a
    model that had come already and never opened)."""
    lesson = other_data_lesson(tmp_path)
    w = make_window(num_steps=30)
    train_to_end(qtbot, w)  # something trained: the window does not reset on new data
    release = slow_data(monkeypatch)
    opened = []
    w.lessons.opened.connect(lambda _p: opened.append(w.controller.info))
    assert w.lessons.open(str(lesson))
    assert w.datasets.busy
    if when == "trained on":
        with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
            w.act["reset"].trigger()  # R: built at once, on the old data
        with qtbot.waitSignal(w.controller.stats_batch, timeout=WAIT):
            w.controller.step_once()
    else:
        hold_worker(w, 1.0)
        w.act["reset"].trigger()  # R: still being built when the data arrives
        assert w.controller.busy
    release.set()
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT)
    qtbot.waitUntil(lambda: not w.controller.busy, timeout=WAIT)
    info = opened[0]
    assert info.config.train.num_steps == 33 and info.dataset_source.endswith("other.txt")
    assert w.controller.info is info  # the last model built is the lesson's
