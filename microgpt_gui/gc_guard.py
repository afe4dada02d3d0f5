"""Run Python's cycle collector on the GUI thread only.

The collector normally runs on whichever thread happens to allocate when a threshold is
crossed, and the training worker allocates all the time. If it frees Qt objects there
(a closed dialog, a rebuilt panel caught in a reference cycle), ~QObject runs on the
training thread: it takes Qt's connection lock and then waits for the GIL, while the GUI
thread holds the GIL and waits for that lock - the window freezes. (Seen in the test
suite with gdb: worker in QObject::~QObject -> PyGILState_Ensure; GUI thread in
~QAction -> QBasicMutex::lockInternal.) So automatic collection is switched off and the
GUI thread collects on a timer, generation by generation as the automatic policy would.

MainWindow owns one, so every embedding of the window (the app, tests, benchmarks) gets
it. Several may exist at once (one per window): automatic collection stays off while any
is active and is given back, as it was before the first, when the last one stops.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250
# New objects since the last collection from which something big is being built right
# now: a step of the reference backend makes a Value per multiply and add (hundreds of
# thousands to millions), alive until the step ends, then freed by reference counting
# (its graph holds no cycles; the engine switches automatic collection off for it).
# Collecting in the middle only scans it to find it alive, 0.2 to 1.2 s on the GUI
# thread each time at 2 layers of width 32 (the window froze, training ran at half
# speed), and moves it to the older generations, whose collections then take longer
# still. Everything else stays far below (~20,000 at most, training flat out in the
# numpy backend with every panel and projector mode).
BUILDING = 100_000
MAX_WAIT_S = 60.0  # ...but something that big and long-lived is collected after this

_active = 0  # guards started and not yet stopped, process-wide
_was_enabled = True  # automatic collection before the first of them


def active_guards() -> int:
    return _active


def _hold() -> None:
    global _active, _was_enabled
    if _active == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _active += 1


def _release() -> None:
    global _active
    _active -= 1
    if _active == 0 and _was_enabled:
        gc.enable()


class _Hold:
    """One guard's share of the process-wide count: released once, by stop() or, if the
    guard is deleted without being stopped (its window destroyed unclosed), then."""

    def __init__(self):
        self.held = True
        _hold()

    def release(self, *_args) -> None:
        if self.held:
            self.held = False
            _release()


class GuiThreadCollector(QObject):
    def __init__(self, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self._waiting_since: float | None = None  # a big structure is being built: since
        self._hold = _Hold()
        self.destroyed.connect(self._hold.release)  # a plain object: outlives self
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    @property
    def active(self) -> bool:
        return self._hold.held

    def check(self) -> None:
        """Collect the oldest generation whose count is over its threshold, if any,
        unless something big is being built (see BUILDING): then once it is gone."""
        counts = gc.get_count()
        if counts[0] > BUILDING:
            now = time.monotonic()
            if self._waiting_since is None:
                self._waiting_since = now
            if now - self._waiting_since < MAX_WAIT_S:
                return
        self._waiting_since = None
        for gen in (2, 1, 0):
            if counts[gen] > self.thresholds[gen]:
                gc.collect(gen)
                return

    def stop(self) -> None:
        """Stop collecting; automatic collection comes back when no other guard is active.
        Safe to call more than once."""
        if self._hold.held:
            self.timer.stop()
            self._hold.release()
