"""Projector mode: full screen, big fonts, thick lines, high contrast, essentials only.

Entering remembers everything it changes (theme, application font, window geometry and
dock layout, which widgets were visible, full-screen state) and leaving puts exactly that
back, so F11 twice leaves the window as it was.

What counts as "not essential": widgets marked with the dynamic property
`projector_hide = True` (panels mark their advanced controls), plus the status bar and
the docks whose panel ids are not in ESSENTIAL_PANELS.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QTabBar, QToolBar, QWidget

from .dock_tabs import hide_stale_tab_bars
from .theme import DEFAULT, Theme

# The controls dock goes too: the demo toolbar keeps Train/Step/Reset/Generate, the speed
# and the learning rate, which is all a class demo touches (right-clicking the toolbar
# opens the View menu, which brings it back: _dock_shown).
PROJECTOR_LAYOUT = (("attention", Qt.DockWidgetArea.RightDockWidgetArea),
                    ("sampling", Qt.DockWidgetArea.RightDockWidgetArea),
                    ("surprise", Qt.DockWidgetArea.BottomDockWidgetArea))
ESSENTIAL_PANELS = {pid for pid, _area in PROJECTOR_LAYOUT}  # + the curves (central)
HIDE_PROPERTY = "projector_hide"
SIDES = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
         Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)
SIDE_WIDTH = 0.45  # share of the screen width for the side column (heatmaps, names)
# ... or up to this share when a layer's heads need it side by side (a 4:3 projector:
# at 1024x768 four heads and the colour bar need 56 %; at 45 % the fourth head and the
# colour bar were cut off, to be scrolled to)
SIDE_MAX = 0.6
SIDE_HEIGHT = {"attention": 0.42, "sampling": 0.58}  # share of a side column's height
# ... but the heatmaps take more when a deeper model's rows of maps need it, for maps of
# up to this share of the screen height each (68 px at 720p, 2 layers; the names and
# bars keep the rest)
MAP_SIDE = 0.1


def projector_theme(screen_height: int = 1080, base: Theme = DEFAULT,
                    scale: float = 1.0) -> Theme:
    """Sizes scale with the screen: text about 1/45 of its height (≈ 16 pt at 720 px,
    24 pt at 1080 px: about what a slide's body text is), lines 2-3x the desktop width
    (4 px at 720 px, 6 px at 1080 px); times `scale`, the user's text size (View ▸
    Larger text: a big hall, or a deeper model's heatmaps to fit).
    Colours: pure black text on white, saturated dark curve colours; pale tints vanish
    on a washed-out projector, so even the 'faint' raw loss is a mid blue."""
    pt = max(8, round(max(14, round(screen_height / 45)) * scale))
    return base.with_(
        name="projector",
        font_size=pt,
        # plot text a notch smaller: heatmap and bar-chart axes must fit one label per
        # letter, and 80 % of slide body text still reads from the back row
        plot_font_size=round(pt * 0.8),
        title_font_size=round(pt * 1.2),
        bar_font_size=round(pt * 0.8),
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
        self.text_scale = 1.0  # View ▸ Larger / Smaller text (text_size.py)
        self._saved: dict = {}
        self._watched: set[int] = set()  # the docks whose showing _dock_shown follows
        # The window leaves projector mode when its close goes ahead, before it saves its
        # layout (MainWindow.closeEvent), or the next start would open with the
        # projector's layout and the controls put away.

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
        """Panel ids of the visible docks projector mode put away (back on leaving)."""
        return list(self._saved.get("hidden_docks", []))

    # --- what changes ----------------------------------------------------------------------
    def _hideable(self) -> list[QWidget]:
        w = self.window
        out = [x for x in w.findChildren(QWidget) if x.property(HIDE_PROPERTY)]
        if w.statusBar() is not None:
            out.append(w.statusBar())
        # The menu bar too, as slide shows do: every command keeps its shortcut and the
        # demo toolbar (with the projector toggle) stays; F11 brings everything back.
        if w.menuWidget() is not None:
            out.append(w.menuWidget())
        return out

    def _enter(self) -> None:
        w, app = self.window, QApplication.instance()
        screen = w.screen() or app.primaryScreen()
        height = screen.geometry().height() if screen is not None else 1080
        hide = [x for x in self._hideable() if x.isVisibleTo(w)]
        shown = {_pid(d): d for d in w.findChildren(QDockWidget) if d.isVisibleTo(w)}
        self._saved = {
            "theme": self.themes.theme,
            "font": QApplication.font(),
            "geometry": w.saveGeometry(),
            "rect": w.geometry(),
            "state": w.saveState(),
            "window_state": w.windowState(),
            "hidden": hide,
            "hidden_docks": sorted(p for p in shown if p not in ESSENTIAL_PANELS),
            # where each dock sat on the desktop: one shown while on goes back there
            "areas": {_pid(d): w.dockWidgetArea(d) for d in w.findChildren(QDockWidget)},
            "tabs": {_pid(d): {_pid(t) for t in w.tabifiedDockWidgets(d)}
                     for d in w.findChildren(QDockWidget)},
        }
        # Order matters: hide first and size the window, then grow the fonts. Big fonts
        # on widgets about to be hidden would raise the window's minimum size, and a
        # window only ever grows to fit that (past the screen, without a window manager).
        for x in hide:
            x.hide()
        # The docks: all out of the layout, then the essential ones back in a fixed
        # arrangement (heatmaps over names on the right, letters at the bottom). Merely
        # hiding a dock that shares tabs with a visible one leaves its tab bar behind;
        # restoreState() on leaving puts every dock back where it was.
        for dock in w.findChildren(QDockWidget):
            w.removeDockWidget(dock)
            self._watch(dock)
        for pid, area in PROJECTOR_LAYOUT:
            if pid in shown:
                w.addDockWidget(area, shown[pid])
                shown[pid].show()
        # Qt can leave the tab bar of a dismantled tab group on screen; the projector
        # layout has no tab groups, and restoreState() shows the ones it uses again.
        for bar in w.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            bar.hide()
        w.layout().activate()  # the smaller minimum size, now
        if screen is not None:  # without a window manager full screen is only a wish
            w.setGeometry(screen.geometry())
        w.showFullScreen()
        theme = self._text_theme(height, self.themes.theme)
        # Dock titles are drawn in a small font of their own that ignores the app font:
        # give each dock a plain label as its title bar while projector mode is on.
        for dock in w.findChildren(QDockWidget):
            title = QLabel(dock.windowTitle())
            title.setStyleSheet("font-weight: bold; padding: 2px 6px;")
            dock.setTitleBarWidget(title)
        self.themes.set_theme(theme)
        area = screen.geometry() if screen is not None else w.geometry()
        self._arrange(area)
        # once the new fonts have been laid out: fit the screen again, then the docks
        QTimer.singleShot(0, self,
                          lambda: self.active and (w.setGeometry(area), self._arrange(area)))

    def rescale(self, scale: float) -> None:
        """The user's text size changed: while on, size the text again (by the screen,
        times scale) and share the screen out again for the new sizes."""
        self.text_scale = scale
        if not self.active:
            return
        screen = self.window.screen() or QApplication.instance().primaryScreen()
        height = screen.geometry().height() if screen is not None else 1080
        self.themes.set_theme(self._text_theme(height, self._saved["theme"]))
        self.refit()

    def _text_theme(self, screen_height: int, desktop: Theme) -> Theme:
        """The projector theme for this screen and text size; the application font
        (the widgets' text) set to its size."""
        theme = projector_theme(screen_height, desktop, self.text_scale)
        font = QApplication.font()
        font.setPointSize(theme.font_size)
        QApplication.instance().setFont(font)
        return theme

    def refit(self) -> None:
        """Share the screen out again (after a dock was shown or hidden in projector
        mode: the side column keeps its width, bottom docks get the height their text
        needs at the new width), once the dock's own layout has settled."""
        def again():
            if self.active:
                screen = self.window.screen()
                self._arrange(screen.geometry() if screen is not None
                              else self.window.geometry())

        QTimer.singleShot(0, self, again)

    def _arrange(self, geometry) -> None:
        """The right-hand docks get SIDE_WIDTH of the width (the heatmaps need room),
        bottom docks only the height they need; the curves take the rest. (A pane on the
        left, F1 help or N notes, keeps the width it was given.)"""
        w = self.window
        docks = [d for d in w.findChildren(QDockWidget) if d.isVisibleTo(w)]
        side = [d for d in docks if w.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea]
        if side:
            width = int(geometry.width() * SIDE_WIDTH)
            for dock in side:
                wanted = getattr(dock.widget(), "wanted_width", None)
                want = wanted() if wanted is not None else None
                if want is not None:
                    want += dock.width() - dock.widget().width()  # the dock's frame
                    width = max(width, min(want, int(geometry.width() * SIDE_MAX)))
            w.resizeDocks(side, [width] * len(side), Qt.Orientation.Horizontal)
            bars = sum(t.sizeHint().height() for t in w.findChildren(QToolBar)
                       if t.isVisibleTo(w))
            height = geometry.height() - bars - 8  # asking for more would grow the window
            w.resizeDocks(side, side_heights(side, height, int(geometry.height() * MAP_SIDE)),
                          Qt.Orientation.Vertical)
        bottom = [d for d in docks if w.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea]
        if bottom:
            w.resizeDocks(bottom, [d.minimumSizeHint().height() for d in bottom],
                          Qt.Orientation.Vertical)

    def _watch(self, dock: QDockWidget) -> None:
        if id(dock) not in self._watched:
            self._watched.add(id(dock))
            # (any change: a dock put away as a hidden tab says False even as it shows,
            # its geometry being off screen; _dock_shown looks for itself)
            dock.visibilityChanged.connect(lambda _on, d=dock: self._dock_shown(d))

    def _dock_shown(self, dock: QDockWidget) -> None:
        """A dock shown while projector mode is on (View menu, the toolbar's right-click
        menu): projector mode took every dock out of the layout, and one shown outside
        it sat on top of the curves in the window's top-left corner. It goes back into
        the layout where the desktop had it, as a tab in front of a panel already there
        (once Qt has finished showing it), and the screen is shared out again."""
        w = self.window

        def dock_in():
            if not (self.active and dock.isVisible() and not dock.isFloating()
                    and w.dockWidgetArea(dock) == Qt.DockWidgetArea.NoDockWidgetArea):
                return
            area = self._saved.get("areas", {}).get(_pid(dock))
            if area not in SIDES:
                area = Qt.DockWidgetArea.LeftDockWidgetArea
            peers = [d for d in w.findChildren(QDockWidget) if d is not dock
                     and d.isVisible() and w.dockWidgetArea(d) == area]
            mates = self._saved.get("tabs", {}).get(_pid(dock), set())
            peers.sort(key=lambda d: _pid(d) not in mates)  # its desktop tab group first
            # A tab in front of that area's panel, as on the desktop: beside it, the two
            # panels' least widths added up past a 720p screen's width.
            self.put_in(dock, area, tab_with=peers[0] if peers else None)

        if self.active:
            QTimer.singleShot(0, self, dock_in)

    def put_in(self, dock: QDockWidget, area, tab_with: QDockWidget | None = None) -> None:
        """Put a dock shown while projector mode is on into the layout, in `area` (as a
        tab of `tab_with`, if given), in front, and share the screen out again. A new
        pane on the left gets a quarter of the width (the right column: _arrange)."""
        w = self.window
        if tab_with is not None:
            w.tabifyDockWidget(tab_with, dock)
        else:
            w.addDockWidget(area, dock)
        dock.show()
        dock.raise_()
        if tab_with is None and area == Qt.DockWidgetArea.LeftDockWidgetArea:
            w.resizeDocks([dock], [max(300, w.width() // 4)], Qt.Orientation.Horizontal)
        self.refit()

    def _leave(self) -> None:
        w, s = self.window, self._saved
        # The reverse order: small fonts first, then the widgets come back.
        QApplication.instance().setFont(s["font"])
        for dock in w.findChildren(QDockWidget):
            old = dock.titleBarWidget()
            dock.setTitleBarWidget(None)  # back to the standard title bar
            if old is not None:
                old.deleteLater()
        self.themes.set_theme(s["theme"])
        if w.isVisible():
            w.showNormal()
        w.setWindowState(s["window_state"])
        for x in s["hidden"]:
            x.show()
        w.restoreState(s["state"])  # the docks, where and as they were
        hide_stale_tab_bars(w)
        w.restoreGeometry(s["geometry"])
        # again once the small fonts have been laid out (they arrive as events)
        state, geometry, rect = s["state"], s["geometry"], s["rect"]
        normal = not (s["window_state"] & (Qt.WindowState.WindowMaximized
                                           | Qt.WindowState.WindowFullScreen))

        def again():
            if self.active:
                return
            w.restoreState(state)
            hide_stale_tab_bars(w)
            w.restoreGeometry(geometry)
            if normal:  # restoreGeometry may still be a few pixels off without a WM
                w.setGeometry(rect)

        # (self as the timers' context: they die with the window, never run on a dead one)
        QTimer.singleShot(0, self, again)
        QTimer.singleShot(100, self, again)  # and once more after the menu bar has settled
        self._saved = {}


def side_heights(docks, height: int, map_side: int) -> list[int]:
    """Heights for docks stacked in the side column, `height` in all. By SIDE_HEIGHT
    (the heatmaps need less height than the names), except that a panel with a
    wanted_height() (the heatmaps: a deeper model has more rows of them) gets up to the
    height its maps want at map_side px, as far as the other docks' minimum heights leave
    room, and never more than its maps can use (as wide as the column allows); the
    other docks share the rest."""
    weights = [SIDE_HEIGHT.get(_pid(d), 1.0) for d in docks]
    sizes = [int(height * x / sum(weights)) for x in weights]
    for i, dock in enumerate(docks):
        wanted = getattr(dock.widget(), "wanted_height", None)
        want = wanted(map_side) if wanted is not None else None
        if want is None or len(docks) < 2:
            continue
        bar = dock.height() - dock.widget().height()  # its title bar
        others = [d for d in docks if d is not dock]
        room = height - sum(d.minimumSizeHint().height() for d in others)
        mine = max(sizes[i], min(want + bar, room))
        # No more than its maps can use, though: square maps as wide as the column
        # allows need no more height, which was left as an empty band above the names.
        mine = min(mine, max(wanted() + bar, dock.minimumSizeHint().height()))
        if mine == sizes[i]:
            continue
        rest = [x for j, x in enumerate(weights) if j != i]
        shares = iter(int((height - mine) * x / sum(rest)) for x in rest)
        sizes = [mine if j == i else next(shares) for j in range(len(docks))]
        break
    return sizes


def _pid(dock: QDockWidget) -> str:
    inner = dock.widget()
    return inner.objectName() if inner is not None else dock.objectName()
