"""The next-token bar chart: how likely each character is after a prefix, with the top-k
cut visible (coloured bars = what sampling draws from, summing to 1; grey bars = what
the cut removed, at their uncut probability).

One forward pass per update. With a fast backend it runs right here on the GUI thread,
so the bars follow a slider drag; if a pass is slow (the reference backend) updates move
to a TaskThread and only the latest request is computed.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontMetrics

from .attention_grid import axis_labels
from .plotutil import cache_axes, label_spacing, room_for_descenders, theme_axes, thinned_ticks

SLOW_S = 0.03  # slower than this: compute off the GUI thread
TITLE = "next letter after the prefix"
MIN_HEIGHT = 120  # px on the desktop
# Projector mode: the title, the letters and this many text lines of bars at least.
# Shorter than the desktop's at slide-sized fonts, so that a deeper model's heatmaps
# get the height (projector.py gives the heatmaps what they want first).
MIN_BAR_LINES = 2
Y_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0)  # probability tick steps


def y_ticks(top: float, pixels: float, line: float) -> list[tuple[float, str]]:
    """Probability ticks from 0 to `top` at least 1.2 text lines apart on a `pixels`
    tall axis (a short plot at slide-sized text got four labels on top of each other)."""
    if top <= 0 or pixels <= 0:
        return [(0.0, "0")]
    step = next((s for s in Y_STEPS if s * pixels / top >= 1.2 * line), None)
    if step is None:
        return [(0.0, "0")]
    count = int(top / step + 1e-9)
    return [(round(i * step, 4), f"{i * step:g}") for i in range(count + 1)]


def bar_heights(inference, prefix: str, temperature: float, top_k):
    """(sampling probabilities, probabilities without the top-k cut) for the next token."""
    from engine.sampling import next_token_probs

    tokens = inference.prefix_tokens(prefix)[: inference.cfg.model.block_size]
    logits = inference.next_logits(tokens)
    return (next_token_probs(logits, temperature, top_k),
            next_token_probs(logits, temperature, None))


class NextTokenBars(pg.PlotWidget):
    failed = Signal(str)

    def __init__(self, tasks, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.probs = np.zeros(0)  # the coloured bars (sums to 1)
        self.vocab: tuple[str, ...] = ()
        self.slow = False
        self._busy = False
        self._wanted = None
        self._epoch = 0  # clear_bars() counts up: results computed before it are dropped
        self.setMinimumHeight(MIN_HEIGHT)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.setMenuEnabled(False)
        self.setYRange(0, 1, padding=0)
        self.setTitle(TITLE)
        cache_axes(self.getPlotItem())
        self.muted_bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.addItem(self.muted_bars)
        self.addItem(self.bars)
        self._labels: list[str] = []
        self._line = 0  # projector mode: the left axis' text line (y ticks by hand); else 0
        self._top = 1.0
        self.getViewBox().sigResized.connect(self._fit_ticks)

    def new_model(self, vocab) -> None:
        self.vocab = tuple(vocab)
        self.slow = False  # maybe another backend now: measure again

    def update_bars(self, inference, prefix: str, temperature: float, top_k) -> None:
        args = (inference, prefix, temperature, top_k)
        if self.slow:
            self._wanted = args
            if not self._busy:
                self._start_job()
            return
        t0 = time.perf_counter()
        try:
            result = bar_heights(*args)
        except Exception as e:  # a bad prefix must not take the panel down
            self.failed.emit(str(e))
            return
        self.slow = time.perf_counter() - t0 > SLOW_S
        self.draw(*result)

    def clear_bars(self) -> None:
        """No bars (e.g. a prefix with no next letter); a pending result is dropped."""
        self._epoch += 1
        self._wanted = None
        self.probs = np.zeros(0)
        self.bars.setOpts(x=[], height=[], width=0.8)
        self.muted_bars.setOpts(x=[], height=[], width=0.8)

    def _start_job(self) -> None:
        args, self._wanted = self._wanted, None
        self._busy = True
        epoch = self._epoch
        self.tasks.run(lambda _p: bar_heights(*args), lambda r: self._done(r, epoch),
                       self._failed)

    def _done(self, result, epoch=None) -> None:
        self._busy = False
        if epoch is None or epoch == self._epoch:
            self.draw(*result)
        if self._wanted is not None:  # the sliders moved meanwhile
            self._start_job()

    def _failed(self, message: str) -> None:
        self._busy = False
        self.failed.emit(message)

    def draw(self, probs, full) -> None:
        self.probs = probs
        x = np.arange(len(probs))
        cut = probs == 0
        self.bars.setOpts(x=x, height=probs, width=0.8)
        self.muted_bars.setOpts(x=x[cut], height=full[cut], width=0.8)
        labels = axis_labels(self.vocab)
        self.setXRange(-0.6, len(labels) - 0.4, padding=0)
        if labels != self._labels:
            self._labels = labels
            self._fit_ticks()
        top = max(0.05, float(max(probs.max(), full.max())))
        self._top = top * 1.05
        self.setYRange(0, self._top, padding=0)
        self._fit_y_ticks()

    def _fit_ticks(self, *_) -> None:
        """One letter under each bar, or every k-th when a big vocabulary (any text
        file: capitals, digits, punctuation) packs them closer than two letters' width."""
        axis = self.getAxis("bottom")
        pitch = self.getViewBox().rect().width() / max(len(self._labels), 1)
        font = axis.style.get("tickFont") or QFont()
        ticks = thinned_ticks(self._labels, pitch, label_spacing(font, self._labels), 0.0)
        if ticks != getattr(self, "_ticks", None):  # a redraw of the axis costs
            self._ticks = ticks
            axis.setTicks([ticks])
        self._fit_y_ticks()

    def _fit_y_ticks(self) -> None:
        """Projector mode: probability ticks a line and a bit apart (pyqtgraph's own
        crowd a short plot); on the desktop pyqtgraph's."""
        if not self._line:
            return
        ticks = y_ticks(self._top, self.getViewBox().rect().height(), self._line)
        if ticks != getattr(self, "_y_ticks", None):
            self._y_ticks = ticks
            self.getAxis("left").setTicks([ticks])

    def apply_theme(self, theme) -> None:
        self.setBackground(theme.plot_background)
        self.bars.setOpts(brush=pg.mkBrush(theme.bar), pen=pg.mkPen(None))
        self.muted_bars.setOpts(brush=pg.mkBrush(theme.bar_muted), pen=pg.mkPen(None))
        font = QFont()
        font.setPointSize(theme.bar_font_size)
        theme_axes(self, theme, size=theme.bar_font_size)
        room_for_descenders(self.getAxis("bottom"), font)
        projector = theme.name == "projector"
        self._line = QFontMetrics(font).height() if projector else 0
        self._y_ticks = None
        if not projector:
            self.getAxis("left").setTicks(None)  # pyqtgraph's own again
        self._ticks = None
        self._fit_ticks()  # the letters' widths changed with the font
        self.setTitle(TITLE, color=theme.plot_foreground, size=f"{theme.plot_font_size}pt")
        if projector:
            title = self.getPlotItem().titleLabel.boundingRect().height()
            bottom = self.getAxis("bottom")
            letters = bottom.style["tickTextHeight"] + bottom.style["tickTextOffset"][1]
            self.setMinimumHeight(int(title + letters + MIN_BAR_LINES * self._line + 8))
        else:
            self.setMinimumHeight(MIN_HEIGHT)
