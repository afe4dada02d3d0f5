"""Qt's stale dock tab bars are put away (dock_tabs.py): one live bar per tab group."""

from __future__ import annotations

from microgpt_gui.dock_tabs import _groups, dock_tab_bars, hide_stale_tab_bars
from microgpt_gui.lesson import bundled_lessons
from tests.gui.helpers import WAIT


def bars_by_group(w):
    return [frozenset(b.tabText(i) for i in range(b.count())) for b in dock_tab_bars(w)]


def assert_tidy(w):
    groups = set(_groups(w).values())
    shown = bars_by_group(w)
    assert sorted(map(sorted, shown)) == sorted(map(sorted, groups))  # one bar per group


def test_the_new_window_has_one_tab_bar_per_group_and_it_works(qtbot, tmp_path):
    """Built as app.main() builds it (tabifying its docks before it is shown, where Qt
    6.11 leaves an "Attention | Embeddings" bar and a second Controls bar behind)."""
    from microgpt_gui.main_window import MainWindow
    from microgpt_gui.settings import Settings

    w = MainWindow(settings=Settings(str(tmp_path / "s.ini")), autostart=False)
    qtbot.addWidget(w)
    assert_tidy(w)
    w.show()
    qtbot.waitExposed(w)
    assert_tidy(w)
    (bar,) = [b for b in dock_tab_bars(w) if b.tabText(0) == "Controls"]
    explorer = w.docks["explorer"]
    assert explorer.visibleRegion().isEmpty()
    bar.setCurrentIndex(next(i for i in range(bar.count())
                             if bar.tabText(i) == explorer.windowTitle()))
    qtbot.waitUntil(lambda: not explorer.visibleRegion().isEmpty(), timeout=2000)
    w.close()


def test_opening_a_lesson_with_a_layout_leaves_no_stray_bar(qtbot, plain_window):
    w = plain_window
    lesson = next(p for p in bundled_lessons())
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.lessons.open(str(lesson))
    assert_tidy(w)
    w.projector.set_active(True)
    w.projector.set_active(False)
    qtbot.wait(100)
    assert_tidy(w)


def test_a_restore_state_duplicate_is_found_by_asking(qtbot, qapp):
    """restoreState on a shown window: Qt makes a new bar and leaves the old one up, in
    the same place; only asking tells which one switches the docks."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

    w = QMainWindow()
    qtbot.addWidget(w)
    w.setCentralWidget(QLabel("centre"))
    w.resize(600, 400)
    docks = []
    for name in ("A", "B"):
        d = QDockWidget(name, w)
        d.setObjectName(name)
        d.setWidget(QLabel(name))
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d)
        docks.append(d)
    w.tabifyDockWidget(*docks)
    w.show()
    qapp.processEvents()
    w.restoreState(w.saveState())
    qapp.processEvents()
    bars = dock_tab_bars(w)  # Qt 6.11: two, the old one left up under the new one
    assert hide_stale_tab_bars(w) == len(bars) - 1
    (bar,) = dock_tab_bars(w)
    assert bar is bars[-1]
    other = next(d for d in docks if d.visibleRegion().isEmpty())
    bar.setCurrentIndex(1 - bar.currentIndex())
    qtbot.waitUntil(lambda: not other.visibleRegion().isEmpty(), timeout=2000)
