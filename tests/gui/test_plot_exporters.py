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
