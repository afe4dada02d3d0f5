"""Small pyqtgraph helpers shared by the plotting panels."""

from __future__ import annotations

import math
import time

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsItem


def cache_axes(plot) -> None:
    """Keep each axis of a PlotItem as a cached pixmap.

    Axes are the most expensive part of a repaint (tick text), and they are repainted
    whenever a neighbouring curve changes, although they only change when the range does
    (pyqtgraph then calls update(), which refreshes the cache). The GUI thread's paint
    time is time the training thread cannot use (one GIL), so this buys steps/s.
    """
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class AlignedAxis(pg.AxisItem):
    """A vertical axis as wide as the widest axis of its group. Plots stacked in one
    column then start their data at the same x, so a step sits at the same pixel in
    each: every pyqtgraph axis sizes itself to its own tick labels and title, and the
    loss, grad norm and lr plots' steps were up to ~20 px apart.

    `group` is a list shared by the axes to align (each adds itself)."""

    def __init__(self, group: list, orientation: str = "left", **kwargs):
        super().__init__(orientation, **kwargs)
        self.aligned_with = group  # (not .group: QGraphicsItem has a group())
        group.append(self)
        self._updateWidth()

    natural = 0.0  # the width its own labels and title need
    # The scale pyqtgraph adds to the title, e.g. '(x0.001)', is shown elsewhere (the
    # Curves put it in a corner of a plot too short for a title that long).
    scale_apart = False

    def labelString(self) -> str:  # noqa: N802 (pyqtgraph's name)
        if not self.scale_apart:
            return super().labelString()
        style = ";".join(f"{k}: {v}" for k, v in self.labelStyle.items())
        return f"<span style='{style}'>{self.labelText}</span>"

    def scale_text(self) -> str:
        """The scale the title would carry, e.g. 'x0.001' ('' when there is none)."""
        if self.labelUnits or not self.autoSIPrefix or self.autoSIPrefixScale == 1.0:
            return ""
        return f"x{1.0 / self.autoSIPrefixScale:g}"

    def _updateWidth(self):  # noqa: N802 (pyqtgraph calls it when labels or title change)
        super()._updateWidth()  # fixes this axis at its own width
        self.natural = self.maximumWidth()
        group = getattr(self, "aligned_with", ())  # () while pyqtgraph's __init__ runs
        widest = max((axis.natural for axis in group), default=self.natural)
        for axis in group:
            if axis.maximumWidth() != widest or axis.minimumWidth() != widest:
                axis.setMaximumWidth(widest)
                axis.setMinimumWidth(widest)


def thinned_ticks(labels, pitch_px: float, min_px: float,
                  offset: float = 0.5) -> list[tuple[float, str]]:
    """Token ticks at i + offset (a heatmap's cell centres; 0 for bars centred on i) for
    tokens `pitch_px` pixels apart: every k-th label, with k chosen so neighbouring
    labels are at least `min_px` apart, so small maps and big vocabularies never pile
    letters on each other. The first label (the start token) is always kept."""
    if not labels:
        return []
    step = max(1, math.ceil(min_px / max(pitch_px, 1e-6)))
    return [(i + offset, t) for i, t in enumerate(labels) if i % step == 0]


def tick_font(point_size: int) -> QFont:
    font = QFont()
    font.setPointSize(point_size)
    return font


COLORBAR_SIDES = ("left", "right", "top", "bottom")  # a ColorBarItem's: values, frame


def theme_axes(plot, theme, size: int | None = None, sides=("left", "bottom")) -> None:
    """The theme's colour and plot font (or `size` pt) on `plot`'s axes: the lines, the
    tick labels and the titles they have. pyqtgraph's own are a small grey that faded
    on a projector beside the black of the other plots."""
    size = size or theme.plot_font_size
    font = tick_font(size)
    for side in sides:
        axis = plot.getAxis(side)
        axis.setPen(theme.plot_foreground)
        axis.setTextPen(theme.plot_foreground)
        axis.setStyle(tickFont=font)
        if axis.labelText:
            axis.setLabel(axis.labelText, color=theme.plot_foreground,
                          **{"font-size": f"{size}pt"})


