"""Two reference lines on the loss plot: blind guessing, and a table of letter pairs.

They give the loss a scale (engine/baselines.py): the loss starts at "guessing" (every
letter equally likely), and a GPT that has learned more than "which letter tends to
follow which" ends up below "letter pairs" (a bigram model: makemore's first model,
scored on the same validation names at the same positions as the red dots). With the
default 500 steps the GPT gets close to it; a longer run or a bigger batch gets below.

Computed once per model on the worker thread (a few ms for the bundled names, well
under a second for millions of lines), when the model is made or opened.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer

from engine.baselines import baselines

from .plotutil import tick_font
from .theme import px

LABEL_AT = 0.98  # where along the line (0 = left end, 1 = right end) the label ends


class LevelLine(pg.InfiniteLine):
    """A labelled horizontal line at a loss value; it stays at that value when the plot's
    y axis is logarithmic (PlotItem calls setLogMode on the items that have it)."""

    def __init__(self, name: str, below: bool):
        # The label sits at the line's right end, the part of the plot a running curve
        # reaches last: "guessing" below its line (the legend is above it), "letter
        # pairs" above its line (the red dots of a long run end below it).
        anchor = (1, 0) if below else (1, 1)
        super().__init__(angle=0, movable=False, label=name,
                         labelOpts={"position": LABEL_AT, "anchors": [anchor, anchor],
                                    "movable": False})
        self.name = name
        self.keeps_in_view = True  # the Curves' y range holds it (curves._follow_y)
        self.below = below  # the label's designed side
        self.loss = math.nan  # (not .value: InfiniteLine.value() is its position)
        self._log = False
        self.hide()

    def set_value(self, value: float, tip: str = "") -> None:
        self.loss = value
        self.setToolTip(tip)
        self._place()  # first: a hidden label ignores new text
        self.label.setFormat(f"{self.name} {value:.2f}" if math.isfinite(value) else self.name)

    def put_label(self, below: bool, offset: float = 0.0, position: float = LABEL_AT) -> None:
        """The label's right end `position` along the line; its top `offset` pixels under
        the line (below), or its bottom `offset` pixels over it."""
        h = max(self.label.boundingRect().height(), 1.0)
        anchor = (1, -offset / h) if below else (1, 1 + offset / h)
        if [anchor, anchor] != self.label.anchors:
            self.label.anchors = [anchor, anchor]
            self.label.updatePosition()
        if position != self.label.orthoPos:
            self.label.setPosition(position)

    def setLogMode(self, x: bool, y: bool) -> None:  # noqa: N802 (pyqtgraph's name)
        self._log = y
        self._place()

    def _place(self) -> None:
        ok = math.isfinite(self.loss) and self.loss > 0
        if ok:
            self.setPos(math.log10(self.loss) if self._log else self.loss)
        self.setVisible(ok)


class BaselineLines(QObject):
    """Keeps the two lines of `plot` (the Curves panel's loss plot) up to date."""

    def __init__(self, ctx, plot, on_change=None, avoid=()):
        """on_change(): called when the lines have moved, appeared or gone (the Curves
        fit their range to them: an empty plot shows where the loss starts and what to
        beat, and a run whose loss is still above the letter pairs shows that line).
        avoid: the curves the labels keep clear of where they can (the smoothed loss
        and the validation dots: at the end of a run they reach the lines' right end)."""
        super().__init__(plot)
        self.on_change = on_change
        self.avoid = tuple(avoid)
        # New data moves the curves under the labels: arranged again, a few times a
        # second at most (not at every frame).
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(300)
        self._later.timeout.connect(self._arrange)
        for item in self.avoid:
            item.sigPlotChanged.connect(lambda *_: self._later.isActive() or self._later.start())
        self.ctx = ctx
        self.guessing = LevelLine("guessing", below=True)
        self.bigram = LevelLine("letter pairs", below=False)
        for line in (self.guessing, self.bigram):
            # A scale, not data: pyqtgraph's auto-range ignores it; the Curves' own fitting
            # keeps it in view (keeps_in_view).
            plot.addItem(line, ignoreBounds=True)
            line.sigPositionChanged.connect(self._arrange)
        self.plot = plot
        vb = plot.getViewBox()
        vb.sigYRangeChanged.connect(self._arrange)
        vb.sigResized.connect(self._arrange)
        legend = getattr(plot, "legend", None)
        if legend is not None:  # it moves to its corner after the plot has been resized
            legend.geometryChanged.connect(self._arrange)
        self.result = None
        ctx.controller.reset_done.connect(self._on_reset)
        ctx.themes.changed.connect(self.apply_theme)
        self.apply_theme(ctx.theme)

    def _on_reset(self, _info=None) -> None:
        for line in (self.guessing, self.bigram):
            line.set_value(math.nan)  # the old model's: gone until the new ones arrive
        self._changed()
        self.ctx.controller.call_in_worker(
            lambda t: baselines(t) if t is not None else None, self.show, lambda _m: None)

    def show(self, result) -> None:
        self.result = result
        if result is None:
            return
        self.guessing.set_value(
            result.guessing, "Every letter equally likely: the loss of a model that has "
            "learned nothing (ln of the number of tokens). Training starts here.")
        self.bigram.set_value(
            result.bigram, "A table of how often each letter follows each other one, "
            f"counted in {result.counted_docs:,} training documents (a bigram model, the "
            "first model of Karpathy's makemore), scored on the same validation names as "
            "the red dots. Below it, the GPT uses more than the previous letter.")
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def _arrange(self, *_) -> None:
        """Each label on its designed side of its line, at the line's right end, unless
        - the lines are too close on screen for both labels between them (a loss that blew
          up stretches the axis to 30 or more: 3.30 and 2.45 end up a few pixels apart,
          and the labels covered each other, each crossed by the other line): then they go
          over the upper line and under the lower one, or side by side (letter pairs left
          of guessing) over the upper line or under the lower one;
        - a label would be under the legend (top right; a short plot) or out of the plot:
          then it moves left of the legend, or to the next place on that list;
        - a label would cover the smoothed loss or the validation dots (the end of a run
          reaches the right end of the lines): then it goes to the other side of its line,
          or left of the legend, if that is clear."""
        vb = self.plot.getViewBox()
        view = vb.sceneBoundingRect()
        shown = [line for line in (self.guessing, self.bigram) if line.isVisible()]
        if view.width() <= 0 or not shown:
            return
        y = {line: vb.mapViewToScene(QPointF(0, line.value())).y() for line in shown}
        size = {line: line.label.boundingRect() for line in shown}
        legend = getattr(self.plot, "legend", None)
        legend = legend.sceneBoundingRect() if legend is not None and legend.isVisible() \
            else QRectF()
        end = view.left() + LABEL_AT * view.width()

        def rect(line, below, offset, right) -> QRectF:
            """Where the label is drawn, `offset` pixels past its line, ending at `right`."""
            w, h = size[line].width(), size[line].height()
            return QRectF(right - w, y[line] + offset if below else y[line] - offset - h, w, h)

        curves = [(x, y) for x, y in (item.getData() for item in self.avoid)
                  if x is not None and len(x)]

        def covers(a: QRectF) -> bool:
            """Whether a curve runs through the scene rectangle a: its highest and lowest
            point over a's steps (the points in it and where it enters and leaves)."""
            box = vb.mapSceneToView(a).boundingRect()
            for x, y in curves:
                lo, hi = max(box.left(), x[0]), min(box.right(), x[-1])
                if lo > hi:
                    continue
                ys = np.concatenate([y[(x >= lo) & (x <= hi)], np.interp([lo, hi], x, y)])
                ys = ys[np.isfinite(ys)]
                if len(ys) and ys.min() <= box.bottom() and ys.max() >= box.top():
                    return True
            return False

        def best(options):
            """The first option (a {line: (below, offset, right)}) whose labels are in
            the plot and clear of the legend and the curves; else of the legend; else
            the first in the plot; else the first."""
            def area(option):
                out = QRectF()
                for line, spot in option.items():
                    out = out.united(rect(line, *spot))
                return out

            def clear(a):
                return view.contains(a) and not a.intersects(legend)

            for ok in (lambda a: clear(a) and not covers(a), clear, view.contains,
                       lambda a: True):
                for option in options:
                    if ok(area(option)):
                        return option

        def and_left_of_legend(options):
            """Each option, and after it the same moved left of the legend (a label
            beside its own line comes first, even if not at the line's end)."""
            out = []
            for option in options:
                shift = max(spot[2] for spot in option.values()) - (legend.left() - 8)
                out += [option, {line: (below, offset, r - shift)
                                 for line, (below, offset, r) in option.items()}]
            return out

        g, b = self.guessing, self.bigram
        chosen = {}
        if len(shown) == 2:
            top, bottom = sorted(shown, key=y.get)  # on screen
            gap = y[bottom] - y[top]
            between = ((size[top].height() if top.below else 0)
                       + (0 if bottom.below else size[bottom].height()))
            if gap < between:
                beside = end - size[g].width() - 8  # where the letter-pair label ends
                chosen = best(and_left_of_legend([
                    {top: (False, 0.0, end), bottom: (True, 0.0, end)},  # apart
                    *({g: (below, gap if g is far else 0.0, end),  # side by side
                       b: (below, gap if b is far else 0.0, beside)}
                      for below, far in ((False, bottom), (True, top)))]))  # over, under
        for line in shown:  # (as designed, else on the other side of its line)
            if line not in chosen:
                chosen.update(best(and_left_of_legend([{line: (line.below, 0.0, end)},
                                                       {line: (not line.below, 0.0, end)}])))
        for line, (below, offset, right) in chosen.items():
            line.put_label(below, offset, (right - view.left()) / view.width())

    def apply_theme(self, theme) -> None:
        font = tick_font(theme.plot_font_size)
        for line, color in ((self.guessing, theme.clip), (self.bigram, theme.warning)):
            line.setPen(pg.mkPen(color, width=px(theme.thin_width), style=Qt.PenStyle.DashLine))
            line.label.setColor(color)
            line.label.setFont(font)
            # Once the run has filled the plot the label sits on the raw loss curve: a
            # backing of the plot's own colour keeps it readable.
            backing = pg.mkColor(theme.plot_background)
            backing.setAlpha(220)
            line.label.fill = pg.mkBrush(backing)
            line.label.update()
        self._arrange()  # the labels' sizes changed
