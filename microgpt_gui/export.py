"""Export: curves to CSV, plots and heatmaps to PNG/SVG, any widget or the whole window to
PNG, generated names to a text file.

Each function takes a path and raises ExportError with a one-line message saying why
(permission denied, no such folder, ...); the ask_* helpers show a file dialog, add the
file type's suffix when the name has none, and turn failures into the window's message
box, so a bad path or a full disk never becomes a traceback or a silent non-export.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from engine.run_record import RunRecord, write_csv


class ExportError(Exception):
    pass


def _checked(path) -> Path:
    p = Path(path)
    if p.is_dir():
        raise ExportError(f"{p}: is a folder, not a file name")
    if not p.parent.exists():
        raise ExportError(f"{p.parent}: no such folder")
    return p


def _why_not_writable(p: Path) -> str:
    """' (reason)' why p cannot be written, found by trying (Qt's image and SVG writers
    only say that they failed), or '' if no reason shows up."""
    try:
        if p.exists():
            with open(p, "r+b"):  # opens for writing without changing the file
                pass
        else:
            with tempfile.TemporaryFile(dir=p.parent, prefix=".microgpt-probe-"):
                pass
    except OSError as e:
        return f" ({e.strerror or e})"
    return ""


IMAGE_SUFFIXES = {".png": "PNG", ".jpg": "JPG", ".jpeg": "JPG", ".bmp": "BMP"}


def _save_image(image, p: Path) -> None:
    """Save a QImage/QPixmap to p in the format its suffix names (PNG for any other)."""
    if p.suffix.lower() == ".svg":
        raise ExportError(f"{p}: this view can only be saved as an image (PNG), not SVG")
    fmt = IMAGE_SUFFIXES.get(p.suffix.lower(), "PNG")
    if image is None or image.isNull() or not image.save(str(p), fmt):
        raise ExportError(f"{p}: could not save the image{_why_not_writable(p)}")


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
    _save_image(widget.grab(), p)


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
        raise ExportError(f"{path}: cannot write{_why_not_writable(Path(path))}")
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
            # As an image in memory, saved here: pyqtgraph's own save picks the format
            # from the suffix and its failure (an existing file that cannot be
            # overwritten, say) went unnoticed.
            _save_image(ex.export(toBytes=True), p)
    except OSError as e:
        raise ExportError(f"{p}: cannot write: {e.strerror or e}") from None


# --- with a dialog ---------------------------------------------------------------------

PNG = "PNG image (*.png)"
SVG = "SVG vector image (*.svg)"


def _ask(parent, title: str, default: str, filters: str) -> str:
    """A file name from the save dialog ('' if cancelled), with the chosen type's suffix
    added when the name has none (a name without one saved nothing, or PNG bytes in a
    file no viewer recognises)."""
    path, chosen = QFileDialog.getSaveFileName(parent, title, default, filters)
    if path and not Path(path).suffix and not Path(path).is_dir():
        options = filters.split(";;")
        pick = chosen if chosen in options else options[0]
        suffix = pick.rsplit("*", 1)[-1].rstrip(")").strip()
        if suffix.startswith("."):
            path += suffix
    return path


def _tell(parent, text: str, warning: bool = True) -> None:
    """The window's own (non-modal, recorded) message box when there is one."""
    window = parent.window() if parent is not None else None
    show = getattr(window, "show_error" if warning else "show_message", None)
    if show is not None:
        show(text)
    elif warning:
        QMessageBox.warning(parent, "Export", text)
    else:
        QMessageBox.information(parent, "Export", text)


def _run(parent, fn, *args) -> bool:
    try:
        fn(*args)
    except ExportError as e:
        _tell(parent, f"Export failed: {e}")
        return False
    return True


def ask_csv(parent, runs: list[RunRecord], default: str = "curves.csv") -> bool:
    if not runs:
        _tell(parent, "There are no curves to export yet: train a few steps first.",
              warning=False)
        return False
    path = _ask(parent, "Export curves to CSV", default, "CSV (*.csv)")
    return bool(path) and _run(parent, export_csv, path, runs)


def ask_names(parent, names: list[str]) -> bool:
    if not names:
        _tell(parent, "There are no generated names to save yet: press Generate first.",
              warning=False)
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
