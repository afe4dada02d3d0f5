"""pyqtgraph's right-click Export... dialog offers only exporters that work here: its own
SVG exporter fails on current Qt 6 (upstream pyqtgraph issue #3485) and is replaced by
one that draws with Qt; the Matplotlib one (matplotlib is not shipped) is removed."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
import pytest
from pyqtgraph.exporters.Exporter import Exporter

from microgpt_gui.export import install_plot_exporters


def test_right_click_svg_export_writes_a_vector_file(qtbot, tmp_path):
    install_plot_exporters()
    install_plot_exporters()  # idempotent: one SVG entry, not two
    names = [e.Name for e in Exporter.Exporters]
    assert names.count("Scalable Vector Graphics (SVG)") == 1
    assert not any("Matplotlib" in n for n in names)
    svg = next(e for e in Exporter.Exporters if "SVG" in e.Name)
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.plot(np.arange(50), np.sin(np.arange(50) / 5))
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    out = tmp_path / "plot.svg"
    svg(plot.plotItem).export(str(out))  # what the dialog calls after its file dialog
    text = out.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "<path" in text


def test_export_to_a_missing_folder_is_a_message_not_a_traceback(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    install_plot_exporters()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda *a, **k: shown.append(a[2])))
    svg = next(e for e in Exporter.Exporters if "SVG" in e.Name)
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.plot([0, 1], [0, 1])
    svg(plot.plotItem).export(str(tmp_path / "no" / "such" / "plot.svg"))
    assert shown and "no such folder" in shown[0]


def _shown_step(panel):
    if panel.panel_id == "embeddings":
        return panel.shown_step
    return panel.current["step"] if panel.current else -1  # attention


@pytest.mark.parametrize("pid, front", [("embeddings", "attention"),
                                        ("attention", "embeddings")])
def test_file_export_of_a_view_behind_another_tab_shows_it_then_exports_it(
        qtbot, plain_window, tmp_path, monkeypatch, pid, front):
    """File ▸ Export ▸ Embedding plot with the Embeddings tab behind Attention saved an
    empty plot (panels draw only on screen); then it brought the tab forward and asked
    the user to export again. Now one request brings the tab forward, waits until the
    view has drawn the current step, and opens the file dialog."""
    from PySide6.QtWidgets import QFileDialog

    from engine import preset
    from tests.gui.helpers import reset, steps

    w, panel = plain_window, plain_window.panels[pid]
    reset(qtbot, w, preset("optimized", n_embd=8, n_head=2, num_steps=40))
    w.docks[pid].raise_()
    qtbot.waitUntil(lambda: _shown_step(panel) == 0, timeout=10_000)  # drew step 0
    w.docks[front].raise_()
    qtbot.waitUntil(lambda: not panel.on_screen(), timeout=5000)
    steps(qtbot, w, 2)  # out of sight: its picture stays at step 0
    assert _shown_step(panel) == 0
    asked = []
    out = tmp_path / "view.png"

    def dialog(*a, **k):
        asked.append((panel.on_screen(), _shown_step(panel)))
        return str(out), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    before = len(w.messages)
    w.controller.call_in_worker(lambda _t: time.sleep(0.3))  # its answer comes late
    w.act[f"export_plot_{pid}"].trigger()
    assert not asked  # not yet: first the view comes forward and draws
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert asked == [(True, 2)]
    assert out.stat().st_size > 100 and w.messages[before:] == []
