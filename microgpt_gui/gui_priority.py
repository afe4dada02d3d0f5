"""GuiPriority: the training thread steps aside while the GUI thread is behind.

Why: training runs on a QThread of this process, and only one thread at a time runs
Python (the GIL). The reference backend is pure Python, so its thread holds the GIL
almost all the time; each time the GUI thread comes back from Qt into Python (a paint,
a signal, a layout callback) it waits up to the switch interval for it (1 ms, see
app.tune_interpreter). A layout change that calls into Python thousands of times -
projector mode, a dock moved - took 2-3 s while the reference backend trained, against
0.3 s while paused.

How: a 10 ms timer on the GUI thread stamps `beat`. The training thread calls
step_aside() between steps and at its backend's safe points (the reference backend asks
should_stop() every few milliseconds of work, engine/reference.py CHECK_EVERY). While
the stamp is older than STALE_S the GUI thread has not been back to its event loop - it
is busy, or waiting for the GIL - and the training thread sleeps (letting go of the GIL)
until the stamp is fresh again. A spell of waiting lasts at most MAX_SPELL_S: a GUI
thread held up in C++ (which needs no GIL) must not stop training; after that the
training thread runs on until it sees a fresh stamp.

Plain attributes shared between the threads (a float written by one, read by the
other) are atomic under the GIL.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer

BEAT_MS = 10  # the GUI thread stamps the time this often while its event loop turns
STALE_S = 0.025  # a stamp older than this: the GUI thread is behind
MAX_SPELL_S = 1.0  # the longest the training thread waits for one busy GUI spell
NAP_S = 0.002  # how long each wait sleeps before it looks again


class GuiPriority(QObject):
    def __init__(self, parent=None, clock=time.monotonic, sleep=time.sleep):
        super().__init__(parent)
        self._clock, self._sleep = clock, sleep
        self.beat = clock()  # written on the GUI thread only
        self.slept = 0.0  # seconds the training thread has spent stepping aside, ever
        self.spells = 0  # times it stepped aside (for tests and the benchmark)
        self._given_up_at = None  # the stamp of a spell that lasted MAX_SPELL_S
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.stamp)
        self.timer.start(BEAT_MS)

    def stamp(self) -> None:
        """GUI thread: the event loop is turning."""
        self.beat = self._clock()

    def stop(self) -> None:
        """No more stepping aside (the window is closing)."""
        self.timer.stop()
        self.beat = float("inf")

    def step_aside(self, cancelled=None) -> float:
        """Training thread: while the GUI thread is behind, sleep until it catches up (at
        most MAX_SPELL_S a spell, or until cancelled() is true). Returns seconds slept."""
        clock = self._clock
        now = clock()
        if now - self.beat <= STALE_S or self.beat == self._given_up_at:
            return 0.0  # keeping up, or the spell waited for already: run on until a stamp
        start = now
        self.spells += 1
        while now - self.beat > STALE_S:
            if now - start >= MAX_SPELL_S:
                self._given_up_at = self.beat
                break
            if cancelled is not None and cancelled():
                break
            self._sleep(NAP_S)
            now = clock()
        slept = now - start
        self.slept += slept
        return slept
