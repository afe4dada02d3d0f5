"""What the main window remembers between sessions (QSettings through settings.Settings):
geometry, dock layout, every panel's own state and the dataset; and the first-start layout.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication

# Room for what the window manager adds around the window (frame, title bar): unknown
# until the window is shown, so the first size leaves this much of the screen free.
FRAME_ALLOWANCE = (16, 48)
# Qt's spin boxes and sliders take 32-bit ints: a larger saved number (a settings file
# edited by hand) raised OverflowError in restore_state and the window never opened.
INT_LIMIT = 2**31 - 1
VAL_EVERY = "validate_every"


def restored_source(settings) -> str:
    """The dataset to load at start: the last one, or the bundled names when that file
    has gone away (it must not stop the app from starting)."""
    src = settings.get("dataset_source", "bundled")
    if isinstance(src, str) and (src.startswith("bundled") or Path(src).is_file()):
        return src
    return "bundled"


def _usable(value) -> bool:
    """A saved value a panel can be given: JSON reads NaN, Infinity and huge numbers,
    which passed the panels' type checks and then raised (round(nan), OverflowError)
    or turned silently into a limit (a NaN learning rate became 10)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    return math.isfinite(value) and abs(value) <= INT_LIMIT


def restore_panels(window) -> list[str]:
    """Give each panel its saved state; what could not be restored (left at its
    default), e.g. ["controls: learning_rate", "sampling"]."""
    s = window.settings
    problems = []
    for pid, panel in window.panels.items():
        key = f"panels/{pid}"
        saved = s.get(key, {})
        if key in s.unreadable or not isinstance(saved, dict):
            problems.append(pid)
            continue
        bad = [k for k, v in saved.items() if not _usable(v)]
        problems += [f"{pid}: {k}" for k in bad]
        try:
            panel.restore_state({k: v for k, v in saved.items() if k not in bad})
        except Exception:  # noqa: BLE001 (a wrong value must not keep the window shut)
            problems.append(pid)
    return problems


