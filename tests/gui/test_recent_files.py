"""File ▸ Open recent (recent_files.py): the lessons, checkpoints and text files last
opened or saved, kept in the settings, reopened with one click."""

from __future__ import annotations

import json

from PySide6.QtGui import QKeySequence

from microgpt_gui import recent_files
from tests.gui.conftest import DOCS, new_window
from tests.gui.helpers import WAIT, train_to_end


def menu_texts(w) -> list[str]:
    return [a.text() for a in w.recent.menu.actions() if not a.isSeparator()]


def trigger(w, index: int) -> None:
    w.recent.menu.actions()[index].trigger()


def test_saved_and_opened_files_are_listed_newest_first_and_kept(qtbot, make_window,
                                                                 tmp_path):
    w = make_window(num_steps=10)
    assert w.recent.entries == [] and menu_texts(w) == ["No recent files"]
    train_to_end(qtbot, w)
    ckpt = tmp_path / "run.npz"
    with qtbot.waitSignal(w.checkpoints.saved, timeout=WAIT):
        w.checkpoints.save(str(ckpt))
    lesson = tmp_path / "class & demo.json"
    w.lessons.save(str(lesson))
    data = tmp_path / "mine.txt"
    data.write_text("ann\nbob\ncid\n" * 20)
    with qtbot.waitSignal(w.datasets.loaded, timeout=WAIT):
        w.datasets.load_path(str(data))
    kinds = [(e["kind"], e["path"]) for e in w.recent.entries]
    assert kinds[:3] == [("data", str(data)), ("lesson", str(lesson)),
                         ("checkpoint", str(ckpt))]
    texts = menu_texts(w)
    assert texts[0] == "&1  mine.txt — text file"
    assert texts[1] == "&2  class && demo.json — lesson"  # && shows one & (no mnemonic)
    assert texts[2] == "&3  run.npz — checkpoint"
    assert w.recent.menu.actions()[1].toolTip() == str(lesson)
    # Kept in the settings: the next window has the same list.
    w2 = new_window(tmp_path / "s0.ini")
    qtbot.addWidget(w2)
    try:
        assert w2.recent.entries == w.recent.entries
    finally:
        w2.close()


def test_picking_entries_opens_them(qtbot, make_window, tmp_path):
    w = make_window(num_steps=10)
    train_to_end(qtbot, w)
    ckpt = tmp_path / "run.npz"
    with qtbot.waitSignal(w.checkpoints.saved, timeout=WAIT):
        w.checkpoints.save(str(ckpt))
    lesson = tmp_path / "l.json"
    lesson.write_text(json.dumps({"microgpt_lesson": 1, "title": "Recent",
                                  "dataset": str(DOCS), "settings": {"num_steps": 21}}))
    w.recent.add("lesson", str(lesson))
    w.recent.add("checkpoint", str(ckpt))  # newest: entry 0, the lesson entry 1
    with qtbot.waitSignal(w.lessons.opened, timeout=WAIT):
        trigger(w, 1)
    assert w.controller.info.config.train.num_steps == 21
    assert w.controller.history.step == 0
    assert w.recent.entries[0] == {"kind": "lesson", "path": str(lesson)}  # opened: first
    with qtbot.waitSignal(w.checkpoints.opened, timeout=WAIT):
        trigger(w, 1)  # the checkpoint, now second
    assert w.controller.history.step == 10
    assert w.controller.info.config.train.num_steps == 10


def test_a_file_that_has_gone_is_said_and_taken_off_the_list(qtbot, make_window, tmp_path):
    w = make_window(num_steps=10)
    gone = tmp_path / "gone.json"
    w.recent.add("lesson", str(gone))
    info, n = w.controller.info, len(w.messages)
    trigger(w, 0)
    assert len(w.messages) == n + 1
    kind, text = w.messages[-1]
    assert str(gone) in text and "no longer there" in text
    assert all(e["path"] != str(gone) for e in w.recent.entries)
    assert w.recent.settings.get(recent_files.KEY) == w.recent.entries
    qtbot.wait(100)
    assert w.controller.info is info


def test_one_entry_per_file_at_most_ten_and_clear(qtbot, plain_window, tmp_path):
    r = plain_window.recent
    r.clear()
    for i in range(12):
        r.add("data", str(tmp_path / f"f{i}.txt"))
    r.add("data", str(tmp_path / "f5.txt"))  # again: moves to the top, no second entry
    paths = [e["path"] for e in r.entries]
    assert len(paths) == recent_files.MAX_RECENT == 10
    assert paths[0] == str(tmp_path / "f5.txt") and paths.count(str(tmp_path / "f5.txt")) == 1
    assert paths[1] == str(tmp_path / "f11.txt")
    assert menu_texts(plain_window)[9].startswith("10  ")  # no mnemonic past 9
    [a for a in r.menu.actions() if a.text() == "Clear list"][0].trigger()
    assert r.entries == [] and r.settings.get(recent_files.KEY) == []
    assert menu_texts(plain_window) == ["No recent files"]
    assert not r.menu.actions()[0].isEnabled()


def test_settings_written_by_hand_keep_only_sensible_entries(qtbot, tmp_path):
    from microgpt_gui.settings import Settings

    path = tmp_path / "hand.ini"
    s = Settings(str(path))
    s.set(recent_files.KEY, [{"kind": "lesson", "path": "/a.json"}, {"kind": "virus"},
                             "text", {"kind": "data", "path": 3}, None,
                             {"kind": "checkpoint", "path": "/b.npz", "extra": 1}])
    s.sync()
    w = new_window(path)
    qtbot.addWidget(w)
    try:
        assert w.recent.entries == [{"kind": "lesson", "path": "/a.json"},
                                    {"kind": "checkpoint", "path": "/b.npz"}]
    finally:
        w.close()


def test_the_bundled_names_are_not_a_recent_file(qtbot, plain_window):
    w = plain_window
    w.recent.clear()
    with qtbot.waitSignal(w.datasets.loaded, timeout=WAIT):
        w.datasets.load_bundled()
    assert w.recent.entries == []


def test_quit_is_ctrl_q_on_every_platform(plain_window):
    assert plain_window.act["quit"].shortcut() == QKeySequence("Ctrl+Q")
