"""Settings: QSettings for the window geometry and the last used settings.

Values are stored as JSON strings, so they read back with the same types on every
platform's QSettings backend. MICROGPT_GUI_SETTINGS=/path/file.ini redirects everything
to one INI file (the tests use it so they never touch the user's settings).
"""

from __future__ import annotations

import json
import os
import shutil

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
        # A file that is not a settings file at all (junk, broken syntax): a copy is kept
        # beside it, everything starts from the defaults and the window says so.
        self.damaged: str | None = self._set_aside_if_damaged()

    def _set_aside_if_damaged(self) -> str | None:
        """The start-up message for a settings file that cannot be parsed, or None.
        Qt reads random bytes as keys without complaint, and reports only broken
        [section] syntax (FormatError): both start from the defaults, the file kept as
        <name>.bad so that closing the window (which saves) does not lose it unsaid."""
        path = self.path()
        reason = _damage(path, self.qsettings)
        if reason is None:
            return None
        keep = path + ".bad"
        try:
            shutil.copyfile(path, keep)
            kept = f"The damaged file is kept as {keep}."
        except OSError as exc:
            kept = (f"It could not be kept as {keep} ({exc.strerror or exc}); it will be "
                    "replaced when the window closes.")
        self.qsettings.clear()  # (the junk would otherwise come back as keys)
        return (f"The settings file {path} cannot be read ({reason}): all settings are "
                f"back at their defaults. {kept}")

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


def _damage(path: str, qsettings: QSettings) -> str | None:
    """What is wrong with the settings file at `path`, or None (fine, or no file)."""
    if qsettings.status() == QSettings.Status.FormatError:
        return "broken syntax"
    if not os.path.isfile(path):  # no file yet (first start), a folder, the registry
        return None
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:  # unreadable: Qt could not read it either, and says nothing
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not a text file"
    # Qt escapes every control character it writes (\0, \x1, ...): one raw is junk.
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        return "not a text file"
    lines = [ln.strip() for ln in text.splitlines()]
    if not qsettings.allKeys() and any(ln and ln[0] not in "[;#" for ln in lines):
        return "no settings in it"
    return None
