"""Weights panel: how big a step each kind of weight matrix takes, and any matrix as a map.

One view at a time: log10 of the update-to-weight ratio per step for each kind of matrix
(see engine/weights.py), the health check Karpathy plots in "Building makemore Part 3",
or the chosen matrix itself as a heatmap (blue negative, white zero, red positive: see
matrix_map.py), updated a few times a second, so students see that "the weights" are
just these numbers moving.

The ratios are measured on the worker thread after every step (a worker step hook; a
few µs), only while the panel is on screen, and queued in a deque the GUI drains on its
timer: at thousands of steps a second a signal per step would flood the event loop.
Steps trained while the panel was hidden leave a gap in the lines.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine.weights import RatioRecorder, matrix_view

from .curve_points import finite
from .matrix_map import MatrixMap
from .panels import Panel
from .plotutil import cache_axes, theme_axes, tick_font
from .theme import px

REFRESH_MS = 250
CAPACITY = 20_000  # rows kept; beyond it every other older row is dropped
RULE_OF_THUMB = -3.0  # log10 ratio often quoted for big networks (Karpathy, makemore 3)
NAMES = {"wte": "token embedding", "wpe": "position embedding", "attn_wq": "attention query",
         "attn_wk": "attention key", "attn_wv": "attention value",
         "attn_wo": "attention output", "mlp_fc1": "MLP in (fc1)", "mlp_fc2": "MLP out (fc2)",
         "lm_head": "output head"}
# Okabe & Ito's colour-blind-safe palette ("Color Universal Design", 2008), in an order
# that keeps neighbours in the legend apart; yellow is left out (unreadable on white).
PALETTE = ("#0072B2", "#56B4E9", "#009E73", "#E69F00", "#CC79A7", "#D55E00", "#555555",
           "#000000", "#8C6D1F")
STEP_SIZES = "Step sizes of every matrix"
RATIO_TITLE, RATIO_SHORT = "log₁₀(update ÷ weight)", "log₁₀ ratio"  # the step sizes' axis


class WeightsPanel(Panel):
    panel_id = "weights"
    title = "Weights"
    area = Qt.DockWidgetArea.RightDockWidgetArea
    help_text = (
        "Step sizes: how much one training step changes each kind of weight matrix, "
        "compared with the size of its values (log10 of rms(update) ÷ rms(weights); -1 "
        "means a step moves the weights by a tenth of their size). Big networks are "
        "often trained at about -3 (the dashed line); this tiny model learns in a few "
        "hundred steps, so its steps are far bigger, and they shrink as the learning rate "
        "falls. A line far below the others is a matrix that hardly learns. "
        "Or pick a matrix under Show to see it as it is right now: blue negative, white "
        "zero, red positive."
    )

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.recorder = RatioRecorder()
        self.kinds: list[str] = []
        self.steps = np.empty(0)
        self.ratios = np.empty((0, 0))  # [rows, kinds], log10; a NaN row breaks the lines
        self._run = self._skip_run = None
        self._last_step = None
        self.curves: dict[str, pg.PlotDataItem] = {}

        # One view at a time, chosen in one box: the step sizes of every matrix, or one
        # matrix. Both need the dock's whole height (it shares a tab group at ~300 px).
        self.matrix = QComboBox()
        self.matrix.addItem(STEP_SIZES)
        self.matrix.setAccessibleName("What the weights panel shows")
        self.matrix.setToolTip("The step size of every kind of matrix, or one matrix's values")
        pick = QLabel("S&how")
        pick.setBuddy(self.matrix)
        row = QHBoxLayout()
        row.addWidget(pick)
        row.addWidget(self.matrix, 1)

        self._title_pt = None  # (font size, colour) the step sizes' axis title was set in
        self.ratio_plot = pg.PlotWidget()
        rp = self.ratio_plot.getPlotItem()
        rp.getViewBox().sigResized.connect(self._fit_title)
        rp.setLabel("bottom", "step")
        rp.showGrid(x=True, y=True, alpha=0.15)
        rp.setDownsampling(auto=True, mode="peak")
        rp.setClipToView(True)
        cache_axes(rp)
        self.guide = pg.InfiniteLine(pos=RULE_OF_THUMB, angle=0, movable=False)
        self.guide.setToolTip("1e-3: a rule of thumb for big networks")
        rp.addItem(self.guide)
        # The key is a wrapped line of coloured names under the plot: nine entries inside
        # the plot would cover the curves.
        self.key = QLabel("Train to see how big each step is (measured while this is shown).")
        self.key.setWordWrap(True)
        self.key.setTextFormat(Qt.TextFormat.RichText)

        self.matrix_map = MatrixMap(ctx.theme)  # the chosen matrix's values

        self.pages = QStackedWidget()
        page = QWidget()
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.ratio_plot, 1)
        pl.addWidget(self.key)
        self.pages.addWidget(page)
        self.pages.addWidget(self.matrix_map)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(row)
        lay.addWidget(self.pages, 1)

        self.names: list[str] = []  # the model's matrices, once read
        self.shown = None  # (step, name) of the matrix on screen
        self._pending = False
        self._wanted = ""  # "" = the step sizes, else a matrix name
        self.matrix.currentIndexChanged.connect(self._view_chosen)
        c = ctx.controller
        hooks = getattr(c.worker, "step_hooks", None)
        if hooks is not None:
            hooks.append(self.recorder)
        c.reset_done.connect(self._on_reset)
        self._timer = self.paced_timer(REFRESH_MS, self._tick)
        self.apply_theme(ctx.theme)

    # --- the ratios ---------------------------------------------------------------------
    def _on_reset(self, _info=None) -> None:
        self._skip_run = self._run if self._run is not None else self.recorder.run
        self._clear()
        self.names, self.shown = [], None

    def _clear(self) -> None:
        self.steps, self.ratios, self._last_step = np.empty(0), np.empty((0, 0)), None
        self._draw()

    def _tick(self) -> None:
        self.recorder.enabled = visible = self.on_screen()
        if self._drain():
            self._draw()
        if not visible or self._pending:
            return
        if not self.names or (self._wanted and self.shown != (self.controller.history.step,
                                                             self._wanted)):
            self._fetch()

    def _drain(self) -> bool:
        """Move the queued rows into the arrays; whether anything arrived."""
        q = self.recorder.queue
        rows, arrived = [], False
        while q:
            run, step, kinds, ratios, after_gap = q.popleft()
            if run == self._skip_run:
                continue  # measured on a model that has been replaced
            if run != self._run or kinds != self.kinds:
                rows = []  # the replaced model's: _clear() drops its lines anyway
                self._run, self.kinds = run, kinds
                self._clear()
                self._build_curves()
            if after_gap and self._last_step is not None:  # steps went by unwatched
                rows.append(((self._last_step + step) / 2, np.full(len(kinds), np.nan)))
            rows.append((step, ratios))
            self._last_step, arrived = step, True
        self._flush(rows)
        return arrived

    def _flush(self, rows) -> None:
        if not rows:
            return
        steps = np.array([s for s, _ in rows], dtype=float)
        with np.errstate(divide="ignore"):  # a matrix that did not move: -inf, not drawn
            logs = np.log10(np.array([r for _, r in rows], dtype=float))
        if self.ratios.size == 0:
            self.steps, self.ratios = steps, logs
        else:
            self.steps = np.concatenate([self.steps, steps])
            self.ratios = np.concatenate([self.ratios, logs])
        if len(self.steps) > CAPACITY:  # thin the older half, keep the gaps
            half = len(self.steps) // 2
            old = np.arange(half)
            keep = (old % 2 == 0) | np.isnan(self.ratios[:half]).all(axis=1)
            self.steps = np.concatenate([self.steps[:half][keep], self.steps[half:]])
            self.ratios = np.concatenate([self.ratios[:half][keep], self.ratios[half:]])

    def _build_curves(self) -> None:
        rp = self.ratio_plot.getPlotItem()
        for curve in self.curves.values():
            rp.removeItem(curve)
        self.curves = {}
        width = px(self.ctx.theme.line_width)
        key = []
        for i, kind in enumerate(self.kinds):
            color = PALETTE[i % len(PALETTE)]
            self.curves[kind] = rp.plot([], [], pen=pg.mkPen(color, width=width),
                                        connect="finite")
            name = NAMES.get(kind, kind).replace(" ", "&nbsp;")  # wrap between entries only
            key.append(f'<span style="color:{color}">■</span>&nbsp;{name}')
        self.key.setText(" &nbsp; ".join(key))

    @property
    def plot(self) -> pg.PlotWidget:
        """The plot on screen (File ▸ Export exports it): step sizes or the matrix."""
        return self.matrix_map.plot if self.pages.currentIndex() else self.ratio_plot

    def _draw(self) -> None:
        if not self.curves:
            return
        for i, curve in enumerate(self.curves.values()):
            if self.ratios.size == 0:
                curve.setData([], [])
                continue
            y = self.ratios[:, i]
            curve.setData(self.steps, finite(y), connect="finite")

    # --- the matrix ---------------------------------------------------------------------
    def _view_chosen(self, index: int) -> None:
        self._wanted = self.matrix.itemText(index) if index > 0 else ""
        self.pages.setCurrentIndex(1 if self._wanted else 0)
        self.shown = None
        if self._wanted and self.on_screen() and not self._pending:
            self._fetch()

    def drawn_since(self, step: int) -> bool:
        """The step sizes are drawn on every tick; a matrix once it has been read."""
        shown = self.shown
        return not self._wanted or (not self._pending and shown is not None
                                    and shown[1] == self._wanted and shown[0] >= step)

    def _fetch(self) -> None:
        self._pending = True
        self.controller.call_in_worker(lambda t, n=self._wanted or "wte": matrix_view(t, n),
                                       self._show_matrix, self._failed)

    def _failed(self, message: str) -> None:
        self._pending = False
        self.matrix_map.caption.setText(f"Could not read the weights: {message}")

    def _show_matrix(self, result) -> None:
        self._pending = False
        if result is None:
            return
        step, names, name, w, labels = result
        if names != self.names:  # a new model: its matrices in the box, after the curves
            self.names = names
            self.matrix.blockSignals(True)
            while self.matrix.count() > 1:
                self.matrix.removeItem(1)
            self.matrix.addItems(names)
            if self._wanted:
                self._wanted = self._wanted if self._wanted in names else names[0]
                self.matrix.setCurrentText(self._wanted)
            self.matrix.blockSignals(False)
        if not self._wanted:
            return  # only the names were wanted: the step sizes are on screen
        if name != self._wanted:
            self.shown = None  # the wanted one is asked for at the next tick
            return
        self.shown = (self.controller.history.step, name)
        self.matrix_map.show_matrix(step, name, w, labels)

    def _fit_title(self, *_) -> None:
        """The step sizes' axis title, short when the plot is shorter than the title is
        long: in a small window 'log₁₀(update ÷ weight)' was cut to 'log₁₀(update ÷ we'."""
        rp, size = self.ratio_plot.getPlotItem(), self.ctx.theme.plot_font_size
        need = QFontMetrics(tick_font(size)).horizontalAdvance(RATIO_TITLE)
        title = RATIO_TITLE if need <= rp.getViewBox().rect().height() else RATIO_SHORT
        color = self.ctx.theme.plot_foreground
        if (rp.getAxis("left").labelText, self._title_pt) != (title, (size, color)):
            self._title_pt = (size, color)
            rp.setLabel("left", title, color=color, **{"font-size": f"{size}pt"})

    # --- look and state -----------------------------------------------------------------
    def apply_theme(self, theme) -> None:
        self.ratio_plot.setBackground(theme.plot_background)
        theme_axes(self.ratio_plot.getPlotItem(), theme)
        self.matrix_map.apply_theme(theme)
        self._fit_title()
        self.guide.setPen(pg.mkPen(theme.clip, width=px(theme.thin_width),
                                   style=Qt.PenStyle.DashLine))
        for i, curve in enumerate(self.curves.values()):
            curve.setPen(pg.mkPen(PALETTE[i % len(PALETTE)], width=px(theme.line_width)))

    def save_state(self) -> dict:
        return {"matrix": self._wanted}

    def restore_state(self, state: dict) -> None:
        name = state.get("matrix") if isinstance(state, dict) else None
        if not isinstance(name, str):
            return
        if not name or name in self.names:
            self.matrix.setCurrentIndex(self.matrix.findText(name) if name else 0)
        else:  # checked against the model's matrices when they are read
            self._wanted, self.shown = name, None
            self.pages.setCurrentIndex(1)
