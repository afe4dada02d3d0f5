"""Curves panel: loss (raw, smoothed, validation), gradient norm with the clip line, and
the learning rate, on one shared step axis.

Redrawn from the controller's History on a QTimer (REFRESH_HZ), only when it changed;
pyqtgraph's peak downsampling and clip-to-view keep 100k-point runs smooth.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QVBoxLayout

from .curve_marks import StepMarks
from .curve_points import envelope, finite, sticky_range, thinned
from .curve_titles import CurveTitles
from .history import SMOOTHING_DECIMALS, SMOOTHING_MAX
from .lr_plan import LrPlan
from .panels import Panel
from .plotutil import (
    AlignedAxis,
    TimedLayoutWidget,
    cache_axes,
    centre_label,
    theme_axes,
    theme_legend,
)
from .theme import px

REFRESH_HZ = 25
START_HINT = "Press Train (Space) to start"
CONTINUE_HINT = "Press Train (Space) to continue"  # a checkpoint opened without curves
FINISHED_HINT = "Finished at step {:,}: raise Steps to train on"  # Train is greyed out
BUDGET = 0.25  # at most this share of the GUI thread's time goes to redrawing curves
MAX_INTERVAL_MS = 250  # never fewer than 4 frames a second
ROW_MIN_PX = (130, 46, 86)  # the plots' least heights: loss, grad norm, lr


class CurvesPanel(Panel):
    panel_id = "curves"
    title = "Curves"
    area = Qt.DockWidgetArea.TopDockWidgetArea
    help_text = ("Loss: how surprised the model is by the next letter (lower is better). "
                 "The faint line is every step, the dark line its running average, red "
                 "dots the loss on names it never trains on. Grad norm: how big each update "
                 "wants to be; above the dashed line it is clipped. lr: the step size.")

    def __init__(self, ctx):
        super().__init__(ctx)
        self._drawn = (None, -1)  # (history object, version) last drawn
        self._last_paint_cpu = 0.0
        self._val_drawn = (None, -1)  # (history, number of validation points) drawn
        root = QVBoxLayout(self)
        root.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        smoothing_label = QLabel("Smoothing")
        bar.addWidget(smoothing_label)
        self.smoothing = QDoubleSpinBox()
        smoothing_label.setBuddy(self.smoothing)  # the label is its screen-reader name
        self.smoothing.setRange(0.0, SMOOTHING_MAX)
        self.smoothing.setDecimals(SMOOTHING_DECIMALS)
        self.smoothing.setSingleStep(0.05)
        self.smoothing.setValue(ctx.controller.history.smoothing)
        self.smoothing.setToolTip("EMA weight of the smoothed loss: 0 = raw, 0.99 = very smooth")
        self.smoothing.valueChanged.connect(self._set_smoothing)
        bar.addWidget(self.smoothing)
        self.log_y = QCheckBox("Log loss axis")
        self.log_y.toggled.connect(self._set_log_y)
        bar.addWidget(self.log_y)
        self.follow = QCheckBox("Follow")
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep the whole run in view; pan or zoom to look closer")
        self.follow.toggled.connect(self._set_follow)
        bar.addWidget(self.follow)
        bar.addStretch(1)
        self.readout = QLabel(" ")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar.addWidget(self.readout)
        root.addLayout(bar)

        self.glw = TimedLayoutWidget()
        root.addWidget(self.glw, 1)
        left_axes = []  # one width for the three: a step at the same x in each plot
        self.loss_plot, self.grad_plot, self.lr_plot = (
            self.glw.addPlot(row=row, col=0, axisItems={"left": AlignedAxis(left_axes)})
            for row in range(3))
        self.plots = (self.loss_plot, self.grad_plot, self.lr_plot)
        layout = self.glw.ci.layout
        for row, stretch in enumerate((3, 2, 1)):
            layout.setRowStretchFactor(row, stretch)
        # Room for the loss plot's legend and the baselines' labels when the window is
        # as short as it goes, and for a few ticks on the others (the lr plot's row also
        # holds the step axis).
        for row, least in enumerate(ROW_MIN_PX):
            layout.setRowMinimumHeight(row, least)
        self.glw.setMinimumHeight(
            int(layout.effectiveSizeHint(Qt.SizeHint.MinimumSize).height()) + 2)
        self.legends = []
        for p in self.plots:
            p.setDownsampling(auto=True, mode="peak")
            p.setClipToView(True)
            # Top right, but the lr plot's bottom left: a learning rate that falls (or
            # stays) never goes there, and its top right holds the curve mid-run.
            self.legends.append(p.addLegend(offset=(8, -8) if p is self.lr_plot else (-8, 8)))
            p.getViewBox().sigRangeChangedManually.connect(self._user_moved)
            cache_axes(p)
        for plot in (self.loss_plot, self.grad_plot):
            # Losses and norms read best as they are (no '(x0.1)' in the title), and a
            # title without that room to spare keeps its full size on a short plot.
            plot.getAxis("left").enableAutoSIPrefix(False)
        self.grad_plot.setXLink(self.loss_plot)
        self.lr_plot.setXLink(self.loss_plot)
        # One step axis at the bottom is enough, and every axis costs paint time the
        # training thread would otherwise get (the GIL is shared).
        self.loss_plot.hideAxis("bottom")
        self.grad_plot.hideAxis("bottom")
        self._total = 1  # steps in the run: the x range while following
        self._x_right = None
        self.raw = self.loss_plot.plot(name="loss (each step)")
        self.smooth = self.loss_plot.plot(name="smoothed")
        self.val = self.loss_plot.plot(name="validation", symbol="o")
        self.grad = self.grad_plot.plot(name="grad norm")
        self.clip = self.grad_plot.plot(name="clip threshold")
        self.lr = self.lr_plot.plot(name="learning rate")
        self.lr_plan = LrPlan(ctx, self.lr_plot, on_change=self.refit)  # dashed, ahead
        for item in (self.raw, self.smooth, self.grad, self.lr):
            # Peak downsampling keeps the envelope; ~1.5 points per pixel look the same
            # as pyqtgraph's default 5 and cost a third of the drawing.
            item.opts["autoDownsampleFactor"] = 1.5
        self.marks = StepMarks(self.plots, self.readout, lambda: self.controller.history,
                               plan=self.lr_plan.line.getData)
        # A new model's empty loss plot says how to start (a first-time user's question).
        self.start_hint = centre_label(self.loss_plot, START_HINT)
        self.titles = CurveTitles(self.plots, self.legends, (self.lr, self.lr_plan.line),
                                  lambda: self.ctx.theme)
        for p in self.plots:
            p.getViewBox().sigResized.connect(self.titles.fit)
        self.glw.scene().sigMouseMoved.connect(self.marks.hover)

        ctx.controller.reset_done.connect(self._on_reset)
        ctx.controller.num_steps_changed.connect(self._on_num_steps)
        ctx.themes.changed.connect(self.apply_theme)
        self.apply_theme(ctx.theme)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(1000 // REFRESH_HZ)

    # --- drawing ------------------------------------------------------------------------
    def _tick(self) -> None:
        """Hand the curves new data (Qt paints them soon after), then pace the next
        update by what the last one cost, data and paint: the GUI thread's time is the
        training thread's loss (one GIL), so a slow machine gets fewer frames, not a
        slower run. Costs are this thread's CPU time, not wall time: waiting for the GIL
        while training runs is not work, and counting it would slow the curves for
        nothing. (No synchronous repaint() here: the scene processes moved items after
        it, which would paint the curves a second time.)"""
        t0 = time.thread_time()
        if self.refresh() and self.isVisible():
            cost = time.thread_time() - t0 + self._last_paint_cpu
            base = self.controller.budget.interval(1000 // REFRESH_HZ)  # every panel's share
            interval = max(base, min(MAX_INTERVAL_MS, int(cost * 1000 / BUDGET)))
            if interval != self.timer.interval():
                self.timer.setInterval(interval)
        # Paints since the previous tick: the cost of the previous update.
        self._last_paint_cpu, self.glw.paint_cpu = self.glw.paint_cpu, 0.0

    def refresh(self, force: bool = False) -> bool:
        """Give the curves the history's data; False if nothing changed."""
        h = self.controller.history
        if not force and self._drawn == (h, h.version):
            return False
        self._drawn = (h, h.version)
        clean = (lambda a: a) if not h.nonfinite else finite
        steps = h.array("step")
        peaks, smooth = (lambda x, y: (x, y)), (lambda x, y: (x, y))
        if self.follow.isChecked():  # the whole run in view: a point per pixel is plenty
            buckets = max(self.glw.width(), 500)
            peaks = lambda x, y: envelope(x, y, buckets)  # noqa: E731
            smooth = lambda x, y: thinned(x, y, buckets)  # noqa: E731
        self.raw.setData(*peaks(steps, clean(h.array("loss"))))
        self.smooth.setData(*smooth(steps, clean(h.array("smooth"))))
        if force or self._val_drawn != (h, len(h.val_steps)):
            # Symbols are costly to rebuild (~2 ms for a few hundred): only when a new
            # validation point arrived, every 100 steps, not on every frame.
            self._val_drawn = (h, len(h.val_steps))
            self.val.setData(np.asarray(h.val_steps, float), finite(np.asarray(h.val_losses)))
        self.grad.setData(*peaks(steps, clean(h.array("grad_norm"))))
        self.lr.setData(*smooth(steps, clean(h.array("lr"))))
        self._show_start_hint(h)
        if len(h.events) != self.marks.events_drawn:
            self.marks.draw_events(h.events, self.ctx.theme)
        if self.follow.isChecked():
            self._follow_x(h.step)
            self._follow_y()
        return True

    def _show_start_hint(self, h) -> None:
        """Over an empty loss plot, what Train does now: start a new model, continue a
        checkpoint (opened without curves), or nothing for a finished one (Train is
        greyed out there; more Steps train on)."""
        info = self.controller.info
        self.start_hint.setVisible(not len(h) and info is not None)
        if info is None or len(h):
            return
        done = self.controller.steps_done()
        text = (FINISHED_HINT.format(done) if done >= info.num_steps else
                CONTINUE_HINT if done else START_HINT)
        if text != self.start_hint.text:
            self.start_hint.setText(text)  # (keeps the theme's colour and size)

    def _follow_x(self, step: int, force: bool = False) -> None:
        """Following shows the whole run, 0 to its last step: a fixed x range means the
        axes need not be redrawn every frame (only y auto-ranges)."""
        right = max(self._total, step, 1)
        if force or right != self._x_right:
            self._x_right = right
            self.loss_plot.setXRange(0, right, padding=0.01)

    def _on_reset(self, info) -> None:
        self._set_length(info)
        self.marks.events_drawn = -1
        self.controller.history.set_smoothing(self.smoothing.value())
        if self.follow.isChecked():
            self._set_follow(True)  # refreshes too
        else:
            self.refresh(force=True)

    def _on_num_steps(self, _num_steps: int) -> None:
        if self.controller.info is not None:
            self._set_length(self.controller.info)
            self._follow_x(self.controller.history.step, force=True)
            self.refresh(force=True)

    def _set_length(self, info) -> None:
        """The x axis's planned end and the clip line's length: the run's num_steps."""
        self._total = max(info.num_steps, 1)
        clip = info.config.train.grad_clip
        legend = self.legends[1]  # the gradient plot's: "clip threshold" only when it clips
        legend.removeItem(self.clip)
        if clip is None:
            self.clip.setData([], [])
        else:
            self.clip.setData([0, max(info.num_steps, 1)], [clip, clip])
            legend.addItem(self.clip, "clip threshold")

    def _set_smoothing(self, value: float) -> None:
        self.controller.history.set_smoothing(value)
        self.refresh()

    def _follow_y(self, force: bool = False) -> bool:
        """Fit each plot's y range to all its curves' data and the lines it keeps in
        view (sticky_range). True if a range moved (the titles are then fitted again)."""
        moved = False
        for plot in self.plots:
            lo, hi = np.inf, -np.inf
            for item in plot.listDataItems():  # incl. overlays other panels add
                y = item.getData()[1] if item.isVisible() else None  # in view units (log)
                if y is None or not len(y):
                    continue
                y = y[np.isfinite(y)]
                if len(y):
                    lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
            for item in plot.items:  # scale lines kept in view (the loss's baselines)
                if getattr(item, "keeps_in_view", False) and item.isVisible():
                    lo, hi = min(lo, item.value()), max(hi, item.value())
            if lo > hi:
                continue
            # The grad norm from 0: a norm's size, and the clip line's, read from the
            # axis. (Before the first step only the clip line is there, and a range
            # around 1.0 took '0.995'-wide tick labels, which the stacked plots share.)
            floor = 0.0 if plot is self.grad_plot else None
            y_range = sticky_range(lo, hi, plot.getViewBox().viewRange()[1], floor, force)
            if y_range is not None:
                plot.setYRange(*y_range, padding=0)
                moved = True
        if moved:
            self.titles.fit()  # a new range may bring a new scale into the lr title
        return moved

    def refit(self) -> None:
        """Fit the y ranges again, e.g. when a scale line kept in view has moved."""
        if not (self.follow.isChecked() and self._follow_y()):  # (a move fits it too)
            self.titles.fit_lr_legend()  # a new plan may run under it

    def _set_follow(self, on: bool) -> None:
        for p in self.plots:
            p.disableAutoRange()  # following manages the ranges itself (cheaper)
        self.refresh(force=True)  # thinned while following; every point to zoom into
        if on:
            self._follow_x(self.controller.history.step, force=True)
            self._follow_y(force=True)

    def _set_log_y(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        if self.follow.isChecked():
            self._follow_y(force=True)  # the view's units changed (log10)

    def _user_moved(self, *_):
        self.follow.setChecked(False)  # the user wants to look closer: stop jumping

    # --- theme ----------------------------------------------------------------------------
    def apply_theme(self, theme) -> None:
        self.glw.setBackground(theme.plot_background)
        style = {"color": theme.plot_foreground, "font-size": f"{theme.plot_font_size}pt"}
        self.start_hint.setText(self.start_hint.text, color=theme.plot_foreground,
                                size=f"{theme.plot_font_size + 2}pt")
        for plot in self.plots:
            plot.showGrid(x=True, y=True, alpha=theme.grid_alpha)
            theme_axes(plot, theme)
        self.titles.forget()  # the left titles: fitted below
        self.lr_plot.setLabel("bottom", "step", **style)
        w, thin = px(theme.line_width), px(theme.thin_width)  # device pixels
        self.raw.setPen(pg.mkPen(theme.loss_raw, width=thin))
        self.smooth.setPen(pg.mkPen(theme.loss_smooth, width=w))
        self.val.setPen(pg.mkPen(theme.val, width=w))
        self.val.setSymbolBrush(theme.val)
        self.val.setSymbolPen(theme.val)
        self.val.setSymbolSize(4 + 2 * theme.line_width)  # symbols: logical px
        self.grad.setPen(pg.mkPen(theme.grad, width=w))
        self.clip.setPen(pg.mkPen(theme.clip, width=thin, style=Qt.PenStyle.DashLine))
        self.lr.setPen(pg.mkPen(theme.lr, width=w))
        self.marks.apply_theme(theme)
        for legend in self.legends:
            theme_legend(legend, theme)
            legend.setBrush(pg.mkBrush(theme.plot_background + "cc"))
        self.titles.fit()
        self.refresh(force=True)

    def save_state(self) -> dict:
        return {"smoothing": self.smoothing.value(), "log_y": self.log_y.isChecked()}

    def restore_state(self, state: dict) -> None:
        if isinstance(state.get("smoothing"), (int, float)):
            self.smoothing.setValue(float(state["smoothing"]))
        if isinstance(state.get("log_y"), bool):
            self.log_y.setChecked(state["log_y"])
