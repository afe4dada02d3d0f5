"""Export: curves to CSV, plots and heatmaps to PNG/SVG, any widget or the whole window to
PNG, generated names to a text file.

Each function takes a path and raises ExportError with a one-line message; the ask_*
helpers show a file dialog and turn failures into a message box, so a bad path or a full
disk never becomes a traceback.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from engine.analysis import RunRecord, write_csv


class ExportError(Exception):
    pass


def _checked(path) -> Path:
    p = Path(path)
    if p.is_dir():
        raise ExportError(f"{p}: is a folder, not a file name")
    if not p.parent.exists():
        raise ExportError(f"{p.parent}: no such folder")
    return p


def export_csv(path, runs: list[RunRecord]) -> None:
    if not runs:
        raise ExportError("there are no curves to export yet - train a few steps first")
    p = _checked(path)
    try:
        write_csv(p, runs)
    except OSError as e:
        raise ExportError(f"{p}: cannot write: {e.strerror or e}") from None


def export_names(path, names: list[str]) -> None:
    if not names:
        raise ExportError("there are no generated names to save yet - press Generate first")
    p = _checked(path)
    try:
        p.write_text("\n".join(names) + "\n", encoding="utf-8")
    except OSError as e:
        raise ExportError(f"{p}: cannot write: {e.strerror or e}") from None


def export_widget_png(path, widget: QWidget) -> None:
    """A screenshot of a widget as it is on screen (the whole window, a panel, a heatmap)."""
    p = _checked(path)
    if not widget.grab().save(str(p), "PNG"):
        raise ExportError(f"{p}: could not save the image")


def export_svg(path, scene, source=None) -> None:
    """A QGraphicsScene (or the part `source` of it) as vector SVG, drawn by Qt itself.
    pyqtgraph's SVGExporter post-processes Qt's path syntax and fails on current Qt 6
    ("not enough values to unpack"), so it is not used."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    source = QRectF(source) if source is not None else scene.itemsBoundingRect()
    if source.isEmpty():
        raise ExportError("the plot is empty: nothing to export")
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(source.size().toSize())
    gen.setViewBox(QRectF(0, 0, source.width(), source.height()))
    gen.setTitle("microgpt-gui plot")
    painter = QPainter()
    if not painter.begin(gen):
        raise ExportError(f"{path}: cannot write")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()


def export_plot(path, item) -> None:
    """A pyqtgraph PlotItem or GraphicsScene to PNG, or to SVG (vector) when the file
    name ends in .svg."""
    import pyqtgraph.exporters as exporters

    p = _checked(path)
    try:
        if p.suffix.lower() == ".svg":
            if hasattr(item, "sceneBoundingRect"):  # one item of a scene
                export_svg(p, item.scene(), item.sceneBoundingRect())
            else:
                export_svg(p, item, item.sceneRect())
        else:
            ex = exporters.ImageExporter(item)
            # The default width can be a float, which some Qt versions reject.
            ex.parameters()["width"] = max(int(ex.parameters()["width"]), 16)
            ex.export(str(p))
    except OSError as e:
        raise ExportError(f"{p}: cannot write: {e.strerror or e}") from None
    if not p.exists():
        raise ExportError(f"{p}: could not save the image")


# --- with a dialog ---------------------------------------------------------------------

PNG = "PNG image (*.png)"
SVG = "SVG vector image (*.svg)"


def _ask(parent, title: str, default: str, filters: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, default, filters)
    return path


def _run(parent, fn, *args) -> bool:
    try:
        fn(*args)
    except ExportError as e:
        QMessageBox.warning(parent, "Export", str(e))
        return False
    return True


def ask_csv(parent, runs: list[RunRecord], default: str = "curves.csv") -> bool:
    if not runs:
        QMessageBox.information(parent, "Export", "There are no curves to export yet.")
        return False
    path = _ask(parent, "Export curves to CSV", default, "CSV (*.csv)")
    return bool(path) and _run(parent, export_csv, path, runs)


def ask_names(parent, names: list[str]) -> bool:
    if not names:
        QMessageBox.information(parent, "Export", "There are no generated names yet.")
        return False
    path = _ask(parent, "Save generated names", "names.txt", "Text (*.txt)")
    return bool(path) and _run(parent, export_names, path, names)


def ask_widget_png(parent, widget: QWidget, default: str = "microgpt.png") -> bool:
    path = _ask(parent, "Save as PNG", default, PNG)
    return bool(path) and _run(parent, export_widget_png, path, widget)


def ask_plot(parent, item, default: str = "plot.png") -> bool:
    path = _ask(parent, "Save plot", default, f"{PNG};;{SVG}")
    return bool(path) and _run(parent, export_plot, path, item)


# --- pyqtgraph's right-click "Export..." dialog -----------------------------------------


def install_plot_exporters() -> None:
    """Make the right-click Export... dialog of every plot offer only exporters that
    work here: pyqtgraph's own SVG exporter fails on current Qt 6 (an upstream bug in
    its path post-processing, pyqtgraph issue #3485) and its Matplotlib exporter needs
    matplotlib, which the app does not ship. Both would print a traceback and save
    nothing. The SVG entry is replaced by one that draws with Qt (export_svg)."""
    import pyqtgraph.exporters as exporters
    from pyqtgraph.exporters.Exporter import Exporter

    class QtSvgExporter(Exporter):
        Name = "Scalable Vector Graphics (SVG)"
        allowCopy = False

        def parameters(self):
            return None

        def export(self, fileName=None, toBytes=False, copy=False):  # noqa: N803 (API)
            if fileName is None:
                self.fileSaveDialog(filter=["*.svg"])
                return
            scene = self.getScene()
            rect = self.getSourceRect()
            try:
                export_svg(_checked(fileName), scene, rect)
            except (ExportError, OSError) as e:
                QMessageBox.warning(None, "Export failed", str(e))

    broken = [exporters.SVGExporter, exporters.MatplotlibExporter]
    Exporter.Exporters[:] = [e for e in Exporter.Exporters
                             if e not in broken and e.__name__ != "QtSvgExporter"]
    Exporter.Exporters.append(QtSvgExporter)
