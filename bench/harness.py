"""Shared by bench/gui.py, bench/soak.py and tests/gui/test_soak.py: the real main window,
offscreen, training flat out with every panel visible, plus the probes that measure it.

Not a test and not part of the app: it only drives MainWindow the way a user would.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.rss import rss_mb  # noqa: E402,F401  (soak.py reads harness.rss_mb)


def app():
    from PySide6.QtWidgets import QApplication

    from microgpt_gui.app import tune_interpreter

    tune_interpreter()  # as microgpt_gui.app.main() does
    return QApplication.instance() or QApplication(["microgpt-bench"])


def quiet_message_boxes(record: list | None = None) -> list:
    """Replace the modal message boxes with a recorder (a benchmark has nobody to click)."""
    from PySide6.QtWidgets import QMessageBox

    record = [] if record is None else record

    def box(kind):
        def show(_parent, _title, text, *args, **kwargs):
            record.append((kind, text))
            return QMessageBox.StandardButton.Ok
        return staticmethod(show)

    for kind in ("warning", "information", "critical", "question"):
        setattr(QMessageBox, kind, box(kind))
    return record


def pump(seconds: float, until=None) -> bool:
    """Run the event loop for up to `seconds`, or until until() is true."""
    from PySide6.QtCore import QEventLoop, QTimer

    app()
    # One loop and one timer for the whole pump: QTimer.singleShot(ms, callable) leaks
    # ~50 bytes a call in PySide6, which a 10-minute soak would count as the app's growth.
    loop = QEventLoop()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if until is not None and until():
            return True
        timer.start(5)
        loop.exec()
    return until() if until is not None else True


def open_window(settings_path: str | None = None, size=(1360, 860)):
    """The main window, shown, with every dock visible, ready to train (first model built)."""
    from microgpt_gui.main_window import MainWindow
    from microgpt_gui.settings import Settings

    app()
    if settings_path is None:
        settings_path = os.path.join(tempfile.mkdtemp(prefix="microgpt-bench-"), "s.ini")
    window = MainWindow(Settings(settings_path))
    window.resize(*size)
    window.show()
    for dock in window.docks.values():
        dock.setVisible(True)
    if not pump(30, lambda: window.controller.info is not None):
        raise RuntimeError("the first model was not built within 30 s")
    return window


def new_run(window, num_steps: int = 10_000_000, **fields) -> None:
    """Reset with num_steps (and any other control values), wait for the new model."""
    window.controls.fields["num_steps"].setValue(num_steps)
    for name, value in fields.items():
        window.controls.fields[name].setValue(value)
    old = window.controller.info
    window.reset()
    if not pump(60, lambda: window.controller.info is not old and not window.controller.busy):
        raise RuntimeError("Reset did not finish within 60 s")


def train_max_speed(window) -> None:
    window.controls.set_speed(0)  # "max"
    window.controller.set_speed(0)
    window.controller.train()
    if not pump(10, lambda: window.controller.state == "running"):
        raise RuntimeError("training did not start")


def close(window) -> float:
    """Close the window; seconds it took."""
    t0 = time.perf_counter()
    window.close()
    return time.perf_counter() - t0


class LatencyProbe:
    """A 10 ms precise QTimer; lateness = time since the previous tick minus 10 ms."""

    def __init__(self, interval_ms: int = 10):
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000.0
        self.late_ms: list[float] = []
        self._last = None
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.timer.setInterval(interval_ms)

    def start(self):
        """Start (or resume: samples accumulate until clear())."""
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self):
        self.timer.stop()

    def clear(self):
        self.late_ms.clear()

    def _tick(self):
        now = time.perf_counter()
        self.late_ms.append(max(0.0, (now - self._last - self.interval) * 1000.0))
        self._last = now

    def summary(self) -> dict:
        import numpy as np

        a = np.asarray(self.late_ms or [float("nan")])
        return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
                "max": float(a.max()), "ticks": len(self.late_ms)}


class PaintCounter:
    """Counts paint events reaching a widget (its viewport, for a graphics view)."""

    def __init__(self, widget):
        from PySide6.QtCore import QEvent, QObject

        target = widget.viewport() if hasattr(widget, "viewport") else widget
        counter = self

        class Filter(QObject):
            def eventFilter(self, _obj, event):  # noqa: N802 (Qt name)
                if event.type() == QEvent.Type.Paint:
                    counter.count += 1
                return False

        self.count = 0
        self._filter = Filter()
        target.installEventFilter(self._filter)
        self._target = target

    def remove(self):
        self._target.removeEventFilter(self._filter)


def headless_steps_per_second(config, dataset, seconds: float = 3.0) -> float:
    """Steps/s of the engine alone, same config and data, in this process."""
    from engine import Trainer

    t = Trainer(config, dataset)
    for _ in range(20):  # warm up
        t.step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(50):
            t.step()
        n += 50
    return n / (time.perf_counter() - t0)
