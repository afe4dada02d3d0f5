"""Attention panel: one heatmap per (layer, head) for a word, on a fixed 0-1 colour scale.

Row = the query position (the letter doing the looking), column = the key position (the
letter looked at); each row sums to 1. Maps are captured by the worker only while this
panel is visible, at most CAPTURE_HZ times a second, so hidden panels cost nothing.

The heatmap grid itself (building, sizing, letters, hover readout, theme) is
attention_grid.py; this module asks for the maps and shows each answer.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QVBoxLayout

from .attention_grid import HeatmapGrid, axis_labels
from .panels import ElidedLabel, Panel

CAPTURE_HZ = 5


class AttentionPanel(HeatmapGrid, Panel):
    panel_id = "attention"
    title = "Attention"
    help_text = ("Each square is one attention head. Row = the letter doing the looking, "
                 "column = the letter it looks at; bright = much attention. Each row adds "
                 "up to 1. '·' is the start/end token.")
    # The grid's minimum height changed (another model's rows, head-role labels added):
    # projector mode shares out the side column again (wanted_height()).
    grid_height_changed = Signal()

    def __init__(self, ctx):
        super().__init__(ctx)
        self.images: list[pg.ImageItem] = []
        self.cells: list[pg.PlotItem] = []
        self.layer_labels: list = []
        self.current = None  # last capture dict shown
        self._shape = None
        self._labels: list[str] = []
        root = QVBoxLayout(self)
        root.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.follow = QCheckBox("Follow training doc")
        self.follow.setChecked(True)
        self.follow.toggled.connect(self._word_changed)
        bar.addWidget(self.follow)
        self.word = QLineEdit()
        self.word.setPlaceholderText("or type a word")
        self.word.setClearButtonEnabled(True)
        self.word.setAccessibleName("Word for the attention maps")
        self.word.textChanged.connect(self._word_changed)
        bar.addWidget(self.word, 1)
        root.addLayout(bar)
        self.caption = ElidedLabel()  # a long training doc is shortened, never widens
        root.addWidget(self.caption)
        self._setup_grid(root)

        c = ctx.controller
        c.reset_done.connect(self._on_reset)
        c.capture_ready.connect(self._on_capture)
        c.stats_batch.connect(self._after_steps)
        c.stopped.connect(self._after_steps)  # the maps of the model it stopped with
        ctx.themes.changed.connect(self.apply_theme)
        self.timer = self.paced_timer(1000 // CAPTURE_HZ, self._tick)

    # --- asking for maps ---------------------------------------------------------------
    def wanted_word(self) -> str | None:
        """'' = follow the training doc, a word, or None (nothing valid to show)."""
        if self.follow.isChecked():
            return ""
        word = self.word.text().strip()
        return word or None

    def request(self) -> None:
        word = self.wanted_word()
        if word is None or self.controller.info is None:
            return
        self.controller.request_capture(word, attention=True)

    def _tick(self) -> None:
        if self.controller.state == "running" and self.on_screen():
            self.request()

    def _after_steps(self, _batch=None) -> None:
        if self.controller.state != "running" and self.on_screen():
            self.request()  # a single Step while paused: show its effect at once

    def view_changed(self, visible: bool) -> None:
        if visible:  # out of sight it skipped the maps of the last steps: ask now
            QTimer.singleShot(0, self, self._after_steps)

    def drawn_since(self, step: int) -> bool:
        if self.wanted_word() is None or self._word_problem():
            return True  # nothing to draw
        return self.current is not None and self.current.get("step", 0) >= step

    def _word_changed(self, *_):
        if self.word.text().strip() and self.sender() is self.word:
            self.follow.setChecked(False)
        problem = self._word_problem()
        self.caption.setText(problem or " ")
        if not problem:
            self.request()

    def _word_problem(self) -> str:
        info, word = self.controller.info, self.wanted_word()
        if info is None or not word:
            return ""
        missing = sorted(set(word) - set(info.vocab))
        if missing:
            return f"Not in this dataset's characters: {' '.join(missing)}"
        return ""

    # --- showing maps ----------------------------------------------------------------
    def _on_reset(self, info) -> None:
        self._build_grid(info.n_layer, info.n_head)
        self.current = None
        self.request()

    def _on_capture(self, cap: dict) -> None:
        wanted = self.wanted_word()
        if wanted is None or (wanted == "") != bool(cap.get("follow")):
            return  # an answer to an older request
        if wanted and cap.get("word") != wanted:
            return
        if "error" in cap:
            self.caption.setText(cap["error"])
            return
        att = cap.get("attention")
        if att is None:
            return
        att = np.asarray(att, dtype=float)
        self._build_grid(att.shape[0], att.shape[1])
        self.current = cap
        labels = axis_labels(cap["labels"])
        relabel = labels != self._labels  # axes are costly to redraw: only when needed
        self._labels = labels
        for k, (img, cell) in enumerate(zip(self.images, self.cells)):
            layer, head = divmod(k, att.shape[1])
            img.setImage(att[layer, head], autoLevels=False, levels=(0.0, 1.0))
            if relabel:
                cell.setRange(xRange=(0, len(labels)), yRange=(0, len(labels)), padding=0)
        if relabel:
            self._fit_ticks()
            self.fit_grid()  # the letters' axis may have changed width
        src = "training doc" if cap.get("follow") else "word"
        self.caption.set_parts(f"{src} “", cap["word"], f"” at step {cap.get('step', 0)}")

    # --- state -------------------------------------------------------------------------
    def save_state(self) -> dict:
        return {"follow": self.follow.isChecked(), "word": self.word.text()}

    def restore_state(self, state: dict) -> None:
        if isinstance(state.get("word"), str):
            self.word.setText(state["word"])
        if isinstance(state.get("follow"), bool):
            self.follow.setChecked(state["follow"])
