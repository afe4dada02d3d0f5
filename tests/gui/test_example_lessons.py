"""The example lessons under File ▸ Example lessons, opened as a teacher opens them:
each one loads, shows what it says, and reproduces the same run when opened again."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from engine import Trainer, load_dataset  # noqa: E402
from microgpt_gui.lesson import bundled_lessons, load_lesson  # noqa: E402
from tests.gui.helpers import WAIT, steps  # noqa: E402

N = 12  # steps compared per opening


def example_menu(w):
    from PySide6.QtWidgets import QMenu

    menus = [a.menu() for a in w.menus["file"].actions() if isinstance(a.menu(), QMenu)]
    menu = next(m for m in menus if m.title() == "Example lessons")
    return {a.text(): a for a in menu.actions()}


def open_from_menu(qtbot, w, title):
    with qtbot.waitSignal(w.lessons.opened, timeout=WAIT):
        example_menu(w)[title].trigger()
    return steps(qtbot, w, N)


@pytest.mark.parametrize("path", bundled_lessons(), ids=lambda p: p.stem)
def test_example_lesson_opens_from_the_menu_and_reproduces_its_run(qtbot, plain_window,
                                                                   path):
    w = plain_window
    lesson = load_lesson(path)
    assert lesson.title in example_menu(w)
    first = open_from_menu(qtbot, w, lesson.title)
    want = lesson.run_config()
    want.model.vocab_size = w.controller.info.config.model.vocab_size  # from the data
    assert w.controller.info.config.to_dict() == want.to_dict()
    assert w.controller.info.dataset_source == "bundled:names.txt"
    assert lesson.title in w.windowTitle()
    speed = w.controls.speed.currentData()
    assert (int(speed) if speed else "max") == lesson.speed
    assert w.panels["attention"].word.text() == lesson.probe_word
    assert w.panels["surprise"].view.entry.text() == lesson.probe_word
    assert w.panels["curves"].smoothing.value() == pytest.approx(lesson.view["smoothing"])
    assert w.projector.active == lesson.projector
    assert not w.controls.needs_reset.isVisibleTo(w), w.controls.needs_reset.text()
    # the same numbers as the engine on its own, and again on a second opening
    t = Trainer(lesson.run_config(), load_dataset("bundled:names.txt"))
    expected = [t.step().loss for _ in range(N)]
    assert [s.loss for s in first] == expected
    again = open_from_menu(qtbot, w, lesson.title)
    assert [s.step for s in again] == list(range(1, N + 1))
    assert [s.loss for s in again] == expected
