"""Lesson notes (N, File ▸ Lesson notes): the open lesson's title and its whole notes,
in a pane that stays open, follows the open lesson and reads in projector mode."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from tests.gui.helpers import WAIT  # noqa: E402

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs.txt"
SMALL = {"n_embd": 8, "n_head": 2, "num_steps": 20}


def write_lesson(folder: Path, name: str, **fields) -> Path:
    if not (folder / "names.txt").exists():
        shutil.copy(DOCS, folder / "names.txt")
    data = {"microgpt_lesson": 1, "dataset": "names.txt", "settings": SMALL} | fields
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def open_lesson(qtbot, w, path):
    with qtbot.waitSignal(w.lessons.opened, timeout=WAIT):
        assert w.lessons.open(str(path))


def press(qtbot, w, key):
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    QTest.keyClick(w, key)


def test_n_shows_the_whole_notes_and_follows_the_open_lesson(qtbot, plain_window, tmp_path):
    w = plain_window
    dock, pane = w.docks["lesson_notes"], w.panels["lesson_notes"]
    assert not dock.isVisible()
    press(qtbot, w, Qt.Key.Key_N)
    assert dock.isVisible()
    assert "No lesson is open" in pane.text() and "Open lesson" in pane.text()
    notes = ("Point at the loss. Ask why it starts at 3.3.\n\n"
             "Then press G: <b>names</b> & more.")
    first = write_lesson(tmp_path, "first.json", title="Loss first", notes=notes)
    open_lesson(qtbot, w, first)
    text = pane.text()
    assert text.startswith("Loss first")
    # every sentence, both paragraphs, shown as written (not read as HTML)
    assert "Point at the loss. Ask why it starts at 3.3." in text
    assert "Then press G: <b>names</b> & more." in text
    assert "N shows all the notes" in w.statusBar().currentMessage()
    second = write_lesson(tmp_path, "second.json", title="No notes here")
    open_lesson(qtbot, w, second)
    assert "No notes here" in pane.text() and "Point at" not in pane.text()
    assert "has no notes" in pane.text()
    # A lesson that fails after opening puts the previous one back, notes and all.
    (tmp_path / "bad.txt").write_bytes(b"emma\n")  # too few documents to build a model
    broken = write_lesson(tmp_path, "broken.json", title="Broken", notes="Never shown.",
                          dataset="bad.txt", projector=True)  # (theme changes twice)
    assert w.lessons.open(str(broken))
    qtbot.waitUntil(lambda: w.lessons._pending is None and not w.controller.busy,
                    timeout=WAIT)
    assert "No notes here" in pane.text() and "Never shown" not in pane.text()
    for box in w.findChildren(QMessageBox):  # the data's error message
        box.close()
    # saving under a title of its own (a lesson without one gets the file's name)
    w.lessons.lesson.title = ""
    w.lessons.save(str(tmp_path / "saved-demo.json"))
    assert pane.text().startswith("saved demo")
    press(qtbot, w, Qt.Key.Key_N)
    assert not dock.isVisible()


def test_notes_in_projector_mode_are_docked_and_big(qtbot, plain_window, tmp_path):
    w = plain_window
    path = write_lesson(tmp_path, "demo.json", title="Projector demo",
                        notes="A long first sentence for the back row. " * 8)
    open_lesson(qtbot, w, path)
    dock, pane = w.docks["lesson_notes"], w.panels["lesson_notes"]
    press(qtbot, w, Qt.Key.Key_F11)
    assert w.projector.active and not w.menuWidget().isVisible()
    press(qtbot, w, Qt.Key.Key_N)  # works without the menu bar
    assert dock.isVisible() and not dock.isFloating()
    assert w.dockWidgetArea(dock) != Qt.DockWidgetArea.NoDockWidgetArea
    qtbot.waitUntil(lambda: dock.height() > w.height() // 2, timeout=5000)
    assert dock.width() >= 200  # (the offscreen screen is small: 1280x720 has 320 px)
    # The per-letter surprise under the curves is narrower now: its summary takes more
    # lines, and gets them (it was cut off, or drawn over the colour key)
    summary = w.panels["surprise"].view.summary
    qtbot.waitUntil(lambda: summary.height() >= summary.heightForWidth(summary.width()),
                    timeout=5000)
    theme = w.themes.theme
    assert pane.browser.font().pointSize() == theme.font_size >= 14
    assert "Projector demo" in pane.text()
    press(qtbot, w, Qt.Key.Key_F11)  # leaving: the desktop layout, notes put away
    assert not w.projector.active and not dock.isVisible()
    assert pane.browser.font().pointSize() < theme.font_size


def test_n_is_nobody_elses_shortcut_and_is_listed(plain_window):
    from PySide6.QtGui import QAction

    from microgpt_gui import help_texts
    from microgpt_gui.classroom import shortcuts_html

    w = plain_window
    keys = [a.shortcut().toString() for a in w.findChildren(QAction)
            if not a.shortcut().isEmpty()]
    clashes = {k for k in keys if keys.count(k) > 1}
    assert keys.count("N") == 1 and not clashes, clashes
    assert "<b>N</b></td><td>&nbsp;&nbsp;Lesson notes" in shortcuts_html(w)
    assert "<b>N</b>" in help_texts.text("lesson_notes")
    file_menu = [a.text().replace("&", "") for a in w.menus["file"].actions()]
    assert "Lesson notes" in file_menu
