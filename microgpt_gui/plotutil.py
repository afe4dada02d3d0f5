"""Small pyqtgraph helpers shared by the plotting panels."""

from __future__ import annotations

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
