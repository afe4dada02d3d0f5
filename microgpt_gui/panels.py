"""The base class of every panel, and the context panels are built with.

To add a panel:

    class MyPanel(Panel):
        panel_id = "my-panel"           # key in window.panels and in saved layouts
        title = "My panel"              # dock title and View menu entry
        area = Qt.DockWidgetArea.RightDockWidgetArea

        def __init__(self, ctx):
            super().__init__(ctx)
            ctx.controller.stats_batch.connect(...)   # or redraw from ctx.controller.history
        def apply_theme(self, theme): ...             # called now and on every theme change

    window.add_panel(MyPanel(window.ctx))
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget


@dataclass
class AppContext:
    """What panels may use. No Trainer here: training state lives on the worker thread."""

    window: object  # MainWindow
    controller: object  # RunController
    themes: object  # ThemeHub
    settings: object  # Settings
    tasks: object  # TaskRunner
    datasets: object  # DatasetManager

    @property
    def theme(self):
        return self.themes.theme


class Panel(QWidget):
    panel_id = "panel"
    title = "Panel"
    area = Qt.DockWidgetArea.RightDockWidgetArea
    help_text = ""  # plain-language "what am I seeing?" for students

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(self.panel_id)

    @property
    def controller(self):
        return self.ctx.controller

    def on_screen(self) -> bool:
        """Whether the user can see it: not hidden, the window not minimised, and not a
        tab behind another dock. What a panel computes only for the eye waits for this.

        Qt 6 leaves a dock behind a tab visible (isVisible() is true), merely covered by
        the one in front; and visibleRegion() is empty as soon as a panel's own children
        cover it. So the test is what the window has at the panel's centre: the panel
        itself or one of its children."""
        if not self.isVisible() or self.width() <= 0 or self.height() <= 0:
            return False
        top = self.window()
        if top.isMinimized():
            return False
        if top is self:
            return True
        at = top.childAt(self.mapTo(top, self.rect().center()))
        return at is not None and (at is self or self.isAncestorOf(at))

    def drawn_since(self, step: int) -> bool:
        """Whether its picture shows training step `step` or later: File ▸ Export of a
        view that was out of sight waits for this (export_view.py). Views that draw only
        while on screen answer from what they last drew; the others are always current."""
        return True

    def view_changed(self, visible: bool) -> None:
        """Its dock was shown, hidden, or its tab picked or left (QDockWidget's
        visibilityChanged: a tab change sends no show or hide event in Qt 6). A panel
        that put work off while out of sight catches up here."""

    def pace(self, timer, base_ms: int) -> None:
        """Run a redraw/capture timer at base_ms, slowed down together with every other
        panel's by the controller's FrameBudget while training runs flat out."""
        self.controller.budget.pace(timer, base_ms)

    def paced_timer(self, base_ms: int, slot) -> QTimer:
        """A started repeating timer, owned by this panel, calling slot every base_ms
        (slowed down by the frame budget while training runs flat out: see pace())."""
        timer = QTimer(self)
        timer.timeout.connect(slot)
        self.pace(timer, base_ms)
        timer.start()
        return timer

    def apply_theme(self, theme) -> None:
        """Re-read colours, fonts and line widths from theme."""

    def save_state(self) -> dict:
        """Panel settings worth remembering (QSettings, lesson files)."""
        return {}

    def restore_state(self, state: dict) -> None:
        """Inverse of save_state; must ignore unknown or bad values."""


class WrappedLabel(QLabel):
    """A word-wrapped label that asks for the height its text needs at the width it was
    given. Docks and the main window lay out by minimum sizes, not by height-for-width:
    a plain wrapped label in a short dock is squeezed into fewer lines than its text has,
    and its last lines are cut off or drawn over the widget below. This one raises its
    minimum height to its lines (at its laid-out width; before the first layout it asks
    for nothing, so an unplaced label never makes the window grow)."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        self._placed = False

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._placed = True
        self._fit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()

    def _fit(self) -> None:
        need = self.heightForWidth(self.width()) if self._placed and self.width() > 0 else 0
        if need != self.minimumHeight():
            self.setMinimumHeight(max(0, need))


class ElidedLabel(QLabel):
    """One line whose middle part gives way ('…') when the line is wider than the label,
    with the whole line as its tooltip. A training document may be a 500-character
    line: in a plain label it became the dock's minimum width and pushed the window
    past the screen's edge."""

    def __init__(self, parent=None):
        super().__init__(" ", parent)
        self._parts = (" ", "", "")

    def set_parts(self, before: str, middle: str = "", after: str = "") -> None:
        """Show before + middle + after; the middle is shortened first."""
        self._parts = (before, middle, after)
        self._elide()

    def setText(self, text: str) -> None:  # plain text: shortened at its end
        self.set_parts("", text)

    def text(self) -> str:  # the whole line, as set (what it is, not how it is drawn)
        return "".join(self._parts)

    def text_shown(self) -> str:
        return super().text()

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        hint.setWidth(min(hint.width(), self.fontMetrics().horizontalAdvance("x…x")))
        return hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._elide()

    def _elide(self) -> None:
        before, middle, after = self._parts
        fm, room = self.fontMetrics(), self.contentsRect().width()
        whole = self.text()
        if fm.horizontalAdvance(whole) > room > 0:
            left = room - fm.horizontalAdvance(before + after)
            if middle and left > fm.horizontalAdvance("x…"):
                whole = before + fm.elidedText(middle, Qt.TextElideMode.ElideRight, left) + after
            else:
                whole = fm.elidedText(whole, Qt.TextElideMode.ElideRight, room)
        self.setToolTip(self.text() if whole != self.text() else "")
        if whole != super().text():
            super().setText(whole)


class HideWhenNarrow(QObject):
    """Puts `widget` away while the layout gives it less than `least_px` of width (a
    squeezed plot is unreadable: the time-lapse's embedding map at 20 px, its axis at
    '-10'), and brings it back when `container` has grown by `again_px` since: its
    siblings have the room meanwhile."""

    def __init__(self, widget: QWidget, container: QWidget, least_px: int,
                 again_px: int = 80):
        super().__init__(container)
        self.widget, self.container = widget, container
        self.least_px, self.again_px = least_px, again_px
        self.hidden_at: int | None = None  # the container's width when it was put away
        self._check = QTimer(self)  # once the layout has given out the new widths
        self._check.setSingleShot(True)
        self._check.setInterval(0)
        self._check.timeout.connect(self.check)
        container.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.container and event.type() == QEvent.Type.Resize:
            self._check.start()
        return False

    def check(self) -> None:
        if self.hidden_at is None:
            if self.widget.isVisible() and 0 < self.widget.width() < self.least_px:
                self.hidden_at = self.container.width()
                self.widget.hide()
        elif self.container.width() >= self.hidden_at + self.again_px:
            self.hidden_at = None
            self.widget.show()
            self._check.start()  # still too narrow there: away again
