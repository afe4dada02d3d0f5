"""Settings: QSettings for the window geometry and the last used settings.

Values are stored as JSON strings, so they read back with the same types on every
platform's QSettings backend. MICROGPT_GUI_SETTINGS=/path/file.ini redirects everything
to one INI file (the tests use it so they never touch the user's settings).
"""

from __future__ import annotations

import json
import os

from PySide6.QtCore import QByteArray, QSettings

from . import APP_NAME

ENV = "MICROGPT_GUI_SETTINGS"


class Settings:
    def __init__(self, path: str | None = None):
        path = path or os.environ.get(ENV)
        if path:
            self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.qsettings = QSettings(APP_NAME, APP_NAME)
        # Keys whose stored value could not be read (a file truncated, damaged or edited
        # by hand): the window says which settings went back to their defaults.
        self.unreadable: set[str] = set()

    def get(self, key: str, default=None):
        """A JSON value saved with set(); default if missing or unreadable."""
        raw = self.qsettings.value(key)
        if raw is None:
            return default
        try:
            return json.loads(str(raw))
        except ValueError:
            self.unreadable.add(key)
            return default

    def path(self) -> str:
        return self.qsettings.fileName()

    def writable(self) -> bool:
        """False where nothing can be saved (the file is a folder, or in a place this
        user cannot write): the window says so at start, not silently at close."""
        return self.qsettings.isWritable()

    def set(self, key: str, value) -> None:
        self.qsettings.setValue(key, json.dumps(value))

    def get_bytes(self, key: str) -> QByteArray | None:
        raw = self.qsettings.value(key)
        return raw if isinstance(raw, QByteArray) else None

    def set_bytes(self, key: str, value: QByteArray) -> None:
        self.qsettings.setValue(key, value)

    def sync(self) -> None:
        self.qsettings.sync()
