"""Reset, Open checkpoint and Quit ask before losing a long unsaved run (unsaved.py)."""

from __future__ import annotations

import pytest

from microgpt_gui.unsaved import ASK_SETTING, duration_text
from tests.gui.helpers import WAIT, steps


class Asked:
    """Stands in for the question dialog: records each question, gives `answer`."""

    def __init__(self, answer):
        self.answer, self.messages = answer, []

    def __call__(self, message):
        self.messages.append(message)
        return self.answer


@pytest.fixture
def trained(qtbot, make_window):
    """Factory: a window whose run trained n steps, the guard asking at once (no
    threshold) and answering `answer`. Before make_window closes it, the guard is off."""
    made = []

    def make(answer, n=3):
        w = make_window()
        steps(qtbot, w, n)
        w.unsaved.ask_after_s = 0.0
        w.unsaved.ask = Asked(answer)
        made.append(w)
        return w

    yield make
    for w in made:
        w.unsaved.ask_after_s = float("inf")


def test_duration_text():
    assert duration_text(45.4) == "45 s"
    assert duration_text(200) == "3 min 20 s"
    assert duration_text(2 * 3600 + 5 * 60) == "2 h 05 min"


def test_a_short_run_resets_without_a_question(qtbot, make_window):
    w = make_window()
    steps(qtbot, w, 3)
    w.unsaved.ask = Asked("cancel")
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.act["reset"].trigger()  # seconds of training: R stays instant in class
    assert w.unsaved.ask.messages == []


def test_cancel_keeps_the_run(qtbot, trained):
    w = trained("cancel")
    history = w.controller.history
    w.act["reset"].trigger()
    qtbot.wait(200)
    assert w.controller.history is history and history.step == 3
    (message,) = w.unsaved.ask.messages
    assert "3 steps" in message and "start a new model" in message


def test_dont_save_resets(qtbot, trained):
    w = trained("discard")
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.act["reset"].trigger()
    assert w.controller.history.step == 0
    assert len(w.unsaved.ask.messages) == 1


def test_save_writes_the_checkpoint_then_resets(qtbot, trained, tmp_path):
    w = trained("save")
    path = tmp_path / "kept.npz"
    w.unsaved.choose_path = lambda: str(path)
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.act["reset"].trigger()
    assert path.is_file()
    assert w.controller.history.step == 0
    from engine import Trainer

    assert Trainer.load(path).step_num == 3  # the run that would have been lost


def test_a_failed_save_keeps_the_run(qtbot, trained, tmp_path):
    w = trained("save")
    (tmp_path / "a-file").write_text("not a folder")
    w.unsaved.choose_path = lambda: str(tmp_path / "a-file" / "x.npz")
    history = w.controller.history
    with qtbot.waitSignal(w.checkpoints.failed, timeout=WAIT):
        w.act["reset"].trigger()
    qtbot.wait(200)
    assert w.controller.history is history  # not reset: the model is still there
    assert w.unsaved.at_risk()  # still unsaved: asked again next time


def test_saving_makes_the_run_safe(qtbot, trained, tmp_path):
    w = trained("cancel")
    assert w.unsaved.at_risk()
    with qtbot.waitSignal(w.checkpoints.saved, timeout=WAIT):
        w.checkpoints.save(str(tmp_path / "a.npz"))
    assert not w.unsaved.at_risk()
    steps(qtbot, w, 1)  # trained again since: at risk again
    assert w.unsaved.at_risk()


def test_the_setting_turns_the_question_off(qtbot, trained):
    w = trained("cancel")
    action = w.act["ask_before_losing"]
    assert action.isChecked()
    action.setChecked(False)
    assert w.settings.get(ASK_SETTING) is False
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.act["reset"].trigger()
    assert w.unsaved.ask.messages == []


@pytest.mark.parametrize("answer", ["cancel", "discard"])
def test_quit_asks(qtbot, trained, answer):
    w = trained(answer)
    w.close()
    assert len(w.unsaved.ask.messages) == 1 and "quit" in w.unsaved.ask.messages[0]
    assert w.isVisible() == (answer == "cancel")


def test_a_cancelled_quit_stays_in_projector_mode(qtbot, trained):
    """Projector mode was left on the Close event, before the question: a teacher who
    answered Cancel was back on the desktop layout in front of the class."""
    w = trained("cancel")
    w.projector.set_active(True)
    w.close()
    assert w.isVisible() and w.projector.active
    w.unsaved.ask = Asked("discard")
    w.close()
    assert not w.isVisible() and not w.projector.active


def test_open_checkpoint_asks_after_the_file_is_chosen(qtbot, trained, tmp_path,
                                                       monkeypatch):
    w = trained("cancel")
    path = tmp_path / "other.npz"
    w.unsaved.ask_after_s = 1e9
    with qtbot.waitSignal(w.checkpoints.saved, timeout=WAIT):
        w.checkpoints.save(str(path))
    steps(qtbot, w, 2)
    w.unsaved.ask_after_s = 0.0
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    history = w.controller.history
    w.checkpoints.ask_open()
    qtbot.wait(200)
    assert "open another checkpoint" in w.unsaved.ask.messages[0]
    assert w.controller.history is history and history.step == 5  # cancelled: kept
    w.unsaved.ask = Asked("discard")
    with qtbot.waitSignal(w.checkpoints.opened, timeout=WAIT):
        w.checkpoints.ask_open()
    assert w.controller.history.step == 3


def test_quit_with_save_closes_once_saved(qtbot, trained, tmp_path):
    w = trained("save")
    path = tmp_path / "at-quit.npz"
    w.unsaved.choose_path = lambda: str(path)
    w.close()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=WAIT)
    assert path.is_file()


def test_the_real_question_and_dont_ask_again(qtbot, trained):
    """The dialog itself: its buttons give the answers, its box turns the question off."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    w = trained("cancel")
    guard = w.unsaved

    def answer(button_text, tick):
        def click():
            box = next(b for b in QApplication.topLevelWidgets()  # (not an older box)
                       if isinstance(b, QMessageBox) and b.isVisible()
                       and b.text() == "question?")
            box.checkBox().setChecked(tick)
            next(b for b in box.buttons() if b.text() == button_text).click()
        QTimer.singleShot(100, click)

    answer("Cancel", True)
    assert guard._ask_dialog("question?") == "cancel"
    assert guard.enabled()  # a cancelled question changes nothing
    answer("Don't save", True)
    assert guard._ask_dialog("question?") == "discard"
    assert not guard.enabled()


def test_example_lesson_asks_first(qtbot, trained):
    w = trained("cancel")
    menu = next(a.menu() for a in w.menus["file"].actions()
                if a.menu() is not None and a.menu().title() == "Example lessons")
    history = w.controller.history
    menu.actions()[0].trigger()
    qtbot.wait(200)
    assert "open a lesson" in w.unsaved.ask.messages[0]
    assert w.controller.history is history and w.lessons.lesson is None  # nothing applied
