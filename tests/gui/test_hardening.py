"""Issue 7 through the window: bad inputs via the open actions, divergence auto-pause,
control spam, and the toolkit itself not corrupting memory.

Message boxes are replaced by a recorder (a modal box would block the test); the
settings go to a temporary INI file. Lifecycle (closing mid-step, while loading, while
sampling) runs in subprocesses: a "QThread: Destroyed while thread is still running"
aborts the process, which must not take pytest down with it.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys  # noqa: E402

from PySide6.QtCore import QObject, Signal  # noqa: E402


# --- the toolkit: PySide6 6.12.0 on Python < 3.12 drops references on every emit ---------
def test_signal_emit_and_void_calls_keep_refcounts():
    from PySide6.QtCore import QTimer

    class Source(QObject):
        fired = Signal(object)

    src = Source()
    got = []
    src.fired.connect(got.append)
    timer = QTimer()

    def counts():
        return sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)

    before = counts()
    for _ in range(200):
        src.fired.emit(None)
        timer.start(1000)
        timer.stop()
    after = counts()
    assert len(got) == 200
    # Immortal objects (Python 3.12+) report a huge constant; otherwise the counts must
    # not fall: a falling count aborts the app ("Fatal Python error: bool_dealloc").
    drops = [b - a for a, b in zip(before, after, strict=True)]
    assert min(drops) > -50, f"refcounts of True/False/None fell by {drops}: broken PySide6"
