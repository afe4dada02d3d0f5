"""File ▸ Export of a view that is not on screen: bring it forward, let it draw, export.

Panels draw only while on screen (a tab behind another dock, a closed dock): exported
as they were, the picture was empty or out of date. This used to bring the tab forward
and ask the user to export again once it had drawn. Now the export waits for the view
itself: on screen, its picture of the step the user asked at (Panel.drawn_since), one
more turn of the event loop for the paint, and then the file dialog opens. A view that
cannot catch up within LIMIT_MS (its computation failed, say) is exported as it is.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer

POLL_MS = 40
LIMIT_MS = 8000


def current_step(controller) -> int | None:
    """The training step the other views show now (None: no model yet)."""
    return None if controller.info is None else controller.steps_done()


class ExportWhenDrawn(QObject):
    """Bring `dock` forward and call export() once `panel` has drawn (see above)."""

    def __init__(self, window, panel, dock, export):
        super().__init__(window)
        previous = getattr(window, "export_waiting", None)
        if previous is not None:  # the latest request wins
            previous.cancel()
        window.export_waiting = self
        self.window, self.panel, self.export = window, panel, export
        self.cancelled = False
        self.step = current_step(window.controller)
        self.deadline = time.monotonic() + LIMIT_MS / 1000
        window.statusBar().showMessage(f"Showing the {panel.title} view to export it…",
                                       LIMIT_MS)
        dock.show()
        dock.raise_()
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._check)
        self.timer.start()

    def ready(self) -> bool:
        if not self.panel.on_screen():
            return False
        return self.step is None or self.panel.drawn_since(self.step)

    def _check(self) -> None:
        if not self.ready() and time.monotonic() < self.deadline:
            return
        self.timer.stop()
        # One more turn of the event loop: the paint of what it has just drawn.
        QTimer.singleShot(0, self, self._export)

    def _export(self) -> None:
        if self.cancelled or getattr(self.window, "_closing", False):
            return
        self.window.export_waiting = None
        self.deleteLater()
        self.export()

    def cancel(self) -> None:
        self.cancelled = True
        self.timer.stop()
        self.window.export_waiting = None
        self.deleteLater()