def theme_legend(legend, theme) -> None:
    """The theme's colour and plot font on a legend's entries: those added later and
    those it has (pyqtgraph restyles only the later ones, so the entries made with the
    plots kept its small grey until the first change of theme)."""
    legend.setLabelTextColor(theme.plot_foreground)
    legend.setLabelTextSize(f"{theme.plot_font_size}pt")
    for _sample, label in legend.items:
        label.setText(label.text, color=theme.plot_foreground,
                      size=f"{theme.plot_font_size}pt")


def row_label_spacing(font: QFont) -> int:
    """Pixels stacked single-letter tick labels of `font` must be apart to read as
    separate letters: a capital's height (lowercase letters then stand clear; at most a
    tall letter grazes a descender above it). Closer, and they pile up into a smudge,
    as they did in the time-lapse's small heatmaps."""
    return QFontMetrics(font).capHeight()


def label_spacing(font: QFont, labels) -> float:
    """Pixels side-by-side tick labels must be apart: the widest neighbouring pair's
    half-widths and a small gap."""
    metrics = QFontMetrics(font)
    widths = [metrics.horizontalAdvance(t) for t in labels]
    pairs = [(a + b) / 2 for a, b in zip(widths, widths[1:])] or widths or [0]
    return max(pairs) + 2


def room_for_descenders(axis, font: QFont) -> None:
    """A bottom axis tall enough for a whole line of its tick font. pyqtgraph reserves
    80% of the measured text height, which at projector sizes cut the tails off g, j,
    p, q and y (a 'g' read as an 'a'); its label, if any, is still added below."""
    axis.setStyle(tickFont=font, autoExpandTextSpace=False,
                  tickTextHeight=QFontMetrics(font).height())


def fit_legend(plot, legend, line_px: float) -> None:
    """A legend one entry per line that would fill a third of a short plot's height (in
    a 1280x720 window its legend covered the right third of the curves and reached past
    the guessing line, whose label then moved left of it, onto the curves) lays its
    entries out side by side instead, up to 3 a row, if the plot is wide
    enough for the row (three in a row ran off the left of a narrow, short plot: a
    1024x768 window, 'loss (each step)' cut to 'ep)'). `line_px` is the height of one
    line of the legend's text."""
    n = len(legend.items)
    tall = n * line_px * 1.4 > 0.33 * plot.getViewBox().rect().height()
    columns = 1
    if tall and n > 1:
        # all in one row, if the plot is wide enough (10: its offset from the edge). Not
        # two columns: as wide as the plot and two lines tall, that left the baselines'
        # labels no room beside it.
        row = min(n, 3)
        if legend_width(legend, row) <= plot.getViewBox().rect().width() - 10:
            columns = row
    if legend.columnCount != columns:
        legend.setColumnCount(columns)
    fit_to_entries(legend)


def fit_to_entries(legend) -> None:
    """Size `legend` to its entries at their own sizes in its current font. pyqtgraph
    sizes a legend by its entries' widths in the layout before (a label stretched to a
    column's width stays that wide) and only when an entry comes or goes or the columns
    change: a new column count made a row ~20% wider than its entries (it ran off the
    plot), and a legend kept its projector size after projector mode (restyled text
    does not resize it; the lr legend, 340x54 instead of 214x40, then covered the
    schedule and stayed hidden, and the loss legend's 'validation' ran into the start
    hint). So every fit: each entry at its own size again, then the box around them."""
    for _sample, label in legend.items:
        label.resize(label.preferredWidth(), label.preferredHeight())
    legend.updateSize()


