"""Run Python's cycle collector on the GUI thread only.

The collector normally runs on whichever thread happens to allocate when a threshold is
crossed, and the training worker allocates all the time. If it frees Qt objects there
(a closed dialog, a rebuilt panel caught in a reference cycle), ~QObject runs on the
training thread: it takes Qt's connection lock and then waits for the GIL, while the GUI
thread holds the GIL and waits for that lock - the window freezes. (Seen in the test
suite with gdb: worker in QObject::~QObject -> PyGILState_Ensure; GUI thread in
~QAction -> QBasicMutex::lockInternal.) So automatic collection is switched off and the
GUI thread collects on a timer, generation by generation as the automatic policy would.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    def __init__(self, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        """Collect the oldest generation whose count is over its threshold, if any."""
        counts = gc.get_count()
        for gen in (2, 1, 0):
            if counts[gen] > self.thresholds[gen]:
                gc.collect(gen)
                return

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()
