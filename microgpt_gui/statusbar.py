"""Status bar: progress (step N / total), ETA, ms/step, steps/s, run state, messages.

Updated from History on a slow timer (4 Hz): these are numbers to read, not to animate.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QStyle, QStyleOption

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
        self._permanent = (self.state_label, self.rate_label, self.eta_label, self.progress)
        self._hinted = ("", "")  # (message, its end that stays in view): show_with_hint
        for w in self._permanent:
            self.addPermanentWidget(w)
        # A message longer than the room left of the permanent widgets ends in "…" (Qt
        # cuts it off mid-letter); the whole text is the tooltip and currentMessage().
        self.messageChanged.connect(self._message_changed)
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
        fresh = c.state == "paused" and step == info.start_step  # nothing trained yet
        self.state_label.setText("▶ ready" if fresh else
                                 {"running": "● training", "paused": "❚❚ paused",
                                  "finished": "✓ finished", "empty": "no model"}.get(c.state,
                                                                                   c.state))
        go = "starts" if step == 0 else f"goes on from step {step:,}"  # (an opened checkpoint)
        self.state_label.setToolTip("Not trained since it was made or opened: Train (Space) "
                                    f"{go}, Step (S) makes one update" if fresh else "")
        if c.busy:  # a Reset on a big file takes seconds (the seed's shuffle is Python)
            self.state_label.setText("⧗ building the model…")
        if self.currentMessage():  # the labels' new widths may cut it shorter or less
            self._message_changed(self.currentMessage())

    # --- messages that fit -----------------------------------------------------------------
    def message_rect(self) -> QRect:
        """Where a temporary message is drawn: left of the permanent widgets (as Qt does)."""
        left, right = 6, self.width() - 12
        for w in self._permanent:
            if w.isVisible():
                right = min(right, w.x() - 2)
        return QRect(left, 0, max(0, right - left), self.height())

    def show_with_hint(self, text: str, hint: str, timeout: int = 0) -> None:
        """showMessage(text + " " + hint), but a text too long for the room is elided
        before the hint, which stays in view (e.g. "(N shows all the notes)" after a
        lesson's long first sentence: it was the part cut off)."""
        self._hinted = (f"{text} {hint}", hint)
        self.showMessage(self._hinted[0], timeout)

    def shown_message(self) -> str:
        """The message as drawn: elided with "…" when it does not fit (before the hint
        of show_with_hint, if there is room for the hint)."""
        text = self.currentMessage()
        room = max(0, self.message_rect().width() - 6)
        fm = self.fontMetrics()
        hinted, hint = self._hinted
        if (text and text == hinted and fm.horizontalAdvance(text) > room
                and fm.horizontalAdvance(f"… {hint}") <= room):
            body = fm.elidedText(text[:-len(hint) - 1], Qt.TextElideMode.ElideRight,
                                 room - fm.horizontalAdvance(f" {hint}"))
            return f"{body} {hint}"
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, room)

    def _message_changed(self, text: str) -> None:
        if text != self._hinted[0]:
            self._hinted = ("", "")  # another message (or none): elided as usual
        self.setToolTip(text if text and self.shown_message() != text else "")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._message_changed(self.currentMessage())

    def paintEvent(self, event) -> None:
        message = self.currentMessage()
        if not message:
            super().paintEvent(event)
            return
        # QStatusBar.paintEvent with the message elided instead of clipped.
        p = QPainter(self)
        opt = QStyleOption()
        opt.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, opt, p, self)
        for w in self._permanent:
            if w.isVisible():
                item = QStyleOption()
                item.rect = w.geometry().adjusted(-2, -1, 2, 1)
                item.palette = self.palette()
                self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameStatusBarItem,
                                           item, p, w)
        p.setPen(self.palette().windowText().color())
        p.drawText(self.message_rect(), Qt.AlignmentFlag.AlignLeading
                   | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                   self.shown_message())
        p.end()
