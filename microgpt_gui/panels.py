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

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QWidget


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

    def is_shown(self) -> bool:
        """Visible to the user: not hidden, not behind another dock's tab (Qt hides
        those), window not minimised. (visibleRegion() is no test: children that cover
        the panel make it empty.)"""
        return (self.isVisible() and not self.window().isMinimized()
                and self.width() > 0 and self.height() > 0)
