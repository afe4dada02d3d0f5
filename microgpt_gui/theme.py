"""Theme: the colours, fonts and line widths every panel draws with.

Panels never hard-code a colour: they read `Theme` in `apply_theme(theme)`, which the
window calls whenever ThemeHub.changed fires. Projector mode swaps in a different Theme
(bigger fonts, thicker lines, higher contrast) with `hub.set_theme(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QGuiApplication


@dataclass(frozen=True)
class Theme:
    name: str = "default"
    font_size: int = 10  # widgets, points
    plot_font_size: int = 9  # axis ticks and labels, points
    title_font_size: int = 10
    line_width: float = 2.0  # main curves
    thin_width: float = 1.0  # raw loss, reference lines
    bar_font_size: int = 9
    plot_background: str = "#ffffff"
    plot_foreground: str = "#333333"
    grid_alpha: float = 0.15
    loss_raw: str = "#9ab6d6"  # faint: the noisy per-step loss
    loss_smooth: str = "#1f5fa8"
    val: str = "#d1495b"
    grad: str = "#2a9d5c"
    clip: str = "#666666"
    lr: str = "#7b4fa6"
    event: str = "#e09f3e"  # vertical markers for live changes
    bar: str = "#1f5fa8"
    bar_muted: str = "#c8c8c8"  # next-token bars cut by top-k
    new_name: str = "#2a9d5c"
    copied_name: str = "#8a8a8a"
    error: str = "#c0392b"
    warning: str = "#b7791f"
    colormap: str = "viridis"  # perceptually uniform, readable in greyscale

    def with_(self, **changes) -> Theme:
        return replace(self, **changes)


DEFAULT = Theme()


_window_ratio: float | None = None  # of the main window's screen (follow_screen)


def screen_ratio() -> float:
    """Device pixels per logical pixel (2.0 at 200 % display scaling): the main window's
    screen's, or before it is shown, the highest of the screens."""
    if _window_ratio is not None:
        return _window_ratio
    app = QGuiApplication.instance()
    return float(app.devicePixelRatio()) if app is not None else 1.0


def px(width: float) -> float:
    """A line width for a pyqtgraph pen, from a Theme width in logical pixels. Its pens
    are cosmetic, so their width is in device pixels: at 200 % scaling a 2 px curve was
    drawn 1 logical px wide, half as thick beside text twice the size, and the 1 px raw
    loss and reference lines were hairlines."""
    return width * screen_ratio()


class ThemeHub(QObject):
    """Holds the current Theme and tells everyone when it changes."""

    changed = Signal(object)  # Theme

    def __init__(self, theme: Theme = DEFAULT, parent=None):
        super().__init__(parent)
        self._theme = theme

    @property
    def theme(self) -> Theme:
        return self._theme

    def set_theme(self, theme: Theme) -> None:
        if theme != self._theme:
            self._theme = theme
            self.changed.emit(theme)


class _ScreenFollower(QObject):
    """See follow_screen()."""

    def __init__(self, window, hub: ThemeHub):
        super().__init__(window)
        self.watched, self.hub, self.handle = window, hub, None
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Show and self.handle is None:
            self.handle = self.watched.windowHandle()
            if self.handle is not None:
                self.watched.removeEventFilter(self)  # hooked: no more events to look at
                self.handle.screenChanged.connect(self.moved)
                self.moved(self.handle.screen())
        return False

    def moved(self, screen) -> None:
        global _window_ratio
        if screen is None:
            return
        ratio, drawn_at = float(screen.devicePixelRatio()), screen_ratio()
        _window_ratio = ratio
        if ratio != drawn_at:
            self.hub.changed.emit(self.hub.theme)  # every pen again, at this ratio


def follow_screen(window, hub: ThemeHub) -> QObject:
    """px() uses the pixel ratio of the screen `window` is on once it is shown, and the
    theme is applied again when the window moves to a screen with another ratio. It
    used the highest of all screens: on a 100 % projector beside a 200 % laptop every
    line was drawn twice as thick as on the laptop. Returns the object that follows."""
    return _ScreenFollower(window, hub)
