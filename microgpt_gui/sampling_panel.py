"""Sampling panel: generate names from a snapshot of the weights, and show the next-token
distribution for the prefix with the top-k cut visible.

Sampling uses controller snapshots (frozen weight copies) and its own random.Random, so
it works while training runs and never advances the training RNG. Generation runs on a
TaskThread; the bar chart is one forward pass, cheap enough for the GUI thread.
"""

from __future__ import annotations

import random
from html import escape

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QSpinBox,
    QVBoxLayout,
)

from engine.sampling import prefix_note, prefix_problem

from .actions import ActionButton
from .head_roles_view import numpy_view
from .name_list import NameList, summary
from .next_token_bars import NextTokenBars
from .panels import Panel, WrappedLabel
from .scroll_body import ScrollBody
from .slider_row import SliderRow

T_STEP = 0.05  # temperature slider resolution
REFRESH_S = 1.0  # while training, refresh the bars from a new snapshot this often
GENERATING = "generating…"


class SamplingPanel(Panel):
    panel_id = "sampling"
    title = "Sampling"
    help_text = ("Generate names from the model as it is right now. Temperature: low = safe, "
                 "repetitive; high = adventurous. Top-k: only the k likeliest letters may be "
                 "drawn. The bars show how likely each next letter is after the prefix; grey "
                 "bars are cut off by top-k.")
    samples_ready = Signal(list)  # list[(name, is_new)]

    def __init__(self, ctx, actions: dict):
        super().__init__(ctx)
        self.inference = None  # latest snapshot (engine Inference)
        self._pending_generate = False
        self._latest_job = 0  # the number of the latest sampling job started
        self._vocab: tuple[str, ...] = ()
        self._chars: tuple[str, ...] = ()  # the dataset's characters (no start token)
        self._block = 0  # the model's context: block_size tokens
        self._prefix_text = ""  # the prefix problem or note the message shows, if any
        self._initialised = False
        self._restored: dict = {}  # saved sampling settings, applied at the first reset
        self._recipe = None  # (temperature, top_k) of the run the sliders were set for
        # A short screen: the contents scroll rather than hold the window too tall.
        self.scroll = ScrollBody(self)
        root = QVBoxLayout(self.scroll.body)
        root.setContentsMargins(4, 4, 4, 4)
        form = self._form = QFormLayout()
        self.top_k = QSlider(Qt.Orientation.Horizontal)
        self.top_k.setRange(1, 2)
        self.top_k_label = QLabel()
        self.top_k.valueChanged.connect(self._settings_changed)
        # Names for screen readers: the labels beside the sliders change with their value.
        self.top_k.setAccessibleName("Top-k")
        # The top-k row; projector mode puts the temperature slider in it too (one line
        # less, for the heatmaps: set_projector).
        self._sliders = QHBoxLayout()
        self._sliders.setContentsMargins(0, 0, 0, 0)
        self._sliders.addWidget(self.top_k, 1)
        form.addRow(self.top_k_label, self._sliders)
        self.temperature = QSlider(Qt.Orientation.Horizontal)
        self.temperature.setRange(1, 40)
        self.temperature.setValue(12)
        self.temperature_label = QLabel()
        self.temperature.valueChanged.connect(self._settings_changed)
        self.temperature.setAccessibleName("Temperature")
        form.addRow(self.temperature_label, self.temperature)
        self.slider_row = SliderRow(form, self._sliders, self.top_k, self.top_k_label,
                                    self.temperature, self.temperature_label)
        self.prefix = QLineEdit()
        self.prefix.setPlaceholderText("optional start, e.g. “ma”")
        self.prefix.textChanged.connect(self._settings_changed)
        form.addRow("Prefix", self.prefix)
        row = QHBoxLayout()
        self.count = QSpinBox()
        self.count.setRange(1, 200)
        self.count.setValue(20)
        self.count.setAccessibleName("How many names")
        row.addWidget(self.count)
        self.generate_button = ActionButton(actions["generate"])
        row.addWidget(self.generate_button, 1)
        form.addRow("How many", row)
        root.addLayout(form)
        # Claims the lines it needs: a 3-line prefix problem in a plain wrapped QLabel
        # pushed the bars down over the name-quality line below them.
        self.message = WrappedLabel(" ")
        root.addWidget(self.message)

        self.bars_plot = NextTokenBars(ctx.tasks)
        self.bars_plot.failed.connect(self.message.setText)
        # The bar items, reachable from the panel (tests, exports).
        self.bars, self.muted_bars = self.bars_plot.bars, self.bars_plot.muted_bars
        root.addWidget(self.bars_plot, 2)
        # Projector mode hides the prefix field and the message: a prefix the model cannot
        # use (e.g. too long for a lesson's shorter context) is explained here instead, in
        # the place of the bars it leaves empty.
        self.bars_note = WrappedLabel()
        self.bars_note.setObjectName("bars_note")
        self.bars_note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.bars_note.hide()
        root.addWidget(self.bars_note, 2)
        self._projector = False
        self._problem = ""  # the prefix's problem the bars were last refreshed with
        self.results = NameList()
        self.results.setMinimumHeight(80)
        self.results.setAccessibleName("Generated names")
        root.addWidget(self.results, 3)

        c = ctx.controller
        c.reset_done.connect(self._on_reset)
        c.snapshot_ready.connect(self._on_snapshot)
        c.stats_batch.connect(self._after_steps)
        c.stopped.connect(self._after_steps)  # the bars of the model it stopped with
        ctx.themes.changed.connect(self.apply_theme)
        self.timer = self.paced_timer(int(REFRESH_S * 1000), self._tick)
        self._settings_changed()
        self.apply_theme(ctx.theme)

    # --- settings -------------------------------------------------------------------------
    def top_k_value(self) -> int | None:
        """None = off (the whole vocabulary)."""
        v = self.top_k.value()
        return None if v > len(self._vocab) else v

    def temperature_value(self) -> float:
        return round(self.temperature.value() * T_STEP, 4)

    def set_top_k(self, k: int | None) -> None:
        self.top_k.setValue(self.top_k.maximum() if k is None else k)

    def set_temperature(self, t: float) -> None:
        self.temperature.setValue(max(1, min(40, round(t / T_STEP))))

    def _settings_changed(self, *_):
        k = self.top_k_value()
        self.top_k_label.setText("Top-k: off" if k is None else f"Top-k: {k}")
        self.temperature_label.setText(f"Temperature: {self.temperature_value():.2f}")
        self.refresh_bars()

    def prefix_problem(self) -> str:
        """Why no names can be generated after the prefix ('' if they can): characters
        the dataset lacks (shown visibly), a prefix that fills the model's context."""
        if not self._vocab:
            return ""
        return prefix_problem(self.prefix.text(), self._chars, self._block)

    def _show_prefix_text(self, text: str, again: bool = False) -> None:
        """Show a new problem or note of the prefix (again: even if shown before), or take
        back the one shown; other messages (the last generation's summary, an error)
        are left alone, also by the bars' refreshes while training runs."""
        if text and (again or text != self._prefix_text):
            self.message.setText(text)
        elif self._prefix_text and self.message.text() == self._prefix_text:
            self.message.setText(" ")
        self._prefix_text = text

    # --- snapshots ------------------------------------------------------------------------
    def _on_reset(self, info) -> None:
        self._vocab = tuple(info.vocab)
        self._chars = tuple(v for i, v in enumerate(self._vocab) if i != info.bos_id)
        self._block = info.config.model.block_size
        old_k = self.top_k_value()
        self.top_k.blockSignals(True)
        self.top_k.setRange(1, len(self._vocab) + 1)  # the last notch is "off"
        self.top_k.blockSignals(False)
        train = info.config.train
        recipe, last = (train.temperature, train.top_k), self._recipe
        self._recipe = recipe
        if not self._initialised:  # last session's choice, else the run's own recipe
            self._initialised = True
            saved = self._restored
            self.set_top_k(saved["top_k"] if "top_k" in saved else train.top_k)
            if "temperature" not in saved:
                self.set_temperature(train.temperature)
        elif recipe != last:  # another preset (a lesson, the Optimizations tab): its way
            self.set_top_k(train.top_k)  # of sampling, as "Press Reset to apply" said
            self.set_temperature(train.temperature)
        else:  # the same recipe: the sliders keep the user's choice
            self.set_top_k(old_k if old_k is None else min(old_k, len(self._vocab)))
        self.inference = None
        self.bars_plot.new_model(self._vocab)
        self.results.clear()
        self.controller.request_snapshot()

    def _tick(self) -> None:
        if self.controller.state == "running" and self.on_screen():
            self.controller.request_snapshot()

    def _after_steps(self, _batch=None) -> None:
        if self.controller.state != "running":
            self.controller.request_snapshot()

    def _on_snapshot(self, inference) -> None:
        # Names and bars from the numpy backend, the same numbers as the surprise view
        # uses: a reference model's scalar graph took 2.5 s for 20 names at the default
        # size while training ran (16 s at 2 layers of width 32), the bars ~0.4 s a move.
        inference = numpy_view(inference)
        self.inference = inference
        self.refresh_bars()
        if self._pending_generate:
            self._pending_generate = False
            self._start_generation(inference)

    # --- generating --------------------------------------------------------------------
    def generate(self) -> None:
        """Ask for a fresh snapshot; names are drawn from it when it arrives."""
        if self.controller.info is None:
            return
        problem = self.prefix_problem()
        if problem:
            self._show_prefix_text(problem, again=True)
            return
        self._pending_generate = True
        self.message.setText(GENERATING)
        self.controller.request_snapshot()

    def _start_generation(self, inference) -> None:
        problem = self.prefix_problem()  # the prefix may have changed since Generate
        if problem:
            self._show_prefix_text(problem, again=True)
            return
        n, t, k, prefix = (self.count.value(), self.temperature_value(), self.top_k_value(),
                           self.prefix.text())
        rng = random.Random()  # our own: the training RNG is never touched
        info = self.controller.info
        self._latest_job += 1
        number = self._latest_job

        def job(_progress):
            return inference.sample(n, temperature=t, top_k=k, prefix=prefix, rng=rng)

        def done(names):
            if self._current(number, prefix, info):
                self._show_samples(names, prefix)

        def failed(message):
            if self._current(number, prefix, info):
                self.message.setText(message)

        self.ctx.tasks.run(job, done, failed)

    def _current(self, number: int, prefix: str, info) -> bool:
        """Whether the answer of sampling job `number` (names after `prefix` from the model
        of `info`) still fits the panel. The newer state wins: a prefix typed or a model
        built while the job ran (its problem or note already shown, the old names cleared)
        is not overwritten by names of the old one; only this Generate's "generating…",
        if nothing newer replaced it, says why no names came."""
        if self.controller.info is info and self.prefix.text() == prefix:
            return True
        if number == self._latest_job and self.message.text() == GENERATING:
            why = ("A new model was built" if self.controller.info is not info
                   else "The prefix changed")
            self.message.setText(f"{why} while the names were drawn: press Generate again.")
        return False

    def _show_samples(self, names: list[str], prefix: str = "") -> None:
        info = self.controller.info
        seen = info.train_docs if info is not None else frozenset()
        marked = self.results.show_names(names, seen, self.ctx.theme)
        self.message.setText(summary(marked, prefix))
        self.samples_ready.emit(marked)

    def names(self) -> list[str]:
        return self.results.names()

    # --- the bar chart -------------------------------------------------------------------
    def refresh_bars(self) -> None:
        problem = self.prefix_problem()
        if problem != self._problem:
            self._problem = problem
            self._show_bars_note()
        if problem:  # no next letter to show: bars of an older prefix would mislead
            self._show_prefix_text(problem)
            self.bars_plot.clear_bars()
            return
        self._show_prefix_text(prefix_note(self.prefix.text(), self._block)
                               if self._vocab else "")
        if self.inference is None or not self._vocab:
            return
        self.bars_plot.update_bars(self.inference, self.prefix.text(),
                                   self.temperature_value(), self.top_k_value())

    def set_projector(self, on: bool) -> None:
        """Projector mode on/off: there the prefix's problem replaces the empty bars, and
        the two sliders share a line where it is wide enough (slider_row.py)."""
        on = bool(on)
        self._projector = on
        self.slider_row.set_wanted(on, self._form.geometry().width())
        self.scroll.set_hold(on)  # the side column is arranged to show it all
        self._show_bars_note()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        margins = self.scroll.body.layout().contentsMargins()
        self.slider_row.fit(self.scroll.viewport().width() - margins.left() - margins.right())

    def _show_bars_note(self) -> None:
        note = self._projector and bool(self._problem)
        if note:
            self.bars_note.setText(
                f"<b>No next-letter bars after the prefix “{escape(self.prefix.text())}”.</b> "
                f"{escape(self._problem)} <i>(F11 leaves projector mode, where the prefix "
                "can be changed.)</i>")
        self.bars_note.setVisible(note)
        self.bars_plot.setVisible(not note)

    @property
    def probs(self) -> np.ndarray:
        """The next-token probabilities the coloured bars show (sum to 1)."""
        return self.bars_plot.probs

    # --- theme / state -----------------------------------------------------------------
    def apply_theme(self, theme) -> None:
        self.bars_plot.apply_theme(theme)
        font = self.bars_note.font()
        font.setPointSize(theme.font_size)
        self.bars_note.setFont(font)

    def save_state(self) -> dict:
        return {"temperature": self.temperature_value(), "top_k": self.top_k_value(),
                "count": self.count.value(), "prefix": self.prefix.text()}

    def restore_state(self, state: dict) -> None:
        if isinstance(state.get("temperature"), (int, float)):
            self.set_temperature(float(state["temperature"]))
            self._restored["temperature"] = state["temperature"]
        k = state.get("top_k", "missing")
        if k is None or (isinstance(k, int) and k > 0):
            self._restored["top_k"] = k
            if self._vocab:
                self.set_top_k(k if k is None else min(k, len(self._vocab)))
        if isinstance(state.get("count"), int):
            self.count.setValue(state["count"])
        if isinstance(state.get("prefix"), str):
            self.prefix.setText(state["prefix"])
