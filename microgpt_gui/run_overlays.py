"""Run overlays: the ticked runs drawn behind the live loss curve, on the Runs panel's own
plot and on every plot attached to it (the Curves panel's loss plot).

A run is its smoothed loss (a line, smoothed like the live curve so that "with vs
without" compares like with like) and its validation loss (dots), in the run's colour,
faded for the previous run. Kept apart from the Runs panel, which owns the list (table,
ticks, the cap on runs, CSV): this is only how the ticked runs look on a plot.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from .run_store import smoothed

FADED_ALPHA = 150  # of 255: the previous run is a ghost behind the live one


class RunOverlays:
    def __init__(self, own_plot_item):
        self._own = own_plot_item  # the Runs panel's plot: its table is the key, no legend
        self._targets: list = []  # plots overlays are drawn on
        self._drawn: dict[int, list] = {}  # id(plot) -> items drawn there

    def attach(self, plot_item) -> None:
        """Draw on this plot too, from the next draw()."""
        self._targets.append(plot_item)
        self._drawn[id(plot_item)] = []

    def items(self, plot_item) -> list:
        """What is drawn on a plot for the ticked runs (loss and val per run)."""
        return self._drawn.get(id(plot_item), [])

    def draw(self, runs, smoothing: float, width: float) -> None:
        """runs: (record, colour, faded) for each ticked run; replaces what was drawn."""
        # Legends: the Curves panel's loss plot names each run once; this panel's small
        # plot names none (the table's coloured boxes are its key): two entries per run
        # filled a plot's legend and covered its curves.
        for plot in self._targets:
            legend = getattr(plot, "legend", None)
            for item in self._drawn[id(plot)]:
                plot.removeItem(item)
                if legend is not None:
                    legend.removeItem(item)
            items = []
            for r, colour, faded in runs:
                color = pg.mkColor(colour)
                if faded:
                    color.setAlpha(FADED_ALPHA)
                steps = r.array("step")
                loss = smoothed(r.array("loss"), smoothing)
                ok = np.isfinite(loss)
                line = pg.PlotDataItem(steps[ok], loss[ok], name=f"{r.name} loss",
                                       pen=pg.mkPen(color, width=width))
                val = r.array("val_loss")
                vk = np.isfinite(val)
                dots = pg.PlotDataItem(steps[vk], val[vk], name=f"{r.name} val",
                                       pen=pg.mkPen(color, width=width * 0.6,
                                                    style=Qt.PenStyle.DashLine),
                                       symbol="o", symbolSize=5, symbolBrush=color,
                                       symbolPen=None)
                for item in (line, dots):
                    item.setZValue(-10)  # behind the live run
                    plot.addItem(item)
                    items.append(item)
                    if legend is not None:  # (addItem put it in the legend by its name)
                        legend.removeItem(item)
                if legend is not None and plot is not self._own:
                    legend.addItem(line, r.name)  # one entry per run, not two
            self._drawn[id(plot)] = items
