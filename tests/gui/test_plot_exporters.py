"""pyqtgraph's right-click Export... dialog offers only exporters that work here: its own
SVG exporter fails on current Qt 6 (upstream pyqtgraph issue #3485) and is replaced by
one that draws with Qt; the Matplotlib one (matplotlib is not shipped) is removed."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
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


def test_file_export_of_a_view_behind_another_tab_shows_it_first(
        qtbot, plain_window, tmp_path, monkeypatch):
    """File ▸ Export ▸ Embedding plot with the Embeddings tab behind Attention saved an
    empty plot (panels draw only on screen). Now the tab comes to the front with a
    message, no file dialog; exported again once drawn, the picture has the points."""
    from PySide6.QtWidgets import QFileDialog

    from engine import preset
    from tests.gui.helpers import reset, steps

    w, emb = plain_window, plain_window.panels["embeddings"]
    reset(qtbot, w, preset("optimized", n_embd=8, n_head=2, num_steps=40))
    steps(qtbot, w, 2)
    w.docks["attention"].raise_()
    qtbot.waitUntil(lambda: not emb.on_screen(), timeout=5000)
    asked = []
    out = tmp_path / "emb.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: asked.append(a) or (str(out), "")))
    before = len(w.messages)
    w.act["export_plot_embeddings"].trigger()
    assert not asked and not out.exists()
    qtbot.waitUntil(emb.on_screen, timeout=5000)
    assert "export it again" in w.messages[before][1]
    qtbot.waitUntil(lambda: emb.plot.point_count() > 0, timeout=10_000)
    w.act["export_plot_embeddings"].trigger()
    assert asked and out.stat().st_size > 100
