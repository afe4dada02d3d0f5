"""Help ▸ About: the project's name, version and credits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from . import APP_NAME, __version__


def about_html() -> str:
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>Watch a tiny character-level GPT learn, live: loss curves, attention heatmaps "
        "and sampling.</p>"
        "<p>The model and its training are Andrej Karpathy's <b>microgpt</b> (a GPT in a "
        "single file of pure Python), in the <b>optimized</b> variant with its 14 changes, "
        "reproduced exactly; Karpathy's original is the <i>original</i> preset.</p>"
        "<p>Built with PySide6 (Qt for Python) and pyqtgraph. The bundled names come from "
        "US Social Security baby-name data (public domain). MIT licence.</p>")


def show_about(parent) -> QMessageBox:
    """Non-blocking (open(), not exec()): training keeps reporting while it is shown."""
    box = QMessageBox(QMessageBox.Icon.NoIcon, f"About {APP_NAME}", about_html(),
                      QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    icon = parent.windowIcon() if parent is not None else None
    if icon is not None and not icon.isNull():
        box.setIconPixmap(icon.pixmap(64, 64))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
