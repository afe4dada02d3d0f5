"""Projector mode: full screen, big fonts, thick lines, high contrast, essentials only.

Entering remembers everything it changes (theme, application font, window geometry and
dock layout, which widgets were visible, full-screen state) and leaving puts exactly that
back, so F11 twice leaves the window as it was.

What counts as "not essential": widgets marked with the dynamic property
`projector_hide = True` (panels mark their advanced controls), plus the status bar and
the docks whose panel ids are not in ESSENTIAL_PANELS.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from .theme import DEFAULT, Theme

# The controls dock goes too: the demo toolbar keeps Train/Step/Reset/Generate, the speed
# and the learning rate, which is all a class demo touches (View menu brings it back).
ESSENTIAL_PANELS = {"curves", "attention", "sampling", "surprise"}
HIDE_PROPERTY = "projector_hide"


def projector_theme(screen_height: int = 1080, base: Theme = DEFAULT) -> Theme:
    """Sizes scale with the screen: text about 1/45 of its height (≈ 16 pt at 720 px,
    24 pt at 1080 px: about what a slide's body text is), lines 3-4x the desktop width.
    Colours: pure black text on white, saturated dark curve colours; pale tints vanish
    on a washed-out projector, so even the 'faint' raw loss is a mid blue."""
    pt = max(14, round(screen_height / 45))
    return base.with_(
        name="projector",
        font_size=pt,
        plot_font_size=pt,
        title_font_size=round(pt * 1.2),
        bar_font_size=pt,
        line_width=max(4.0, pt / 4),
        thin_width=max(2.0, pt / 9),
        plot_background="#ffffff",
        plot_foreground="#000000",
        grid_alpha=0.3,
        loss_raw="#6f9fd8",
        loss_smooth="#0038a8",
        val="#d00000",
        grad="#00803a",
        clip="#000000",
        lr="#6a1b9a",
        event="#e65c00",
        bar="#0038a8",
        bar_muted="#b0b0b0",
        new_name="#00803a",
        copied_name="#555555",
        error="#c00000",
        warning="#a05a00",
    )


class ProjectorMode(QObject):
    """Toggles projector mode on a QMainWindow that has a ThemeHub."""

    toggled = Signal(bool)

    def __init__(self, window, themes, parent=None):
        super().__init__(parent or window)
        self.window = window
        self.themes = themes
        self.active = False
        self._saved: dict = {}

    def set_active(self, on: bool) -> None:
        if bool(on) == self.active:
            return
        self._enter() if on else self._leave()
        self.active = bool(on)
        self.toggled.emit(self.active)

    def toggle(self) -> None:
        self.set_active(not self.active)

    def saved_state(self):
        """The desktop dock layout while projector mode is on (None when off)."""
        return self._saved.get("state") if self.active else None

    def hidden_panels(self) -> list[str]:
        """Panel ids of the docks projector mode hid (to be shown again on leaving)."""
        return [d.widget().objectName() for d in self._saved.get("hidden", [])
                if isinstance(d, QDockWidget) and d.widget() is not None]

    # --- what changes ----------------------------------------------------------------------
    def _hideable(self) -> list[QWidget]:
        w = self.window
        out = [x for x in w.findChildren(QWidget) if x.property(HIDE_PROPERTY)]
        for dock in w.findChildren(QDockWidget):
            inner = dock.widget()
            pid = inner.objectName() if inner is not None else ""
            if pid and pid not in ESSENTIAL_PANELS:
                out.append(dock)
        if w.statusBar() is not None:
            out.append(w.statusBar())
        return out

    def _enter(self) -> None:
        w, app = self.window, QApplication.instance()
        screen = w.screen() or app.primaryScreen()
        height = screen.geometry().height() if screen is not None else 1080
        hide = [x for x in self._hideable() if x.isVisibleTo(w)]
        self._saved = {
            "theme": self.themes.theme,
            "font": QApplication.font(),
            "geometry": w.saveGeometry(),
            "state": w.saveState(),
            "window_state": w.windowState(),
            "hidden": hide,
        }
        theme = projector_theme(height, self.themes.theme)
        font = QApplication.font()
        font.setPointSize(theme.font_size)
        app.setFont(font)
        for x in hide:
            x.hide()
        self.themes.set_theme(theme)
        w.showFullScreen()

    def _leave(self) -> None:
        w, s = self.window, self._saved
        QApplication.instance().setFont(s["font"])
        self.themes.set_theme(s["theme"])
        w.setWindowState(s["window_state"])
        if not w.isVisible():
            pass
        elif s["window_state"]:
            w.show()
        else:
            w.showNormal()
        for x in s["hidden"]:
            x.show()
        w.restoreState(s["state"])
        w.restoreGeometry(s["geometry"])
        self._saved = {}
