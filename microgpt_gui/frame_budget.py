"""FrameBudget: one limit on how much of the GUI thread's time redrawing may take while
training runs, shared by every panel.

Why: training runs on a QThread in the same process, and Python lets one thread run at a
time (the GIL). Every millisecond the GUI thread spends in Python - pyqtgraph's paint
code, a panel's refresh - is a millisecond the training thread waits. Each panel pacing
itself is not enough: nine panels at a modest rate each still add up to half the time.

How: twice a second the budget reads the GUI thread's own CPU time (time.thread_time,
called on the GUI thread) against the wall clock. While the training thread is busy
(running flat out, not waiting for its next slow-speed step) and that share is above
`share`, every paced timer is slowed down by a common factor; when it is well below,
they speed back up, never beyond their own base rate. While training is paused or slow
the factor is 1: the training thread has nothing to lose, and the user wants snappy
views.

The factor is multiplicative and damped (square root of the error ratio), because the
redraw cost is roughly proportional to the redraw rate: share ≈ cost_per_second / factor.

Panels register their timers with pace(timer, base_ms); interval(base_ms) gives the
current interval for timers a panel paces itself (the curves panel also paces by its own
measured frame cost).
"""

from __future__ import annotations

import time
import weakref

from PySide6.QtCore import QObject, QTimer

BUSY = 0.3  # the training thread counts as busy above this share of wall time
SHARE = 0.12  # at most ~this fraction of wall time on the GUI thread while training runs
MAX_FACTOR = 8.0  # never slow a view down more than this (25 Hz curves -> ~3 Hz)
PERIOD_MS = 500


class FrameBudget(QObject):
    def __init__(self, training_seconds, parent=None, share: float = SHARE,
                 max_factor: float = MAX_FACTOR, period_ms: int = PERIOD_MS):
        super().__init__(parent)
        # () -> float: wall seconds the training thread has spent working, ever (it only
        # grows). Its rate says whether training competes with the GUI right now.
        self.training_seconds = training_seconds
        self.share = share
        self.max_factor = max_factor
        self.factor = 1.0
        self.last_share = 0.0  # the GUI thread's share of the last period (for display)
        self._timers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._later: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # next interval
        self._mark = (time.monotonic(), time.thread_time(), training_seconds())
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._measure)
        self.timer.start(period_ms)

    # --- for panels ----------------------------------------------------------------------
    def interval(self, base_ms: float) -> int:
        return max(1, int(round(base_ms * self.factor)))

    def pace(self, timer: QTimer, base_ms: int) -> None:
        """Run timer at base_ms times the current factor, now and whenever it changes."""
        if timer not in self._timers:
            timer.timeout.connect(self._timed_out)
        self._timers[timer] = base_ms
        self._later.pop(timer, None)  # set now: nothing left for its next timeout
        timer.setInterval(self.interval(base_ms))

    def _reschedule(self, timer: QTimer, base_ms: int) -> None:
        """The timer's interval for the new factor. A running timer's setInterval()
        restarts its wait: a longer interval waits for the timer's next timeout instead,
        or a view paced slower than the factor changes (every PERIOD_MS) never fired (the
        attention maps froze while training ran flat out on a busy machine). A shorter
        one applies at once: it only brings the timeout closer."""
        new = self.interval(base_ms)
        self._later.pop(timer, None)  # an earlier factor's, not applied yet
        if new == timer.interval():
            return
        if not timer.isActive() or timer.remainingTime() > new:
            timer.setInterval(new)
        else:
            self._later[timer] = new

    def _timed_out(self) -> None:
        timer = self.sender()
        new = self._later.pop(timer, None)
        if new is not None:
            timer.setInterval(new)  # from this timeout on

    # --- the control loop ----------------------------------------------------------------
    def _measure(self) -> None:
        """Runs on the GUI thread, so thread_time() is the GUI thread's CPU time."""
        wall, cpu, busy = time.monotonic(), time.thread_time(), self.training_seconds()
        (wall0, cpu0, busy0), self._mark = self._mark, (wall, cpu, busy)
        if wall <= wall0:
            return
        self.last_share = (cpu - cpu0) / (wall - wall0)
        self.update(self.last_share, (busy - busy0) / (wall - wall0) > BUSY)

    def update(self, share: float, running: bool) -> None:
        """One control step: the measured GUI share of the last period -> new factor."""
        if not running:
            factor = 1.0
        else:
            ratio = max(share, 1e-3) / self.share
            factor = self.factor * min(max(ratio, 0.25), 4.0) ** 0.5
            factor = min(max(factor, 1.0), self.max_factor)
            if abs(factor - self.factor) < 0.05 * self.factor:
                return  # close enough: do not reschedule every timer for noise
        self.set_factor(factor)

    def set_factor(self, factor: float) -> None:
        """Slow every paced timer down by `factor` (1 = their own base rates)."""
        if factor == self.factor:
            return
        self.factor = factor
        for timer, base in list(self._timers.items()):
            try:
                self._reschedule(timer, base)
            except RuntimeError:  # the C++ timer is gone (its panel was deleted)
                self._timers.pop(timer, None)
                self._later.pop(timer, None)
