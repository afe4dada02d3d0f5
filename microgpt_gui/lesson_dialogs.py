"""File ▸ Open lesson / Save lesson: the file dialogs around a LessonManager.

Only the asking (which file, and whether a long unsaved run may be replaced); opening and
saving themselves are LessonManager.open / .save (lesson_actions.py), which tests and the
Example lessons menu call without a dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from .unsaved import ask_first

FILTER = "microgpt lessons (*.json)"


def ask_open(lessons) -> None:
    path, _ = QFileDialog.getOpenFileName(lessons.window, "Open lesson", _folder(lessons),
                                          f"{FILTER};;All files (*)")
    if path:
        open_asking(lessons, path)


def open_asking(lessons, path: str) -> None:
    """lessons.open(path), after asking about a long unsaved run (the lesson replaces it)."""
    ask_first(lessons.window, "open a lesson", lambda: lessons.open(path))


def ask_save(lessons) -> None:
    start = lessons.path or str(Path(_folder(lessons)) / "my-lesson.json")
    path, _ = QFileDialog.getSaveFileName(lessons.window, "Save lesson", start, FILTER)
    if path:
        lessons.save(path if path.endswith(".json") else path + ".json")


def _folder(lessons) -> str:
    return str(Path(lessons.path).parent) if lessons.path else str(Path.home())
