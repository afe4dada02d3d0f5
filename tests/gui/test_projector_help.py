"""F1 ("What am I seeing?") in projector mode: the help pane must open inside the layout,
readable, not as a small box stuck in the window's corner; F11 then puts it away."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402


def test_f1_in_projector_mode_docks_the_help_pane(qtbot, plain_window):
    w = plain_window
    dock = w.docks["help"]
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    QTest.keyClick(w, Qt.Key.Key_F11)
    assert w.projector.active and not dock.isVisible()
    QTest.keyClick(w, Qt.Key.Key_F1)
    assert dock.isVisible() and not dock.isFloating()
    assert w.dockWidgetArea(dock) != Qt.DockWidgetArea.NoDockWidgetArea
    qtbot.waitUntil(lambda: dock.height() > w.height() // 2, timeout=5000)
    assert dock.width() >= 250
    QTest.keyClick(w, Qt.Key.Key_F1)  # F1 again hides it
    assert not dock.isVisible()
    QTest.keyClick(w, Qt.Key.Key_F1)
    QTest.keyClick(w, Qt.Key.Key_F11)  # leaving: the desktop layout, help pane closed
    assert not w.projector.active
    assert not dock.isVisible() and w.docks["controls"].isVisible()
    QTest.keyClick(w, Qt.Key.Key_F1)  # and on the desktop F1 still opens it in place
    assert dock.isVisible() and w.dockWidgetArea(dock) != Qt.DockWidgetArea.NoDockWidgetArea


def test_projector_sizes_are_the_documented_ones():
    """docs/classroom.md: 16 pt / 4 px lines at 720p, 24 pt / 6 px at 1080p (the desktop
    draws 2 px: two to three times thicker)."""
    from microgpt_gui.projector import projector_theme
    from microgpt_gui.theme import DEFAULT

    small, big = projector_theme(720), projector_theme(1080)
    assert (small.font_size, small.line_width) == (16, 4.0)
    assert (big.font_size, big.line_width) == (24, 6.0)
    assert 2 <= small.line_width / DEFAULT.line_width < big.line_width / DEFAULT.line_width <= 3


def test_every_shortcut_still_works_in_projector_mode(qtbot, make_window, monkeypatch):
    """docs/classroom.md: the menu bar is put away, every shortcut still works."""
    from PySide6.QtGui import QKeySequence

    import microgpt_gui.data_messages as data_messages

    class NoDialog:
        @staticmethod
        def getOpenFileName(*_a, **_k):
            return "", ""

    monkeypatch.setattr(data_messages, "QFileDialog", NoDialog)
    w = make_window(num_steps=10_000, speed=5)
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    w.projector.set_active(True)
    assert not w.menuWidget().isVisible()
    hits = []
    names = ["train", "step", "reset", "generate", "open_dataset", "what_am_i_seeing"]
    for name in names:
        w.act[name].triggered.connect(lambda *_a, n=name: hits.append(n))
    for name in names:
        if name == "step":  # Space started training: pause it (Space again) to step
            QTest.keyClick(w, Qt.Key.Key_Space)
            qtbot.waitUntil(lambda: w.controller.state != "running", timeout=10_000)
            hits.pop()
        if name == "reset":
            qtbot.waitUntil(lambda: not w.controller.busy, timeout=10_000)
        seq = QKeySequence(w.act[name].shortcut())[0]
        QTest.keyClick(w, seq.key(), seq.keyboardModifiers())
        assert hits[-1:] == [name], name
        if name == "train":
            qtbot.waitUntil(lambda: w.controller.state == "running", timeout=10_000)
    assert hits == names
    assert w.docks["help"].isVisible()
    QTest.keyClick(w, Qt.Key.Key_F11)
    assert not w.projector.active


def test_a_panel_shown_in_projector_mode_joins_the_layout(qtbot, plain_window):
    """A panel chosen in projector mode (right-click on the toolbar: the View menu; the
    menu bar is put away): the dock sat out of the layout, on top of the curves in the
    window's corner. It goes back where
    the desktop had it, as a tab in front of the panel there (side by side, two bottom
    panels' least widths pushed the window past a 720p screen)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QDockWidget

    w = plain_window
    w.resize(1280, 720)
    w.projector.set_active(True)
    view_menu = w.menus["view"]
    opened = []
    view_menu.exec = lambda pos: opened.append(pos)  # (a real menu would wait for a click)
    w.toolbar.customContextMenuRequested.emit(QPoint(5, 5))  # right-click on the toolbar
    assert opened, "the toolbar's right-click menu is the View menu"
    for pid in ("timelapse", "controls", "embeddings"):
        dock = w.docks[pid]
        assert not dock.isVisible()
        assert dock.toggleViewAction() in view_menu.actions()
        dock.toggleViewAction().trigger()  # chosen in that menu
        qtbot.waitUntil(lambda d=dock: w.dockWidgetArea(d) != Qt.DockWidgetArea.NoDockWidgetArea,
                        timeout=5000)
        assert dock.isVisible() and not dock.isFloating()
        assert not dock.visibleRegion().isEmpty()  # in front of its tab group
        qtbot.wait(50)  # the screen shared out again
        central = w.centralWidget().geometry()
        assert not dock.geometry().intersects(central), (pid, dock.geometry(), central)
        others = [d for d in w.findChildren(QDockWidget) if d is not dock and d.isVisible()
                  and not w.tabifiedDockWidgets(d).count(dock)]
        for other in others:  # beside the others, not on top of one
            assert not dock.geometry().intersects(other.geometry()), (pid, _pid(other))
    # Tabs, not side by side: the bottom row is the surprise panel's width, not two
    # panels' least widths added up (which took a 720p window to 1,415 px).
    assert w.docks["surprise"] in w.tabifiedDockWidgets(w.docks["timelapse"])
    assert w.docks["attention"] in w.tabifiedDockWidgets(w.docks["embeddings"])  # as on
    # the desktop, not with the sampling panel
    w.projector.set_active(False)  # the desktop layout as it was
    qtbot.waitUntil(lambda: w.docks["controls"].isVisible(), timeout=5000)
    assert w.dockWidgetArea(w.docks["timelapse"]) != Qt.DockWidgetArea.NoDockWidgetArea


def _pid(dock):
    return dock.objectName()


def test_every_plot_axis_takes_the_projector_colours(qtbot, make_window):
    """In projector mode the Weights, Embeddings, Runs and matrix plots kept pyqtgraph's
    small grey axis text ('step', 'PC 1') beside the black of the other plots."""
    import pyqtgraph as pg
    from PySide6.QtGui import QColor

    w = make_window()

    def legends_drawn_in(colour) -> bool:  # (the text as drawn, not the label's opts)
        labels = [label for view in w.findChildren(pg.GraphicsView)
                  for item in view.scene().items() if isinstance(item, pg.LegendItem)
                  for _sample, label in item.items]
        return len(labels) > 5 and all(colour in label.item.toHtml() for label in labels)

    # The legends' entries made with the plots: in the theme's colour from the start, not
    # only after a change of theme.
    assert legends_drawn_in(QColor(w.themes.theme.plot_foreground).name())
    w.projector.set_active(True)
    theme = w.themes.theme
    want = QColor(theme.plot_foreground).name()
    assert legends_drawn_in(want)
    axes = [item for view in w.findChildren(pg.GraphicsView)
            for item in view.scene().items() if isinstance(item, pg.AxisItem)
            and item.isVisible()]  # (not the hidden top and right axes)
    assert len(axes) > 20
    def where(a):
        return (type(a.parentItem()).__name__, type(a.scene().views()[0].parent()).__name__,
                a.orientation, a.labelText, a.textPen().color().name(), a.labelStyle)

    wrong = [where(a) for a in axes
             if a.textPen().color().name() != want
             or (a.labelText and a.labelStyle.get("color") != theme.plot_foreground)]
    assert not wrong, wrong
    w.projector.set_active(False)
