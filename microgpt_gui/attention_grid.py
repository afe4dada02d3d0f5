"""The Attention panel's heatmap grid: one cell per (layer, head), the letters along the
maps' axes, the cells' sizes, the hover readout and the theme's fonts and colours.

A mixin of AttentionPanel (attention_view.py), which asks for the maps and puts each
capture into this grid: the grid's widgets and methods stay the panel's own attributes
(panel.cells, panel.colorbar, panel.fit_grid(), panel.wanted_height()...), which the
projector, the head-roles labels and the tests use. Kept apart because fitting a grid of
square maps and their letters into a dock is an idea of its own, and most of the code.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea

from .plotutil import (
    COLORBAR_SIDES,
    cache_axes,
    clear_grid,
    label_spacing,
    room_for_descenders,
    row_label_spacing,
    theme_axes,
    thinned_ticks,
)

MIN_MAP = 40  # px: a heatmap is never squeezed below this; the grid scrolls instead
TIGHT_PX = 2  # projector mode: the grid's margins and the space between its cells


def axis_labels(labels) -> list[str]:
    """Token labels for tight axes: BOS becomes its one-character symbol."""
    from engine.data import BOS_LABEL, BOS_SYMBOL

    return [BOS_SYMBOL if t == BOS_LABEL else t for t in labels]


class HeatmapGrid:
    """The grid half of AttentionPanel: needs its ctx, current, _shape, _labels, images,
    cells, layer_labels (set in the panel's __init__) and grid_height_changed."""

    # --- the grid ---------------------------------------------------------------------
    def _setup_grid(self, root) -> None:
        """The grid's widgets, under the panel's word bar and caption (in `root`)."""
        self.glw = pg.GraphicsLayoutWidget()
        # Many heads (8 per layer, 4 layers) need more room than the dock has: the grid
        # then keeps readable maps and scrolls, rather than running off the dock's edge.
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.glw)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Small: the grid scrolls, and a 1280x720 screen must fit the whole window.
        self.scroll.setMinimumSize(240, 120)
        root.addWidget(self.scroll, 1)
        self._row_heights: list[float] = []  # each layer's row at MIN_MAP (fit_grid)
        self.scroll.viewport().installEventFilter(self)  # the rows follow its height
        self.readout = QLabel(" ")
        root.addWidget(self.readout)
        self.cmap = pg.colormap.get("viridis")
        self.colorbar = None
        # The grid's own margins and spacing, for the desktop; projector mode packs the
        # cells closer (TIGHT_PX): at slide-sized fonts every pixel goes to the maps.
        self._loose = (self.glw.ci.layout.getContentsMargins(),
                       self.glw.ci.layout.horizontalSpacing(),
                       self.glw.ci.layout.verticalSpacing())
        self.glw.scene().sigMouseMoved.connect(self._hover)

    def _build_grid(self, n_layer: int, n_head: int) -> None:
        if self._shape == (n_layer, n_head):
            return
        self._shape = (n_layer, n_head)
        self._labels = []
        clear_grid(self.glw)
        self.images, self.cells, self.layer_labels = [], [], []
        first = 1 if n_layer > 1 else 0  # a column of "layer l" labels when there are layers
        for layer in range(n_layer):
            if first:
                label = self.glw.addLabel(f"layer {layer + 1}", row=layer, col=0, angle=-90)
                self.layer_labels.append(label)
            for head in range(n_head):
                cell = self.glw.addPlot(row=layer, col=first + head)
                # Short titles on the first row only: long per-cell titles would force the
                # grid wider than the dock. Every cell keeps its own token axes, so each
                # map reads on its own and all cells get the same size.
                if layer == 0:
                    cell.setTitle(f"head {head + 1}")
                    cell.titleLabel.setMinimumWidth(0)  # the cell's width is fit_grid's
                cell.setMouseEnabled(False, False)
                cell.hideButtons()
                cell.setMenuEnabled(False)
                cell.invertY(True)  # query 0 (the start token) on top, like a matrix
                cell.setAspectLocked(True)
                cache_axes(cell)
                img = pg.ImageItem(axisOrder="row-major")
                img.setLookupTable(self.cmap.getLookupTable(nPts=256))
                img.setLevels((0.0, 1.0))
                cell.addItem(img)
                cell.getViewBox().sigResized.connect(self._fit_ticks)
                self.cells.append(cell)
                self.images.append(img)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=self.cmap, interactive=False,
                                        width=14, label="weight")
        self.colorbar.setImageItem(self.images)
        self.glw.addItem(self.colorbar, row=0, col=first + n_head, rowspan=n_layer)
        self.apply_theme(self.ctx.theme)

    def _fit_ticks(self, *_) -> None:
        """The letters along the maps' axes, every k-th one when rows are closer than a
        letter is tall (small maps, many heads, projector fonts): never stacked. The
        smallest map decides, so every head shows the same letters."""
        if not self._labels or not self.cells:
            return
        rects = [cell.getViewBox().rect() for cell in self.cells]
        # Aspect-locked square maps: the smaller side of a view box is the map's.
        pitch = min(min(r.width(), r.height()) for r in rects) / len(self._labels)
        if pitch <= 0:
            return  # not laid out yet
        font = self._tick_font()
        ticks = (thinned_ticks(self._labels, pitch, row_label_spacing(font)),
                 thinned_ticks(self._labels, pitch, label_spacing(font, self._labels)))
        for cell in self.cells:
            if getattr(cell, "_fitted_ticks", None) != ticks:  # redrawing axes costs
                cell._fitted_ticks = ticks
                cell.getAxis("left").setTicks([ticks[0]])
                cell.getAxis("bottom").setTicks([ticks[1]])

    def _tick_font(self) -> QFont:
        font = QFont()
        font.setPointSize(self.ctx.theme.plot_font_size)
        return font

    def fit_grid(self) -> None:
        """Give every cell room for a MIN_MAP map and its head-role label, and the grid
        widget the room its cells need: when the dock is smaller, it scrolls."""
        if not self.cells:
            return
        width = 0
        for cell in self.cells:
            left = cell.getAxis("left").minimumWidth()
            bottom = cell.getAxis("bottom")
            # The head's role under it ("previous 72%"): its text with the item's margins.
            role_w = bottom.label.boundingRect().width() if bottom.labelText else 0
            width = max(width, MIN_MAP + left + 2, role_w)
        # The same minimum and preferred size for every head's column and every layer's
        # row, so the spare room is shared out evenly and all maps have the same size.
        # Set on the grid, not on the cells: a cell with a minimum size of its own
        # resizes itself when Qt detaches it at exit, in Python, which segfaulted.
        lay = self.glw.ci.layout
        n_layer, n_head = self._shape
        first = 1 if n_layer > 1 else 0  # the "layer l" labels' column
        for col in range(first, first + n_head):
            lay.setColumnMinimumWidth(col, width)
            lay.setColumnPreferredWidth(col, width)
        self._row_heights = []
        for row in range(n_layer):
            cell = self.cells[row * n_head]
            title = cell.layout.rowMinimumHeight(0)  # 0 without a title
            height = MIN_MAP + cell.getAxis("bottom").minimumHeight() + title + 2
            self._row_heights.append(height)
            lay.setRowMinimumHeight(row, height)
            lay.setRowPreferredHeight(row, height)
            lay.setRowMaximumHeight(row, 1e9)
        need = self.glw.ci.layout.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        changed = int(need.height()) + 2 != self.glw.minimumHeight()
        self.glw.setMinimumSize(int(need.width()) + 2, int(need.height()) + 2)
        self._share_rows()
        # The grid keeps the size its largest minimum once forced on it: give it the view's.
        self.glw.ci.setGeometry(QRectF(0, 0, self.glw.width(), self.glw.height()))
        if changed:
            self.grid_height_changed.emit()

    def _map_side(self, height: float | None = None) -> int:
        """The side of every map when the grid gets the view's width and `height` (the
        view's height if None): square maps, as big as the tighter of the two allows."""
        n_layer, n_head = self._shape
        lay = self.glw.ci.layout
        need = lay.effectiveSizeHint(Qt.SizeHint.MinimumSize)  # every map MIN_MAP
        view = self.scroll.viewport()
        column = lay.columnMinimumWidth(1 if n_layer > 1 else 0)  # a head's, at MIN_MAP
        left = self.cells[0].getAxis("left").minimumWidth()
        by_width = column + (view.width() - need.width()) / n_head - left - 2
        if height is None:
            height = view.height()
        by_height = MIN_MAP + (height - need.height() - 2) / n_layer
        return max(MIN_MAP, int(min(by_width, by_height)))

    def _share_rows(self) -> None:
        """Every row gets the same map size, and no more height than its square maps
        use. Left to itself the grid shares spare height unevenly between the first row
        (with the heads' titles) and the others, so the maps of one layer came out
        smaller than the other's; and a row taller than its maps left the letters under
        them adrift, a gap below each map."""
        if self._shape is None or not self._row_heights:
            return
        grow = self._map_side() - MIN_MAP
        lay = self.glw.ci.layout
        for row, height in enumerate(self._row_heights):
            lay.setRowPreferredHeight(row, height + grow)
            lay.setRowMaximumHeight(row, height + grow)
        # The grid's own (plot-coloured) background ends under its maps: spare height
        # is the panel's, not an empty white band.
        need = lay.effectiveSizeHint(Qt.SizeHint.MinimumSize).height() + 2
        self.glw.setMaximumHeight(int(need) + self._shape[0] * grow)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._share_rows()
        return False

    def wanted_height(self, max_side: int = 1_000_000) -> int | None:
        """The panel's height at which the grid needs no scrolling and every map is
        max_side px, or as big as the panel's width allows if that is less (the maps are
        square: more height would stay empty). None before the first model."""
        if not self.cells or self._shape is None:
            return None
        side = max(MIN_MAP, min(max_side, self._map_side(height=1e9)))
        need = self.glw.ci.layout.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        grid = need.height() + 2 + self._shape[0] * (side - MIN_MAP)
        return self.height() - self.scroll.viewport().height() + int(grid)

    def wanted_width(self) -> int | None:
        """The panel's width at which every head's map is in view side by side (no
        sideways scrolling), each at least MIN_MAP px. None before the first model."""
        if not self.cells:
            return None
        return self.width() - self.scroll.viewport().width() + self.glw.minimumWidth()

    def _hover(self, pos) -> None:
        if self.current is None:
            return
        att = self.current["attention"]
        for k, cell in enumerate(self.cells):
            if not cell.sceneBoundingRect().contains(pos):
                continue
            p = cell.getViewBox().mapSceneToView(pos)
            q, key = int(np.floor(p.y())), int(np.floor(p.x()))
            labels = axis_labels(self.current["labels"])
            if 0 <= q < len(labels) and 0 <= key < len(labels):
                layer, head = divmod(k, att.shape[1])
                w = att[layer, head, q, key]
                self.readout.setText(f"layer {layer + 1} head {head + 1}:  "
                                     f"{labels[q]} (pos {q}) → {labels[key]} (pos {key}): {w:.3f}")
            return

    # --- theme -------------------------------------------------------------------------
    def apply_theme(self, theme) -> None:
        self.glw.setBackground(theme.plot_background)
        margins, h_space, v_space = self._loose
        grid = self.glw.ci.layout
        if theme.name == "projector":
            grid.setContentsMargins(*[TIGHT_PX] * 4)
            grid.setHorizontalSpacing(TIGHT_PX)
            grid.setVerticalSpacing(TIGHT_PX)
        else:
            grid.setContentsMargins(*margins)
            grid.setHorizontalSpacing(h_space)
            grid.setVerticalSpacing(v_space)
        font = QFont()
        font.setPointSize(theme.plot_font_size)
        n_head = self._shape[1] if self._shape else 1
        for k, cell in enumerate(self.cells):
            if k < n_head:  # the first row carries the "head h" titles
                cell.titleLabel.setText(cell.titleLabel.text, color=theme.plot_foreground,
                                        size=f"{theme.plot_font_size}pt")
                # One line of text, not pyqtgraph's fixed 30 px: the maps get the room.
                title_h = QFontMetrics(font).height() + 6
                cell.titleLabel.setMinimumWidth(0)
                cell.titleLabel.setMaximumHeight(title_h)
                cell.layout.setRowFixedHeight(0, title_h)
            for name in ("left", "bottom"):
                axis = cell.getAxis(name)
                axis.setPen(theme.plot_foreground)
                axis.setTextPen(theme.plot_foreground)
                axis.setStyle(tickFont=font, tickLength=0)
            room_for_descenders(cell.getAxis("bottom"), font)
        for layer, label in enumerate(self.layer_labels):
            label.setText(f"layer {layer + 1}", color=theme.plot_foreground,
                          size=f"{theme.plot_font_size}pt")
        if self.colorbar is not None:
            # The values on its right, "weight" on its left: pyqtgraph's default for
            # both is small and grey, unreadable on a projector.
            theme_axes(self.colorbar, theme, sides=COLORBAR_SIDES)
            # Its end values ("1.0", "0") stand half a line past the bar: with the grid's
            # tight projector margins they need room of the bar's own, or are cut.
            half = QFontMetrics(font).height() // 2 if theme.name == "projector" else 1
            self.colorbar.layout.setContentsMargins(1, half, 1, half)
        self._fit_ticks()
        self.fit_grid()
