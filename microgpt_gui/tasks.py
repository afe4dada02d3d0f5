"""Background one-off jobs (loading a file, downloading, sampling) on their own QThread.

    runner.run(fn, on_done, on_error, on_progress)   fn(progress) runs off the GUI thread

fn gets a progress(done, total) callback; calling it after the window asked the job to
stop raises Cancelled, so long reads end promptly on close. Results come back through
queued signals, so the callbacks run on the GUI thread and may touch widgets.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThread, Signal, Slot

from .worker import describe

YIELD_EVERY_S = 0.02  # a job hands the GIL to the GUI thread this often (at progress)...
YIELD_S = 0.002  # ...for this long


class Cancelled(Exception):
    """The job was asked to stop (the window is closing)."""


class TaskThread(QThread):
    progress = Signal(object, object)  # done, total (may exceed 2**31: object, not int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, fn, parent=None):
        super().__init__(parent)
        self._fn = fn
        self._yielded = 0.0

    def run(self):
        try:
            result = self._fn(self._progress)
        except Cancelled:
            return
        except Exception as e:
            if not self.isInterruptionRequested():
                self.failed.emit(describe(e))
            return
        if not self.isInterruptionRequested():
            self.succeeded.emit(result)

    def _progress(self, done, total):
        if self.isInterruptionRequested():
            raise Cancelled()
        self.progress.emit(done, total)
        # Let the GUI thread run. A job that keeps the GIL busy (parsing a 50 MB file is
        # Python) makes every GIL hand-over of the GUI thread wait for the switch
        # interval, so a repaint of many Python items could take a second. A short sleep
        # at most every YIELD_EVERY_S gives it the GIL at once, for ~10% of the job's time.
        now = time.monotonic()
        if now - self._yielded >= YIELD_EVERY_S:
            time.sleep(YIELD_S)
            self._yielded = time.monotonic()

    def cancelled(self) -> bool:
        return self.isInterruptionRequested()


class _Relay(QObject):
    """Lives on the GUI thread, so the job's signals reach the callbacks there (a plain
    function connected directly would run on the job's thread)."""

    def __init__(self, runner, thread, on_done, on_error, on_progress):
        super().__init__(runner)
        self.runner, self.thread_, self.cbs = runner, thread, (on_done, on_error, on_progress)
        thread.succeeded.connect(self.done)
        thread.failed.connect(self.fail)
        thread.progress.connect(self.progress)
        thread.finished.connect(self.reap)

    @Slot(object)
    def done(self, result):
        if self.cbs[0]:
            self.cbs[0](result)

    @Slot(str)
    def fail(self, message):
        if self.cbs[1]:
            self.cbs[1](message)

    @Slot(object, object)
    def progress(self, done, total):
        if self.cbs[2]:
            self.cbs[2](done, total)

    @Slot()
    def reap(self):
        self.thread_.wait()  # finished is emitted just before the thread really ends
        self.runner._threads.discard(self.thread_)
        self.deleteLater()


class TaskRunner(QObject):
    """Starts TaskThreads and keeps them alive until they end; stops them all on close."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._threads: set[TaskThread] = set()
        self._shut = False

    def run(self, fn, on_done=None, on_error=None, on_progress=None) -> TaskThread | None:
        """The job's thread, started; None once shut down (nothing runs, no callback)."""
        if self._shut:
            # A request made before the window closed can be answered after it (Generate:
            # the snapshot arrives, then the sampling job would start): no thread may
            # start after shutdown(), which promised that none outlives the window.
            return None
        t = TaskThread(fn)
        _Relay(self, t, on_done, on_error, on_progress)
        self._threads.add(t)
        t.start()
        return t

    @property
    def active(self) -> int:
        return sum(1 for t in self._threads if t.isRunning())

    def shutdown(self, timeout_ms: int | None = 3000) -> bool:
        """Ask every job to stop; wait at most timeout_ms for all of them together
        (None: until they have ended). Jobs asked for later are not started."""
        self._shut = True
        threads = list(self._threads)
        for t in threads:
            t.requestInterruption()
        if timeout_ms is None:
            return all([t.wait() for t in threads])
        deadline = time.monotonic() + timeout_ms / 1000
        return all([t.wait(max(0, int((deadline - time.monotonic()) * 1000)))
                    for t in threads])
