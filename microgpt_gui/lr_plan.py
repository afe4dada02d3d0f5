"""The planned learning rate: the schedule still ahead, dashed on the Curves' lr plot.

The learning rate is the one curve known before training starts (engine.trainer.lr_at:
a half cosine, a straight line or flat, from the run's learning rate to its last step).
Drawn ahead of the run, an empty plot already shows what "cosine schedule" means, and a
live change of the learning rate or of Steps visibly bends the rest of the run.

The plan starts where it was last made: at the run's first step, or at the step where
the learning rate or the run's length last changed (the steps before kept the old
schedule, which the solid curve shows). The solid curve covers the plan as it goes.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt

from engine.trainer import lr_schedule

from .theme import px

MAX_POINTS = 600  # a smooth curve: a million-step plan needs no more points than this


def plan_points(train, start: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, lr) of the schedule from `start` steps done to the end, x as History counts
    steps (1-based: step k + 1 used lr_at(k)). Thinned to MAX_POINTS, ends kept."""
    first, total = max(int(start), 0), int(train.num_steps)
    if first >= total:
        return np.empty(0), np.empty(0)
    k = np.arange(first, total) if total - first <= MAX_POINTS else \
        np.unique(np.linspace(first, total - 1, MAX_POINTS).round().astype(np.int64))
    return k + 1.0, lr_schedule(train, k)


class LrPlan(QObject):
    """Keeps the dashed 'planned' line of `plot` (the Curves' lr plot) up to date."""

    def __init__(self, ctx, plot, on_change=None):
        super().__init__(plot)
        self.ctx = ctx
        self.plot = plot
        self.on_change = on_change  # (): the Curves fit their range to the new plan
        self.train = None  # a copy of the run's training settings, as planned now
        self.start = 0  # steps done when the plan was made
        self.line = plot.plot(name="planned")
        self.line.setZValue(-1)  # under the solid curve, which covers it as it goes
        c = ctx.controller
        c.reset_done.connect(self._on_reset)
        c.learning_rate_changed.connect(self._on_lr)
        c.num_steps_changed.connect(self._on_num_steps)
        ctx.themes.changed.connect(self.apply_theme)
        self.apply_theme(ctx.theme)

    def _on_reset(self, info) -> None:
        train = info.config.train
        self.train = dataclasses.replace(train)  # the lr changes live in this copy only
        self._replan(info.start_step)

    def _on_lr(self, lr: float) -> None:
        if self.train is not None:
            self.train.learning_rate = float(lr)
            self._replan(self.ctx.controller.history.step)

    def _on_num_steps(self, num_steps: int) -> None:
        if self.train is not None:
            self.train.num_steps = int(num_steps)
            self._replan(self.ctx.controller.history.step)

    def _replan(self, start: int) -> None:
        self.start = int(start)
        self.line.setData(*plan_points(self.train, self.start))
        if self.on_change is not None:
            self.on_change()

    def apply_theme(self, theme) -> None:
        self.line.setPen(pg.mkPen(theme.lr, width=px(theme.thin_width),
                                  style=Qt.PenStyle.DashLine))