def restore(window) -> None:
    """Geometry, dock layout (or the default one) and each panel's saved state; what
    could not be restored is in window.restore_problems (the window says so)."""
    s = window.settings
    geometry = s.get_bytes("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)  # (Qt moves and shrinks it onto today's screen)
    else:
        first_size(window)
    state = s.get_bytes("window/state")
    layout_lost = False
    if state is None or not window.restoreState(state):
        QTimer.singleShot(0, window, lambda: default_layout(window))  # dies with it
        layout_lost = s.qsettings.contains("window/state")  # there, but unusable
    window.restore_problems = ["window layout"] * layout_lost + restore_panels(window)
    restore_val_every(window)
    window.controller.set_speed(float(window.controls.speed.currentData()))


def restore_val_every(window) -> None:
    """'Validate every' (a live field beside Steps, not part of a panel): it was the one
    Training setting forgotten between sessions. After the panels: a restored preset or
    Optimizations choice puts it back to the recipe's own interval."""
    live = getattr(window, "live_changes", None)
    if live is None:
        return
    n = window.settings.get(VAL_EVERY, None)
    if n is None and VAL_EVERY not in window.settings.unreadable:
        return  # never chosen: the preset's interval
    box = live.val_every
    if isinstance(n, int) and not isinstance(n, bool) and box.minimum() <= n <= box.maximum():
        live.set_val_every(n, chosen=True)
    else:
        window.restore_problems.append("Validate every")


def start(window, autostart: bool):
    """After restore() and the rest of the window: load last time's data (autostart) and,
    once the window is up, say what could not be restored or will not be saved. Returns
    (load generation, source) of the data loading, or None."""
    s, problems, started = window.settings, window.restore_problems, None
    if autostart:
        saved = s.get("dataset_source", "bundled")
        source = restored_source(s)
        gone = source != saved and isinstance(saved, str)
        if gone:  # (it was silent: a class got other data without a word) A message
            # of its own: the settings are fine, the file is not where it was.
            text = (f"Last time's data, {saved}, is not there (moved, renamed, deleted, "
                    "or on a drive not connected): the bundled names are loaded instead. "
                    "It is tried again at the next start, unless another dataset is "
                    "opened before then; it is also in File ▸ Open recent.")
            QTimer.singleShot(0, window, lambda: window.show_message(text))
        elif source != saved:
            problems.append("the data (the bundled names are loaded)")
        window.datasets.load(source, "dataset")
        started = (window.datasets.generation, source)
        if gone:
            keep_missing_source(window, saved, started[0])
    # Once the window is up: a box opened before its parent is shown floats off.
    damaged = getattr(s, "damaged", None)
    if damaged:  # (nothing else to name: all was set back to the defaults)
        QTimer.singleShot(0, window, lambda: window.show_error(damaged))
    if problems:
        text = problems_text(problems, s.path())
        QTimer.singleShot(0, window, lambda: window.show_message(text))
    if not s.writable():  # at close there is nobody left to tell
        text = (f"Settings cannot be saved to {s.path()} (a folder, or a place this user "
                "cannot write): this session's layout, settings and recent files will "
                "not be kept.")
        QTimer.singleShot(0, window, lambda: window.show_error(text))
    return started


def keep_missing_source(window, path: str, generation: int) -> None:
    """Last time's data file is missing today (perhaps only a drive not connected): the
    bundled names stand in, but its path is not forgotten. It stays the saved dataset
    while the stand-in is the data (save()), and it is in File ▸ Open recent."""
    datasets = window.datasets

    def loaded(ds) -> None:
        if datasets.generation == generation:  # the stand-in, not a later load
            window.missing_source = (path, ds)

    datasets.loaded.connect(loaded)
    recent = getattr(window, "recent", None)
    if recent is not None and not any(e["path"] == os.path.abspath(path)
                                      for e in recent.entries):
        recent.add("data", path)


def problems_text(problems: list[str], path: str) -> str:
    """The message for settings that could not be restored."""
    return ("Some settings from last time could not be restored (damaged, or written by "
            "hand or by another version); they are back at their defaults:\n  "
            + "\n  ".join(problems) + f"\nSettings file: {path}")


def first_size(window) -> None:
    """First start: the default size, unless the screen is smaller (a 1366x768 laptop, a
    1280x720 projector): then as much of the screen as there is, centred."""
    if QGuiApplication.platformName() == "offscreen":
        return  # no real screen (a fixed virtual 800x800): keep the default for tests
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        fit(window, screen.availableGeometry())


def fit(window, avail: QRect) -> None:
    """Shrink the window to fit `avail` (the screen's free area) with its frame, centred
    there; never below what its docks need (Qt keeps the minimum size)."""
    width = min(window.width(), avail.width() - FRAME_ALLOWANCE[0])
    height = min(window.height(), avail.height() - FRAME_ALLOWANCE[1])
    if (width, height) == (window.width(), window.height()):
        return
    window.resize(max(1, width), max(1, height))
    window.move(avail.x() + max(0, (avail.width() - window.width()) // 2),
                avail.y() + max(0, (avail.height() - FRAME_ALLOWANCE[1]
                                    - window.height()) // 2))


def default_layout(window) -> None:
    """First start: the curves (central) get the most room; controls stay narrow."""
    w = window.width()

    def docks_in(area, visible_only=False):
        return [d for d in window.docks.values() if window.dockWidgetArea(d) == area
                and (d.isVisible() or not visible_only)]

    left = docks_in(Qt.DockWidgetArea.LeftDockWidgetArea)
    right = docks_in(Qt.DockWidgetArea.RightDockWidgetArea)
    bottom = docks_in(Qt.DockWidgetArea.BottomDockWidgetArea, visible_only=True)
    if left:
        window.resizeDocks(left[:1], [max(250, w // 6)], Qt.Orientation.Horizontal)
    if right:
        window.resizeDocks(right[:1], [max(420, int(w * 0.36))], Qt.Orientation.Horizontal)
    if bottom:
        window.resizeDocks(bottom, [max(160, window.height() // 4)] * len(bottom),
                           Qt.Orientation.Vertical)


def save(window) -> None:
    s = window.settings
    s.set_bytes("window/geometry", QByteArray(window.saveGeometry()))
    s.set_bytes("window/state", QByteArray(window.saveState()))
    for pid, panel in window.panels.items():
        s.set(f"panels/{pid}", panel.save_state())
    live = getattr(window, "live_changes", None)
    if live is not None:
        s.set(VAL_EVERY, live.chosen)  # None: the preset's own
    ds = window.datasets.dataset
    missing = getattr(window, "missing_source", None)
    if missing is not None and ds is missing[1]:  # still the stand-in: try it next time
        s.set("dataset_source", missing[0])
    elif ds is not None:
        s.set("dataset_source", ds.source)
    s.sync()
