"""AttentionStrip: every layer's and head's attention of one word as small heatmaps in
one scrollable strip (the time-lapse's view of a snapshot)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QScrollArea

from .attention_grid import axis_labels
from .plotutil import clear_grid, row_label_spacing, thinned_ticks, tick_font


class AttentionStrip(QScrollArea):
    """n_layer x n_head small heatmaps of one word, fixed 0-1 colour scale.

    The maps are square and as big as the strip allows (all of them in view); when even
    MIN_MAP pixels each would not fit (big models in a small dock) they stay MIN_MAP and
    the strip scrolls, its scroll bar showing that there are more. The query letters
    (rows) label the first column only, thinned to every k-th letter when the rows are
    closer than a line of text."""

    MIN_MAP = 36  # px: below this a map is a smudge
    MAX_MAP = 140
    MARGIN = 2
    SPACING = 4

    def __init__(self, parent=None):
        super().__init__(parent)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.ci.setContentsMargins(*(self.MARGIN,) * 4)
        self.glw.ci.setSpacing(self.SPACING)
        self.setWidget(self.glw)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.images: list[pg.ImageItem] = []
        self.plots: list[pg.PlotItem] = []
        self._shape = None
        self._labels: list[str] = []
        self.colormap = "viridis"
        self.font_size = 8
        self.foreground = "#333333"
        self.map_size = 0  # px: the side of every map, as last fitted

    def setBackground(self, color) -> None:  # noqa: N802 (the pyqtgraph name it stood for)
        self.glw.setBackground(color)

    def _font(self):
        return tick_font(self.font_size)

    def _title_height(self) -> int:
        return QFontMetrics(self._font()).height() + 2

    def _axis_width(self) -> int:
        metrics = QFontMetrics(self._font())
        widest = max((metrics.horizontalAdvance(t) for t in self._labels), default=0)
        return widest + 6

    def show_attention(self, att: np.ndarray | None, labels: list[str]) -> None:
        if att is None:
            clear_grid(self.glw)
            self.images, self.plots, self._shape = [], [], None
            return
        n_layer, n_head = att.shape[:2]
        labels = axis_labels(labels)
        if self._shape != att.shape:
            self._build(n_layer, n_head)
            self._shape = att.shape
            self._labels = []
        for i, img in enumerate(self.images):
            # ImageItem is indexed [x, y]: transpose so rows are queries, columns keys.
            img.setImage(att[i // n_head, i % n_head].T, levels=(0, 1), autoLevels=False)
        if labels != self._labels:
            self._labels = labels
            n = len(labels)
            for plot in self.plots:
                plot.setRange(xRange=(0, n), yRange=(0, n), padding=0)
                plot.setToolTip("rows: query letter, columns: the letters it looks at "
                                f"({' '.join(labels)})")
            self.fit()

    def _build(self, n_layer: int, n_head: int) -> None:
        clear_grid(self.glw)
        self.images, self.plots = [], []
        font, size = self._font(), f"{self.font_size}pt"
        for li in range(n_layer):
            for h in range(n_head):
                plot = self.glw.addPlot(row=li, col=h)
                plot.setTitle(f"L{li + 1} H{h + 1}", size=size, color=self.foreground)
                plot.titleLabel.setMaximumHeight(self._title_height())
                plot.titleLabel.setMinimumWidth(0)  # the text's margins must not widen maps
                plot.layout.setRowFixedHeight(0, self._title_height())
                plot.invertY(True)
                plot.setAspectLocked(True)
                plot.setMouseEnabled(False, False)
                plot.setMenuEnabled(False)
                plot.hideButtons()
                # Keys along the bottom would not fit under maps this small: the tooltip
                # and the row labels (queries, the same letters) say them.
                plot.hideAxis("bottom")
                if h:
                    plot.hideAxis("left")
                else:
                    axis = plot.getAxis("left")
                    axis.setStyle(tickFont=font, tickLength=0, tickTextOffset=2,
                                  autoExpandTextSpace=False)
                    axis.setTextPen(self.foreground)
                    axis.setPen(self.foreground)
                img = pg.ImageItem(levels=(0, 1))
                img.setColorMap(pg.colormap.get(self.colormap))
                plot.addItem(img)
                self.plots.append(plot)
                self.images.append(img)

    def fit(self) -> None:
        """Size the maps to the strip (see the class doc) and thin the row labels."""
        if not self.plots or self._shape is None:
            return
        n_layer, n_head = self._shape[:2]
        view = self.maximumViewportSize()
        title, axis_w = self._title_height(), self._axis_width()
        fixed_w = 2 * self.MARGIN + axis_w + (n_head - 1) * self.SPACING
        fixed_h = 2 * self.MARGIN + n_layer * title + (n_layer - 1) * self.SPACING
        # PlotItem keeps a 1 px margin around its view box: 2 px per map each way.
        side_w = (view.width() - fixed_w) / n_head - 2
        if side_w < self.MIN_MAP:  # it will scroll sideways: the bar takes some height
            view.setHeight(view.height() - self.horizontalScrollBar().sizeHint().height())
        side_h = (view.height() - fixed_h) / n_layer - 2
        side = int(max(self.MIN_MAP, min(self.MAX_MAP, side_w, side_h)))
        self.map_size = side
        lay = self.glw.ci.layout
        for h in range(n_head):
            lay.setColumnFixedWidth(h, side + 2 + (axis_w if h == 0 else 0))
        for li in range(n_layer):
            lay.setRowFixedHeight(li, side + 2 + title)
        # What the grid needs (its items' own minimums included): less, and it scrolls.
        need = lay.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        self.glw.setMinimumSize(max(fixed_w + n_head * (side + 2), math.ceil(need.width())),
                                max(fixed_h + n_layer * (side + 2), math.ceil(need.height())))
        # The grid keeps the size its largest minimum once forced on it: give it the view's.
        self.glw.ci.setGeometry(QRectF(0, 0, self.glw.width(), self.glw.height()))
        ticks = thinned_ticks(self._labels, side / max(len(self._labels), 1),
                              row_label_spacing(self._font()))
        for k, plot in enumerate(self.plots):
            if k % n_head == 0:
                axis = plot.getAxis("left")
                axis.setWidth(axis_w)
                axis.setTicks([ticks])

    def resizeEvent(self, event):  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self.fit()
