"""MatrixMap: one weight matrix as a heatmap (the Weights panel's second view).

Blue negative, white exactly zero, red positive (the colour scale is symmetric around 0
at the matrix's largest magnitude); the longer side goes across, as the dock is wide and
short; the token axis of wte and lm_head is labelled with the letters, other axes with
indices thinned so that their labels never touch. Hovering reads out a cell. A caption
under the map names the matrix, its shape, the step and its range.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .plotutil import (
    COLORBAR_SIDES,
    cache_axes,
    label_spacing,
    row_label_spacing,
    theme_axes,
    thinned_ticks,
    tick_font,
)

VOCAB_ROWS = ("wte", "lm_head")  # matrices with a row per token


class MatrixMap(QWidget):
    def __init__(self, theme, parent=None):
        super().__init__(parent)
        self._font_size = theme.plot_font_size  # the size _fit_ticks measures labels in
        self.cmap = pg.colormap.get("CET-D1")  # diverging: blue, white, red
        self.plot = pg.PlotWidget()
        mp = self.plot.getPlotItem()
        mp.invertY(True)  # row 0 on top, as a matrix is written
        mp.setMouseEnabled(False, False)
        mp.hideButtons()
        cache_axes(mp)
        mp.getViewBox().sigResized.connect(self._fit_ticks)  # thinned for the new size
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(self.cmap.getLookupTable(nPts=256))
        mp.addItem(self.image)
        self.colorbar = pg.ColorBarItem(values=(-1, 1), colorMap=self.cmap, interactive=False,
                                        width=12)
        self.colorbar.setImageItem(self.image, insert_in=mp)
        self.caption = QLabel("No model yet")
        self.caption.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.caption)

        self.current = None  # (name, matrix, labels, transposed, x name, y name) shown
        self._tick_names: tuple[list[str], list[str]] = ([], [])  # the map's x, y labels
        self._tokens_down = False  # the y labels are tokens (else indices)
        self.plot.scene().sigMouseMoved.connect(self._hover)

    def show_matrix(self, step: int, name: str, w: np.ndarray, labels: list[str]) -> None:
        top = float(np.abs(w).max()) if w.size else 0.0
        top = top if top > 0 else 1.0  # an all-zero matrix (zero init): plain white
        rows, cols = w.shape
        # Rows are what a matrix makes (one per token of wte, per position of wpe, per
        # output of a layer), columns what it reads. The longer side goes across: the
        # dock is wide and short.
        row_name = {"wte": "token", "lm_head": "token", "wpe": "position"}.get(name, "output")
        col_name = "dimension" if name in ("wte", "wpe", "lm_head") else "input"
        across = rows > cols
        shown = w.T if across else w
        y_name, x_name = (col_name, row_name) if across else (row_name, col_name)
        self.image.setImage(shown, autoLevels=False, levels=(-top, top))
        self.colorbar.setLevels((-top, top))
        mp = self.plot.getPlotItem()
        mp.setRange(xRange=(0, shown.shape[1]), yRange=(0, shown.shape[0]), padding=0)
        tokens = name in VOCAB_ROWS and len(labels) == rows
        x_axis, y_axis = mp.getAxis("bottom"), mp.getAxis("left")
        x_axis.setLabel(x_name)
        y_axis.setLabel(y_name)
        self._tick_names = tuple(
            labels if token_axis else [str(i) for i in range(n)]
            for n, token_axis in ((shown.shape[1], tokens and across),
                                  (shown.shape[0], tokens and not across)))
        self._tokens_down = tokens and not across
        self.current = (name, w, labels, across, x_name, y_name)
        self._fit_ticks()
        self.caption.setText(
            f"{name}: {rows} × {cols} at step {step}, values from {w.min():.3g} to "
            f"{w.max():.3g}. Blue: negative, white: 0, red: positive.")

    def _fit_ticks(self, *_) -> None:
        """Ticks at the cells' centres: token letters, or indices 0, 1, ..., every k-th
        one so that neighbouring labels never touch, measured in the axes' font (side by
        side: the labels' widths, "1020" is wider than "7"; stacked: letters a capital's
        height apart as on the attention maps, numbers a line apart, as digits are all
        that tall). Again whenever the map's size changes: a paused model is not drawn
        again."""
        mp = self.plot.getPlotItem()
        vb, font = mp.getViewBox(), tick_font(self._font_size)
        x_names, y_names = self._tick_names
        stacked = row_label_spacing(font) if self._tokens_down else QFontMetrics(font).height()
        for axis, names, length, room in (
                (mp.getAxis("bottom"), x_names, vb.width(), label_spacing(font, x_names)),
                (mp.getAxis("left"), y_names, vb.height(), stacked)):
            if names and length > 0:
                axis.setTicks([thinned_ticks(names, length / len(names), room)])

    def cell_text(self, x: float, y: float) -> str:
        """'wte[a, 3] = 0.123 (token a, dimension 3)' for the cell at view (x, y)."""
        if self.current is None:
            return ""
        name, w, labels, across, x_name, y_name = self.current
        col, row = int(np.floor(x)), int(np.floor(y))
        r, c = (col, row) if across else (row, col)
        if not (0 <= r < w.shape[0] and 0 <= c < w.shape[1]):
            return ""
        r_label = labels[r] if name in VOCAB_ROWS and r < len(labels) else str(r)
        row_name, col_name = (x_name, y_name) if across else (y_name, x_name)
        return (f"{name}[{r_label}, {c}] = {w[r, c]:.4g} "
                f"({row_name} {r_label}, {col_name} {c})")

    def _hover(self, pos) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            self.plot.setToolTip("")
            return
        point = vb.mapSceneToView(pos)
        self.plot.setToolTip(self.cell_text(point.x(), point.y()))

    def apply_theme(self, theme) -> None:
        self._font_size = theme.plot_font_size
        font = tick_font(theme.plot_font_size)
        self.plot.setBackground(theme.plot_background)
        theme_axes(self.plot.getPlotItem(), theme)  # (the size _fit_ticks measures in)
        theme_axes(self.colorbar, theme, sides=COLORBAR_SIDES)
        # Room above the map for half a row label: the one centred on the first row of a
        # tall matrix (rows a pixel apart) was cut in half by the panel's edge.
        half = QFontMetrics(font).height() // 2 + 1
        self.plot.getPlotItem().layout.setContentsMargins(1, half, 1, 1)
        self._fit_ticks()
