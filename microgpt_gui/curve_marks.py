"""What the Curves draw across their three plots at one step: the hover cursor with its
read-out of every value there, and a marker at each live change (lr 0.02, steps 800, a
new temperature...), labelled on the lr plot.

Kept apart from curves.py, which draws the data: these follow the mouse and the
history's events, not the training steps.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from .theme import px


class StepMarks:
    """The cursors and event markers of `plots` (loss, grad norm, lr; the last one holds
    the markers' labels); `readout` is the QLabel the hovered values are written to."""

    def __init__(self, plots, readout, history, plan=None):
        self.plots = plots
        self.readout = readout
        self.history = history  # () -> the controller's History
        self.plan = plan  # () -> (steps, lr) of the planned learning rate, or None
        self._markers: list = []  # (plot, line) of every event marker drawn
        self.events_drawn = 0  # events in the history when the markers were drawn
        self.cursors = []
        for p in plots:
            line = pg.InfiniteLine(angle=90, movable=False)
            line.hide()
            p.addItem(line, ignoreBounds=True)
            self.cursors.append(line)

    # --- the hover cursor -------------------------------------------------------------
    def hover(self, pos) -> None:
        """The mouse at scene position pos: cursors at the nearest step, its values read
        out; hidden off the plots."""
        h = self.history()
        plot = next((p for p in self.plots if p.sceneBoundingRect().contains(pos)), None)
        x = plot.getViewBox().mapSceneToView(pos).x() if plot is not None else None
        if x is not None and self._hover_plan(x, h.step if len(h) else 0):
            return
        if plot is None or not len(h):
            for c in self.cursors:
                c.hide()
            return
        i = h.nearest(x)
        step = int(h.array("step")[i])
        parts = [f"step {step}", f"loss {h.array('loss')[i]:.4f}",
                 f"smoothed {h.array('smooth')[i]:.4f}"]
        if h.val_steps:
            j = int(np.argmin(np.abs(np.asarray(h.val_steps) - step)))
            parts.append(f"val {h.val_losses[j]:.4f} @ {h.val_steps[j]}")
        parts += [f"grad {h.array('grad_norm')[i]:.3f}", f"lr {h.array('lr')[i]:.5f}"]
        self.readout.setText("   ".join(parts))
        self._cursors_at(step)

    def _hover_plan(self, x: float, done: int) -> bool:
        """Past the steps done, the planned learning rate there ('what will it be at
        step 400?'); False if x is not on the plan."""
        steps, lr = self.plan() if self.plan is not None else (None, None)
        step = int(round(x))
        if steps is None or not len(steps) or step <= done or not steps[0] <= step <= steps[-1]:
            return False
        self.readout.setText(f"step {step} (planned)   lr {np.interp(step, steps, lr):.5f}")
        self._cursors_at(step)
        return True

    def _cursors_at(self, step: int) -> None:
        for c in self.cursors:
            c.setValue(step)
            c.show()

    # --- markers of live changes --------------------------------------------------------
    def draw_events(self, events, theme) -> None:
        """A vertical line per (step, text) event in every plot, its text on the last."""
        for plot, line in self._markers:
            plot.removeItem(line)
        self._markers = []
        for i, (step, text) in enumerate(events):
            # Changes often come in bursts (a slider drag): stagger the labels.
            position = 0.9 - 0.2 * (i % 4)
            for plot in self.plots:
                line = pg.InfiniteLine(step, angle=90, movable=False,
                                       pen=pg.mkPen(theme.event, width=px(theme.thin_width)),
                                       label=text if plot is self.plots[-1] else None,
                                       labelOpts={"position": position, "color": theme.event,
                                                  "anchors": [(0, 0.5), (0, 0.5)]})
                plot.addItem(line, ignoreBounds=True)
                self._markers.append((plot, line))
        self.events_drawn = len(events)

    def apply_theme(self, theme) -> None:
        for c in self.cursors:
            c.setPen(pg.mkPen(theme.plot_foreground, width=px(1), style=Qt.PenStyle.DotLine))
        self.events_drawn = -1  # the markers again, in the theme's colours
