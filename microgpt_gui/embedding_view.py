"""Embedding view: the token embeddings (wte) projected to 2-D by PCA, one labelled point
per vocabulary entry, vowels coloured apart, updated live while training runs.

The projection is computed on the worker thread between steps (controller.call_in_worker)
and only the small [vocab, 2] result crosses to the GUI thread, at most a few times a
second and only while the view is on screen.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout

from engine.analysis import is_vowel, pca_2d
from engine.data import BOS_LABEL
from engine.sampling import char_name

from .label_layout import ABOVE, anchor_of, place_labels
from .panels import Panel
from .plotutil import theme_axes

REFRESH_MS = 250  # ~4 Hz: a cloud of ~30 points does not need more
# More points than this go unlabelled (hovering one names it): 150 labels already fill a
# dock, and each costs ~0.15 ms per update (300: ~45 ms, at 4 updates a second).
MAX_LABELS = 150


def point_name(label: str) -> str:
    """A point's hover text: its token, by name when it would not show (space, ...)."""
    return "· start/end token (BOS)" if label == BOS_LABEL else char_name(label)


class EmbeddingPlot(pg.PlotWidget):
    """A scatter of labelled points; reused by the time-lapse panel."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMenuEnabled(True)  # keeps pyqtgraph's right-click Export… (PNG/SVG/CSV)
        self.setAspectLocked(True)
        self.showGrid(x=True, y=True, alpha=0.15)
        self.setLabel("bottom", "PC 1")
        self.setLabel("left", "PC 2")
        # Hovering a point names its token (the only name a point has past MAX_LABELS).
        self.scatter = pg.ScatterPlotItem(size=9, pxMode=True, hoverable=True,
                                          tip=lambda x, y, data: point_name(data))
        self.addItem(self.scatter)
        # The range is set by _fit, sticky: auto-range would move it (and so re-lay every
        # label and redraw the axes) several times per update as the points drift.
        self.getViewBox().disableAutoRange()
        # A fixed width for the tick labels: with the aspect locked, a label that gets
        # wider ("0.5" -> "-0.5") narrows the view, which changes the x range, which
        # changes the labels... an endless repaint loop, seen once at ~55 frames/s.
        self.getAxis("left").setWidth(52)
        for name in ("left", "bottom"):  # plain numbers: "0.5", not "500 (x0.001)"
            self.getAxis(name).enableAutoSIPrefix(False)
        self._texts: list[pg.TextItem] = []
        self._labels: list[str] = []
        self._brushes: list = []  # each point's brush, shared per kind
        self._coords = None  # the points as last set, [n, 2]
        self._places: list[int] = []  # each label's place around its point (label_layout)
        # Labels are placed in pixels, so a new range or size needs a new layout: once,
        # after the event that caused it (a layout change sends a burst of ~20 of them).
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(self._layout_labels)
        vb = self.getViewBox()
        vb.sigRangeChanged.connect(lambda *_: self._relayout.start())
        vb.sigResized.connect(lambda *_: self._relayout.start())
        self.colors = {"vowel": "#d1495b", "consonant": "#1f5fa8", "bos": "#e09f3e",
                       "other": "#7b7b7b"}
        self.font_size = 10

    @staticmethod
    def kind(label: str) -> str:
        if label == BOS_LABEL:
            return "bos"
        if is_vowel(label):
            return "vowel"
        return "consonant" if label.isalpha() else "other"

    def set_points(self, coords: np.ndarray, labels: list[str]) -> None:
        coords = np.asarray(coords, dtype=float)
        if labels != self._labels:
            for t in self._texts:
                self.removeItem(t)
            self._texts = []
            # A text file's vocabulary can run to thousands of characters: a label each
            # took seconds to make and a second per update (the window froze at 4 Hz).
            # Past MAX_LABELS the points go unlabelled; hovering one names it.
            for label in labels if len(labels) <= MAX_LABELS else ():
                t = pg.TextItem("·" if label == BOS_LABEL else label,
                                color=self.colors[self.kind(label)], anchor=ABOVE)
                t.setToolTip(label)
                t.place = ABOVE  # its anchor as last set by _layout_labels
                self.addItem(t, ignoreBounds=True)
                self._texts.append(t)
            self._labels = list(labels)
            self._places = []
            # One brush per kind, shared: pyqtgraph renders a symbol once per distinct
            # brush, and a new brush per point re-rendered every point on every update.
            shared = {kind: pg.mkBrush(colour) for kind, colour in self.colors.items()}
            self._brushes = [shared[self.kind(lab)] for lab in labels]
            self._apply_font()
        self.scatter.setData(x=coords[:, 0], y=coords[:, 1], brush=self._brushes, pen=None,
                             data=self._labels)
        for t, (x, y) in zip(self._texts, coords if self._texts else (), strict=True):
            t.setPos(float(x), float(y))
        self._coords = coords
        self._fit(coords)
        self._layout_labels()

    @property
    def labelled(self) -> bool:
        """Whether the points carry text labels (not past MAX_LABELS)."""
        return len(self._labels) <= MAX_LABELS

    def _layout_labels(self, *_):
        """Put each label where it covers no other label or point (label_layout.py),
        from the points' current places in pixels."""
        texts, coords = self._texts, self._coords
        if not texts or coords is None or len(coords) != len(texts):
            return
        vb = self.getViewBox()
        (x0, _), (_, y1) = vb.viewRange()
        sx, sy = vb.viewPixelSize()  # data units per pixel
        if not (sx > 0 and sy > 0):
            return
        points, sizes = [], []
        margin = texts[0].textItem.document().documentMargin()  # blank edge of each box
        for t, (x, y) in zip(texts, coords, strict=True):
            if not (np.isfinite(x) and np.isfinite(y)):
                x, y = x0, y1  # not drawn anyway
            points.append(((x - x0) / sx, (y1 - y) / sy))
            r = t.textItem.boundingRect()
            sizes.append((max(r.width() - 2 * margin, 1.0), max(r.height() - 2 * margin, 1.0)))
        marker = self.scatter.opts["size"]
        places = place_labels(points, sizes, marker=marker, bounds=(vb.width(), vb.height()),
                              previous=self._places or None)
        for t, place, (w, h) in zip(texts, places, sizes, strict=True):
            anchor = anchor_of(place, w, h, marker, margin)
            if anchor != t.place:
                t.place = anchor
                t.setAnchor(anchor)
        self._places = places

    def _fit(self, coords: np.ndarray) -> None:
        """Keep every point in view; move the range only when a point leaves it or the
        cloud has shrunk to under half of it, so most updates just move points."""
        finite = coords[np.isfinite(coords).all(axis=1)]
        if not len(finite):
            return
        lo, hi = finite.min(axis=0), finite.max(axis=0)
        span = np.maximum(hi - lo, 1e-6)
        (x0, x1), (y0, y1) = self.getViewBox().targetRange()  # what _fit asked for last
        view_lo, view_hi = np.array([x0, y0]), np.array([x1, y1])
        outside = (lo < view_lo).any() or (hi > view_hi).any()
        loose = ((view_hi - view_lo) > 2.5 * span).all()
        if outside or loose:
            pad = 0.15 * span + 1e-6  # room for the labels above the points
            self.setRange(xRange=(lo[0] - pad[0], hi[0] + pad[0]),
                          yRange=(lo[1] - pad[1], hi[1] + 3 * pad[1]), padding=0)

    def point_count(self) -> int:
        return len(self.scatter.data)

    def labels(self) -> list[str]:
        return list(self._labels)

    def set_colors(self, colors: dict) -> None:
        self.colors.update(colors)
        self._labels = []  # rebuild the text items in the new colours on the next update

    def set_font_size(self, size: int) -> None:
        self.font_size = size
        self._apply_font()

    def _apply_font(self):
        for t in self._texts:
            f = t.textItem.font()
            f.setPointSize(self.font_size)
            t.setFont(f)
        self._layout_labels()  # bigger labels need more room


