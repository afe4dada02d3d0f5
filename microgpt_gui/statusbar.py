"""Status bar: progress (step N / total), ETA, ms/step, steps/s, run state, messages.

Updated from History on a slow timer (4 Hz): these are numbers to read, not to animate.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

REFRESH_MS = 250


def format_eta(seconds: float) -> str:
    if not seconds or seconds != seconds or seconds == float("inf"):
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class StatusBar(QStatusBar):
    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.state_label = QLabel("starting…")
        self.rate_label = QLabel()
        self.eta_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(220)
        self.progress.setFormat("step %v / %m")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        for w in (self.state_label, self.rate_label, self.eta_label):
            self.addPermanentWidget(w)
        self.addPermanentWidget(self.progress)
        controller.state_changed.connect(lambda _s: self.refresh())
        controller.reset_done.connect(lambda _i: self.refresh())
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        controller.budget.pace(self.timer, REFRESH_MS)  # slowed with every view
        self.timer.start()

    def refresh(self) -> None:
        c = self.controller
        info, h = c.info, c.history
        if info is None:
            self.state_label.setText("⧗ building the model…" if c.busy else "no model yet")
            return
        total = max(info.num_steps, 1)
        step = h.step or info.start_step
        self.progress.setRange(0, total)
        self.progress.setValue(min(step, total))
        sps = h.steps_per_second() if c.state == "running" else 0.0
        ms = h.last.ms if h.last is not None else 0.0
        factor = c.budget.factor
        # Say why the plots move less often: while training runs flat out the views share
        # one budget of the GUI thread's time (frame_budget.py), or training would slow.
        views = f" · views at 1/{factor:.0f} rate" if factor >= 1.5 else ""
        self.rate_label.setText(f"{ms:.1f} ms/step · {sps:.1f} steps/s{views}")
        self.rate_label.setToolTip(
            "While training runs flat out, every view redraws less often so that the "
            "training thread keeps most of the time (Python runs one thread at a time)."
            if views else "")
        remaining = total - step
        if c.state == "running" and sps > 0:
            self.eta_label.setText(f"ETA {format_eta(remaining / sps)}")
        elif c.state == "finished":
            self.eta_label.setText("done")
        else:
            self.eta_label.setText("ETA –")
        self.state_label.setText({"running": "● training", "paused": "❚❚ paused",
                                  "finished": "✓ finished", "empty": "no model"}.get(c.state,
                                                                                   c.state))
        if c.busy:  # a Reset on a big file takes seconds (the seed's shuffle is Python)
            self.state_label.setText("⧗ building the model…")
