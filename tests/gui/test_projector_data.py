"""Projector mode keeps the data choices in reach of the keyboard.

It puts away the menu bar and the controls dock, the only other ways to the bundled and
makemore names; D, or Tab to the toolbar's Data button and Space, opens the data menu,
whose entries arrows and Enter or their letter pick."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from microgpt_gui import help_texts
from microgpt_gui.classroom import shortcuts_html
from microgpt_gui.demo_toolbar import DATA_ACTIONS
from tests.gui.helpers import tab_to


@pytest.fixture
def w(plain_window, qtbot):
    w = plain_window
    w.hits = []
    for name in DATA_ACTIONS:
        action = w.act[name]
        action.triggered.disconnect()  # no download, file dialog or load: just note it
        action.triggered.connect(lambda *_a, n=name: w.hits.append(n))
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    w.projector.set_active(True)
    assert not w.menuWidget().isVisible() and not w.docks["controls"].isVisible()
    yield w
    w.projector.set_active(False)


def test_d_opens_the_data_menu_in_projector_mode(qtbot, w):
    menu = w.toolbar.data_menu
    QTest.keyClick(w.focusWidget() or w, Qt.Key.Key_D)
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    assert [a.objectName() for a in menu.actions()] == list(DATA_ACTIONS)
    assert menu.activeAction() is w.act["bundled_dataset"]  # arrows work at once
    QTest.keyClick(menu, Qt.Key.Key_Down)
    QTest.keyClick(menu, Qt.Key.Key_Return)
    assert w.hits == ["download_makemore"]
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=5000)
    QTest.keyClick(w.focusWidget() or w, Qt.Key.Key_D)  # and again, by its letter
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    QTest.keyClick(menu, Qt.Key.Key_B)
    assert w.hits == ["download_makemore", "bundled_dataset"]


def test_tab_reaches_the_data_button_and_space_opens_its_menu(qtbot, w):
    button, menu = w.toolbar.data_button, w.toolbar.data_menu
    assert button.isVisible()
    w.curves.setFocus()
    tab_to(qtbot, w, button)
    QTest.keyClick(button, Qt.Key.Key_Space)  # the button's, not Train's
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    assert w.controller.state != "running"
    QTest.keyClick(menu, Qt.Key.Key_B)
    assert w.hits == ["bundled_dataset"]


def test_the_projector_help_and_shortcut_list_name_the_data_key(w):
    assert "<b>D</b>" in help_texts.text("projector")
    assert "D</b></td><td>&nbsp;&nbsp;Choose the data…" in shortcuts_html(w)


def test_the_data_menu_has_room_for_its_entries_at_slide_sized_fonts(qtbot, w):
    """Qt's Fusion style elides a menu entry that leaves less than a few pixels before
    the shortcut column: at 1080p projector sizes it drew "Download ma…more names…"."""
    from PySide6.QtWidgets import QApplication

    from microgpt_gui.demo_toolbar import show_data_menu

    font = QApplication.font()
    old = QApplication.font()
    font.setPointSize(24)  # the projector font on a 1080p screen
    QApplication.setFont(font)
    try:
        menu = show_data_menu(w)
        qtbot.waitUntil(menu.isVisible, timeout=5000)
        fm = menu.fontMetrics()
        longest = max(fm.horizontalAdvance(a.text().replace("&", "")) for a in menu.actions())
        keys = max(fm.horizontalAdvance(a.shortcut().toString()) for a in menu.actions())
        # entry, a gap of a letter or more, the shortcut, the margins (two letters)
        assert menu.width() >= longest + keys + 3 * fm.horizontalAdvance("M")
        menu.hide()
    finally:
        QApplication.setFont(old)
