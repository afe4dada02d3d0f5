"""Small pyqtgraph helpers shared by the plotting panels."""

from __future__ import annotations

import math

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


def thinned_ticks(labels, pitch_px: float, min_px: float) -> list[tuple[float, str]]:
    """Token ticks at cell centres (i + 0.5) for a heatmap whose cells are `pitch_px`
    pixels apart: every k-th label, with k chosen so neighbouring labels are at least
    `min_px` apart (a line of text), so small maps never stack letters on each other.
    The first label (the start token) is always kept."""
    if not labels:
        return []
    step = max(1, math.ceil(min_px / max(pitch_px, 1e-6)))
    return [(i + 0.5, t) for i, t in enumerate(labels) if i % step == 0]


def tick_font(point_size: int) -> QFont:
    font = QFont()
    font.setPointSize(point_size)
    return font


def line_height(font: QFont) -> int:
    """Pixels a line of `font` needs (what stacked tick labels must be apart)."""
    return QFontMetrics(font).height()