def legend_width(legend, columns: int) -> float:
    """The width of `legend` with its entries in `columns` columns (filled row by row,
    as pyqtgraph lays them out), from its entries' own widths (a label's text at the
    legend's font, which its style sets, not its QFont) and its layout's spacing."""
    entries = [sample.boundingRect().width() + label.preferredWidth()
               for sample, label in legend.items]
    lay = legend.layout
    margins = lay.getContentsMargins()
    spacing = max(0.0, lay.horizontalSpacing())
    widths = [max(entries[j::columns]) for j in range(columns)]
    return sum(widths) + spacing * (2 * columns - 1) + margins[0] + margins[2]


def clear_grid(glw) -> None:
    """Empty a GraphicsLayoutWidget and forget the row and column sizes set on its grid
    (they outlive the items: a grid for fewer heads kept the old columns' widths)."""
    lay = glw.ci.layout
    for col in range(lay.columnCount()):
        lay.setColumnMinimumWidth(col, 0)
        lay.setColumnPreferredWidth(col, 0)
        lay.setColumnMaximumWidth(col, 1e9)
    for row in range(lay.rowCount()):
        lay.setRowMinimumHeight(row, 0)
        lay.setRowPreferredHeight(row, 0)
        lay.setRowMaximumHeight(row, 1e9)
    glw.clear()


class TimedLayoutWidget(pg.GraphicsLayoutWidget):
    """A GraphicsLayoutWidget that adds up the CPU time its paints take (paint_cpu)."""

    paint_cpu = 0.0

    def paintEvent(self, event):  # noqa: N802 (Qt name)
        t0 = time.thread_time()
        super().paintEvent(event)
        self.paint_cpu += time.thread_time() - t0


def fit_axis_title(plot, title: str, size: int, color, height: float, least: int = 6) -> int:
    """Set the left axis title at `size` pt, smaller (down to `least`) while its drawn text
    is longer than `height`, the plot's height: a size estimated from font metrics
    scales only nearly with the point size (hinting). Returns the size used."""
    label = plot.getAxis("left").label
    while True:
        plot.setLabel("left", title, color=color, **{"font-size": f"{size}pt"})
        drawn = label.boundingRect().width() - 2 * label.document().documentMargin()
        if size <= least or not 0 < height < drawn:
            return size
        size -= 1


def covers_data(item, items, margin_px: float = 4.0) -> bool:
    """Whether any point of the data items lies under `item` (a legend or a label on a
    plot's view box; its box widened by margin_px for the lines' width)."""
    vb = item.parentItem()
    box = vb.mapSceneToView(item.sceneBoundingRect().adjusted(
        -margin_px, -margin_px, margin_px, margin_px)).boundingRect()
    for data in items:
        x, y = data.getData()
        if x is not None and len(x) and ((x >= box.left()) & (x <= box.right())
                                         & (y >= box.top()) & (y <= box.bottom())).any():
            return True
    return False


CORNERS = ((1, 0), (0, 1), (1, 1), (0, 0))  # top right, bottom left, bottom right, top left


def place_in_corner(label, items, avoid=None, margin_px: float = 4.0) -> None:
    """Anchor `label` (a LabelItem on a plot's view box) in the first corner where it
    covers no point of the data items and does not touch the item `avoid` (a legend,
    if visible); the first corner if none is free."""
    def put(cx, cy):
        offset = (margin_px if cx == 0 else -margin_px, margin_px if cy == 0 else -margin_px)
        label.anchor(itemPos=(cx, cy), parentPos=(cx, cy), offset=offset)

    for corner in CORNERS:
        put(*corner)
        blocked = avoid is not None and avoid.isVisible() and \
            label.sceneBoundingRect().intersects(avoid.sceneBoundingRect())
        if not blocked and not covers_data(label, items):
            return
    put(*CORNERS[0])


def centre_label(plot, text: str) -> pg.LabelItem:
    """A label kept in the middle of the plot's view, whatever its range (hidden at first:
    show it with setVisible)."""
    label = pg.LabelItem(text)
    label.setParentItem(plot.getViewBox())
    label.anchor(itemPos=(0.5, 0.5), parentPos=(0.5, 0.5))
    label.hide()
    return label
