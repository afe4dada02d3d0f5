"""View ▸ Larger text / Smaller text / Normal text size (Ctrl++, Ctrl+-, Ctrl+0).

Eyes and rooms differ: a learner with low vision, a laptop on a big TV in a small room,
a projector in a hall where the back row needs more than projector mode's slide-sized
text, or less so that a deeper model's heatmaps fit. One factor scales every font the
window draws with, the widgets' (the application font) and the plots' (the Theme's
sizes), in desktop and projector mode alike; projector mode keeps sizing its text by
the screen and applies the factor on top. The factor is remembered between sessions
(it belongs to the computer and the room, not to a lesson, so lessons do not store it).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import QApplication

from .theme import DEFAULT, Theme

KEY = "text_scale"
# The sizes a press of Ctrl++ / Ctrl+- steps through. Above 1.5 the desktop layout's
# minimum sizes outgrow a laptop screen (at 1.5 a 1366x768 window still fits).
STEPS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5)


def scaled(theme: Theme, factor: float) -> Theme:
    """theme with every font size times factor (lines keep their widths)."""
    if factor == 1.0:
        return theme

    def size(pt: int) -> int:
        return max(6, round(pt * factor))

    return theme.with_(font_size=size(theme.font_size),
                       plot_font_size=size(theme.plot_font_size),
                       title_font_size=size(theme.title_font_size),
                       bar_font_size=size(theme.bar_font_size))


def nearest_step(value) -> float:
    """A saved factor as one of STEPS (1.0 for anything that is not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return 1.0
    return min(STEPS, key=lambda s: abs(s - value))


class TextSize(QObject):
    """The window's text size factor: applies it, steps it, remembers it."""

    changed = Signal(float)

    def __init__(self, window, parent=None):
        super().__init__(parent or window)
        self.window = window
        # The desktop's own font (the system's), which every factor multiplies; put back
        # when the window closes, so another window in this process starts unscaled.
        self.base_font = QApplication.font()
        self.factor = 1.0
        window.projector.toggled.connect(self._projector_toggled)

    def window_closed(self) -> None:
        """The window's close went ahead (MainWindow.closeEvent, after projector mode
        was left): the desktop's font again, for any later window in this process. (On a
        Close event filter it ran before projector mode was left, which then scaled the
        fonts again: the next test's window started with 17 pt text.)"""
        if QApplication.font() != self.base_font:
            QApplication.instance().setFont(self.base_font)

    def larger(self) -> None:
        self.set_factor(next((s for s in STEPS if s > self.factor), self.factor))

    def smaller(self) -> None:
        self.set_factor(next((s for s in reversed(STEPS) if s < self.factor), self.factor))

    def normal(self) -> None:
        self.set_factor(1.0)

    def set_factor(self, factor: float) -> None:
        factor = nearest_step(factor)
        if factor == self.factor:
            return
        self.factor = factor
        self._apply()
        self.window.settings.set(KEY, factor)
        self.changed.emit(factor)

    def _apply(self) -> None:
        projector = self.window.projector
        if projector.active:  # it owns the fonts while on: it re-sizes by the screen
            projector.rescale(self.factor)
            return
        projector.text_scale = self.factor
        font = QFont(self.base_font)
        font.setPointSizeF(self.base_font.pointSizeF() * self.factor)
        QApplication.instance().setFont(font)
        self.window.themes.set_theme(scaled(DEFAULT, self.factor))

    def _projector_toggled(self, on: bool) -> None:
        # Leaving puts back the desktop as it was when projector mode began; the factor
        # may have changed since.
        if not on:
            self._apply()


def install(window) -> TextSize:
    """The three View menu commands, and last session's factor."""
    text = TextSize(window)
    window.text_size = text
    larger = window.add_action("text_larger", "&Larger text", None, text.larger,
                               menu="view", tip="Bigger text everywhere (Ctrl++)")
    # Spelled out (a StandardKey can be empty on bare X); Ctrl+= too: on most keyboards
    # + is Shift+=, and people press Ctrl and = alone.
    larger.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
    smaller = window.add_action("text_smaller", "&Smaller text", None, text.smaller,
                                menu="view", tip="Smaller text everywhere (Ctrl+-)")
    smaller.setShortcuts([QKeySequence("Ctrl+-")])
    window.add_action("text_normal", "&Normal text size", "Ctrl+0", text.normal,
                      menu="view", tip="Text at the usual size (Ctrl+0)")

    def enable(factor: float) -> None:
        larger.setEnabled(factor < STEPS[-1])
        smaller.setEnabled(factor > STEPS[0])
        window.act["text_normal"].setEnabled(factor != 1.0)

    text.changed.connect(enable)
    for name in ("text_larger", "text_smaller", "text_normal"):
        window.addAction(window.act[name])  # they work with the menu bar hidden too
    saved = window.settings.get(KEY, 1.0)
    text.set_factor(saved)
    if KEY in window.settings.unreadable or not (type(saved) in (int, float)
                                                 and nearest_step(saved) == saved):
        window.restore_problems.append("the text size")  # (said once the window is up)
    enable(text.factor)
    return text