def project(trainer):
    """Runs on the worker thread: (step, [vocab, 2] coordinates, labels), or None."""
    if trainer is None:
        return None
    return trainer.step_num, pca_2d(trainer.params["wte"]), trainer.tokenizer.labels()


class EmbeddingPanel(Panel):
    panel_id = "embeddings"
    title = "Embeddings"
    area = Qt.DockWidgetArea.RightDockWidgetArea
    help_text = (
        "Every character's embedding vector (a row of wte) squashed to 2-D with PCA: the "
        "two directions along which the embeddings differ most. Characters the model "
        "treats alike end up close together; watch the vowels (red) drift into a group "
        "of their own as training goes on."
    )

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.plot = EmbeddingPlot()
        self.caption = QLabel("No model yet")
        self.caption.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.caption)
        self.shown_step = -1
        self._pending = False
        self._dirty = True
        self._timer = self.paced_timer(REFRESH_MS, self._maybe_refresh)
        c = ctx.controller
        c.reset_done.connect(self._on_reset)
        c.stats_batch.connect(self._invalidate)
        self.apply_theme(ctx.theme)

    def _invalidate(self, *_):
        self._dirty = True

    def _on_reset(self, *_):
        self._dirty = True
        self.shown_step = -1  # the old model's picture is of no step of this one

    def drawn_since(self, step: int) -> bool:
        return not self._pending and self.shown_step >= step

    def _maybe_refresh(self):
        if self._dirty and not self._pending and self.on_screen():
            self.refresh()

    def refresh(self):
        """Ask the worker for the current projection (answered between steps)."""
        self._dirty = False
        self._pending = True
        self.controller.call_in_worker(project, self._show, self._failed)

    def _failed(self, message: str):
        self._pending = False
        self.caption.setText(f"Could not project the embeddings: {message}")

    def _show(self, result):
        self._pending = False
        if result is None:
            return
        step, coords, labels = result
        self.show_projection(step, coords, labels)

    def show_projection(self, step: int, coords, labels: list[str]) -> None:
        self.plot.set_points(coords, labels)
        self.shown_step = step
        other = [lab if lab.strip() else "␣" for lab in labels
                 if self.plot.kind(lab) == "other"]
        grey = f", grey: other characters ({' '.join(other[:6])}{' …' * (len(other) > 6)})"
        self.caption.setText(f"Step {step}: {len(labels)} tokens. Red: vowels, blue: "
                             "consonants, orange: · = start/end token (BOS)"
                             f"{grey if other else ''}."
                             + ("" if self.plot.labelled else
                                f" Too many to label ({len(labels):,}): hover a point to "
                                "see its character."))

    def apply_theme(self, theme) -> None:
        self.plot.set_colors({"vowel": theme.val, "consonant": theme.loss_smooth,
                              "bos": theme.event, "other": theme.clip})
        self.plot.setBackground(theme.plot_background)
        theme_axes(self.plot.getPlotItem(), theme)
        self.plot.set_font_size(theme.plot_font_size + 1)
        self._dirty = True
