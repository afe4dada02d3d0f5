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
