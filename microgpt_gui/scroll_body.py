"""A panel's contents in a scroll area that may be shorter than they are.

On a short screen (a 1920x1080 laptop at 150 % is 1280x720, less a taskbar and the
title bar) the window could not be made lower than the Sampling panel's contents, 714
px: its bottom, with the status bar and the progress, stayed below the screen's edge.
Inside a ScrollBody the panel's contents keep their size and scroll instead, once the
dock is shorter than they are.

Only the height gives: the area is as wide as its contents need (plus the scroll bar),
so nothing is cut on the right. While `hold` is on (projector mode: the side column is
arranged to show everything) it asks for its contents' whole height again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

MIN_LINES = 10  # the least height it asks for, in lines of text: the settings at its top


class ScrollBody(QScrollArea):
    """Fills `panel` (a layout of its own); put the panel's widgets into `self.body`."""

    def __init__(self, panel: QWidget):
        super().__init__(panel)
        # Sized here, not by Qt's widgetResizable: that gives contents with wrapped text
        # their preferred height, and they scrolled even where their minimum fitted.
        self.setWidgetResizable(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QWidget()
        self.setWidget(self.body)
        self.hold = False
        outer = QVBoxLayout(panel)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self)
        self.body.installEventFilter(self)  # its contents' sizes change: follow them

    def set_hold(self, on: bool) -> None:
        """On: as tall as the contents (no scrolling); off: may be shorter."""
        self.hold = bool(on)
        self.fit()

    def fit(self) -> None:
        need = self.body.minimumSizeHint()
        self.setMinimumWidth(need.width() + self.verticalScrollBar().sizeHint().width())
        least = MIN_LINES * self.fontMetrics().lineSpacing()
        self.setMinimumHeight(need.height() if self.hold else min(need.height(), least))
        self._size_body()

    def _size_body(self) -> None:
        """The contents fill the view's width, and its height or their minimum height."""
        view = self.viewport().size()
        need = self.body.minimumSizeHint()
        self.body.resize(max(view.width(), need.width()), max(view.height(), need.height()))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._size_body()

    def sizeHint(self):  # noqa: N802 (Qt name)
        """What the contents would like, uncapped (QScrollArea's own stops at 24 lines,
        and the dock beside this one took the rest)."""
        hint = self.body.sizeHint()
        return hint.grownBy(QMargins(0, 0, self.verticalScrollBar().sizeHint().width(), 0))

    def eventFilter(self, obj, event) -> bool:
        if obj is self.body and event.type() in (QEvent.Type.LayoutRequest,
                                                 QEvent.Type.FontChange):
            self.fit()
        return False
