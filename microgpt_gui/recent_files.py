"""File ▸ Open recent: the lessons, checkpoints and text files last opened or saved.

A teacher opens the same lesson at the start of every class, a learner goes on from
yesterday's checkpoint: one click instead of a file dialog. The list lives in the
settings ("recent_files": [{"kind": ..., "path": ...}], newest first, one entry per
file, at most MAX_RECENT). A file that has gone since is said so, by name, and taken off
the list when picked; nothing else changes.

Opening goes through the same paths as the File menu's own commands (asking first before
a long unsaved run is replaced), given to RecentFiles as `openers`.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

KEY = "recent_files"
MAX_RECENT = 10
KINDS = {"lesson": "lesson", "checkpoint": "checkpoint", "data": "text file"}


def _valid(entry) -> bool:
    return (isinstance(entry, dict) and entry.get("kind") in KINDS
            and isinstance(entry.get("path"), str) and bool(entry["path"]))


class RecentFiles(QObject):
    def __init__(self, window, settings, openers: dict, parent=None):
        """openers: kind -> fn(path), how that kind of file is opened (after asking)."""
        super().__init__(parent or window)
        self.window = window
        self.settings = settings
        self.openers = openers
        stored = settings.get(KEY, [])
        # Settings written by hand or by another version: keep only what makes sense.
        self.entries: list[dict] = [
            {"kind": e["kind"], "path": e["path"]}
            for e in (stored if isinstance(stored, list) else []) if _valid(e)
        ][:MAX_RECENT]
        self.menu = QMenu("Open &recent", window)
        self.menu.setToolTipsVisible(True)
        self._rebuild()

    def add(self, kind: str, path: str) -> None:
        """`path` was just opened or saved as `kind`: first in the list."""
        if kind not in KINDS or not path:
            return
        path = os.path.abspath(path)
        self.entries = [e for e in self.entries if e["path"] != path]
        self.entries.insert(0, {"kind": kind, "path": path})
        del self.entries[MAX_RECENT:]
        self._save()

    def clear(self) -> None:
        self.entries = []
        self._save()

    def open(self, index: int) -> None:
        """Open entry `index` with its kind's opener, or say it has gone."""
        entry = self.entries[index]
        path = entry["path"]
        if not Path(path).is_file():
            self.entries.pop(index)
            self._save()
            self.window.show_error(f"{path}: this {KINDS[entry['kind']]} is no longer there "
                                   "(moved, renamed or deleted); it is taken off "
                                   "File ▸ Open recent.")
            return
        self.openers[entry["kind"]](path)

    def _save(self) -> None:
        self.settings.set(KEY, self.entries)
        self._rebuild()

    def _rebuild(self) -> None:
        menu = self.menu
        menu.clear()
        if not self.entries:
            empty = menu.addAction("No recent files")
            empty.setEnabled(False)
            return
        for i, entry in enumerate(self.entries):
            name = Path(entry["path"]).name.replace("&", "&&")  # & would mark a mnemonic
            prefix = f"&{i + 1}  " if i < 9 else f"{i + 1}  "
            action = menu.addAction(f"{prefix}{name} — {KINDS[entry['kind']]}")
            action.setToolTip(entry["path"])
            action.setStatusTip(entry["path"])
            action.triggered.connect(lambda _checked=False, i=i: self.open(i))
        menu.addSeparator()
        menu.addAction("Clear list", self.clear)


def install(window) -> RecentFiles:
    """The Open recent menu under File, fed by every open and save of the three kinds."""
    from engine.download import is_makemore_copy

    from .lesson_dialogs import open_asking

    lessons, ckpt, datasets = window.lessons, window.checkpoints, window.datasets
    recent = RecentFiles(window, window.settings, {
        "lesson": lambda p: open_asking(lessons, p),
        "checkpoint": ckpt.open_asking,
        "data": datasets.load_path,
    })
    lessons.opened.connect(lambda p: recent.add("lesson", p))
    lessons.saved.connect(lambda p: recent.add("lesson", p))
    ckpt.opened.connect(lambda p: recent.add("checkpoint", p))
    ckpt.saved.connect(lambda p: recent.add("checkpoint", p))

    def data_loaded(ds) -> None:
        # A file the user chose, not the bundled names or the makemore download (the
        # File menu has its own commands for those two).
        source = getattr(ds, "source", "")
        if source and Path(source).is_file() and not is_makemore_copy(source):
            recent.add("data", source)

    datasets.loaded.connect(data_loaded)
    file_menu = window.menus["file"]
    after = next((a for a in file_menu.actions() if a.menu() is not None
                  and a.menu().title() == "Example lessons"), None)
    actions = file_menu.actions()
    before = actions[actions.index(after) + 1] if after in actions[:-1] else None
    file_menu.insertMenu(before, recent.menu) if before else file_menu.addMenu(recent.menu)
    return recent
