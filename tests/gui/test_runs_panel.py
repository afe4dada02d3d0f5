"""The Runs list as a user edits it: renaming runs."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from engine import preset  # noqa: E402
from tests.gui.helpers import reset, steps  # noqa: E402

pytest.importorskip("pytestqt")


def test_renaming_a_run_to_blank_shows_the_name_it_keeps(qtbot, plain_window):
    """A blank name is refused (the run keeps its name): the cell says so, instead of
    staying blank while the legend and exports use the old name."""
    w, runs = plain_window, plain_window.panels["runs"]
    cfg = preset("optimized", n_embd=8, n_head=2, num_steps=40)
    reset(qtbot, w, cfg)
    steps(qtbot, w, 2)
    reset(qtbot, w, cfg)  # run 1 goes to the list
    cell = runs.table.item(0, 1)
    cell.setText("   ")  # as the cell editor commits it
    assert runs.records[0].name == "run 1" and runs.table.item(0, 1).text() == "run 1"
    runs.table.item(0, 1).setText("  with clipping ")
    assert runs.records[0].name == "with clipping"
    assert runs.table.item(0, 1).text() == "with clipping"


def test_tab_leaves_the_runs_table(qtbot, plain_window):
    """With runs in it, Tab walked the table's cells round and round: the keyboard never
    got out. Tab now moves on (the arrow keys move between cells)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    w, runs = plain_window, plain_window.panels["runs"]
    w.docks["runs"].show()
    w.docks["runs"].raise_()
    cfg = preset("optimized", n_embd=8, n_head=2, num_steps=40)
    for _ in range(2):
        reset(qtbot, w, cfg)
        steps(qtbot, w, 2)
    reset(qtbot, w, cfg)
    assert runs.table.rowCount() == 2
    w.activateWindow()
    runs.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is runs.table, timeout=5000)
    QTest.keyClick(runs.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not runs.table
