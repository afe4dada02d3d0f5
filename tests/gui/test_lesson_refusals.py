"""A lesson that cannot open says so and leaves the window as it was.

Before: a lesson whose model the window refused to build (too big for this computer's
memory) waited for ever without a word, its settings left in the fields; and a data file
opened while a lesson's data loaded replaced that load, and the lesson then opened on the
user's file instead of its own.
"""

from __future__ import annotations

import json

from tests.gui.helpers import WAIT, train_to_end
from tests.gui.test_queued_resets import other_data_lesson, slow_data

TOO_BIG = {"n_embd": 256, "n_layer": 8, "block_size": 64, "batch_size": 64}


def too_big_lesson(tmp_path, dataset: str):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"microgpt_lesson": 1, "title": "Too big", "dataset": dataset,
                                "backend": "reference", "settings": TOO_BIG}))
    return path


def assert_window_as_before(w, before_cfg, title):
    assert w.controls.config().model == before_cfg.model
    assert w.controls.config().train == before_cfg.train
    assert w.controls.backend.currentText() == before_cfg.backend
    assert w.lessons.lesson is None and w.lessons._pending is None
    assert w.windowTitle() == title


def test_a_lesson_too_big_for_this_computer_on_the_loaded_data_is_refused_at_once(
        qtbot, make_window, tmp_path):
    from tests.gui.conftest import DOCS

    w = make_window(num_steps=30)
    before, title, info = w.controls.config(), w.windowTitle(), w.controller.info
    failed = []
    w.lessons.failed.connect(failed.append)
    lesson = too_big_lesson(tmp_path, str(DOCS))  # the data the window has: no load
    assert not w.lessons.open(str(lesson))
    assert len(failed) == 1
    assert str(lesson) in failed[0] and "too big" in failed[0].lower(), failed
    assert_window_as_before(w, before, title)
    qtbot.wait(200)
    assert w.controller.info is info and not w.controller.busy  # no model asked for


def test_a_lesson_too_big_for_this_computer_is_refused_once_its_data_has_loaded(
        qtbot, make_window, tmp_path):
    w = make_window(num_steps=30)
    before, title = w.controls.config(), w.windowTitle()
    failed = []
    w.lessons.failed.connect(failed.append)
    (tmp_path / "names.txt").write_text("\n".join(f"ab{chr(97 + i % 26)}" for i in range(200)))
    lesson = too_big_lesson(tmp_path, "names.txt")
    assert w.lessons.open(str(lesson))  # its data loads first
    qtbot.waitUntil(lambda: bool(failed), timeout=WAIT)
    assert str(lesson) in failed[0] and "too big" in failed[0].lower(), failed
    assert_window_as_before(w, before, title)


def test_a_data_file_opened_while_a_lessons_data_loads_wins_and_the_lesson_is_not_opened(
        qtbot, make_window, tmp_path, monkeypatch):
    lesson = other_data_lesson(tmp_path)  # 33 steps on other.txt
    mine = tmp_path / "mine.txt"
    mine.write_text("\n".join(f"zz{chr(97 + i % 26)}" for i in range(200)) + "\n")
    w = make_window(num_steps=30)
    train_to_end(qtbot, w)  # something trained: the window does not reset on new data
    before, title = w.controls.config(), w.windowTitle()
    release = slow_data(monkeypatch)
    opened = []
    w.lessons.opened.connect(opened.append)
    assert w.lessons.open(str(lesson))
    assert w.controls.fields["num_steps"].value() == 33  # the lesson's, while its data loads
    w.datasets.load_path(str(mine))  # Data ▸ Open: the user's own file
    assert_window_as_before(w, before, title)
    assert "The lesson was not opened" in w.statusBar().currentMessage()
    release.set()
    qtbot.waitUntil(lambda: not w.datasets.busy, timeout=WAIT)
    qtbot.wait(300)
    assert w.datasets.dataset.source == str(mine)
    assert opened == [] and w.lessons.lesson is None
    assert w.controls.fields["num_steps"].value() == 30
