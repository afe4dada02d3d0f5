"""Time-lapse: every N steps a small snapshot (attention of a probe word, the embedding
projection, a few names sampled at a fixed RNG seed); a slider scrubs back through them.

Snapshots are taken on the worker thread between steps (a step hook, or
controller.call_in_worker), so they see consistent weights and never touch the training
RNG. For small models the hook only copies the weights (an engine.analysis.Negative); the
pictures are developed when a snapshot is first shown, so a fast run is not slowed by
sampling names it may never show. engine.analysis.TimeLapse keeps at most `capacity`
snapshots by thinning, however long the run.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
)

from engine.analysis import Negative, TimeLapse, fast_view, negative, take_snapshot
from engine.sampling import prefix_problem

from .attention_strip import AttentionStrip
from .embedding_view import EmbeddingPlot
from .panels import HideWhenNarrow, Panel, WrappedLabel
from .plotutil import theme_axes

SAMPLE_SEED = 1234  # the same draws at every snapshot: only the weights differ
N_SAMPLES = 5
EMBEDDING_LEAST_PX = 130  # narrower, the map is put away (its axes alone take ~70 px)
SHOW_HZ = 5  # live redraws per second at most
SAMPLE_BUDGET_S = 0.25  # at most this much sampling per snapshot: big models get fewer


def capture(trainer, probe: str):
    """A snapshot of the trainer now (a Negative for small models: developed when shown);
    runs on the worker thread, between steps."""
    word = probe or (trainer.train_docs[0] if trainer.train_docs else "")
    options = {"n_samples": N_SAMPLES, "seed": SAMPLE_SEED, "budget_s": SAMPLE_BUDGET_S}
    film = negative(trainer, word, **options)
    if film is not None:
        return film
    thread = QThread.currentThread()
    return take_snapshot(fast_view(trainer), trainer.step_num, word, loss=trainer.last_val_loss,
                         cancelled=thread.isInterruptionRequested, **options)


class StepSnapshotter(QObject):
    """Called by the worker after every step (worker.step_hooks): takes the snapshot right
    at every N-th step, however fast training runs. The GUI only sees steps in batches
    (~30 ms apart), which at full speed would leave a handful of frames per run.

    Runs on the worker thread, so it reads only plain attributes, never widgets.

    A snapshot of a small model is a copy of its weights (microseconds: always taken, so
    the film has exactly every N-th step); a big model's is developed on the spot
    (sampling, up to SAMPLE_BUDGET_S). So that those never cost more than MAX_SHARE of
    the training thread's time, a due one is skipped while the developed snapshots so far
    have cost more than that share of the time since the first (the film then has a
    longer gap, never a slower run)."""

    taken = Signal(object)  # Snapshot, delivered queued to the GUI thread
    MAX_SHARE = 0.1

    def __init__(self, owner):
        super().__init__()
        self.owner = owner  # the panel: its `lapse` may be replaced, so look it up each time
        self.enabled = True
        self.probe = ""
        self.skipped = 0
        self._since = None  # (start time, seconds spent capturing) for the current model
        self._trainer = None
        self._costly = False  # this run's snapshots are developed on the spot

    def __call__(self, trainer, stats) -> None:
        if not self.enabled or stats.step % self.owner.lapse.every:
            return
        now = time.perf_counter()
        if trainer is not self._trainer:  # a new run: a new account
            self._trainer, self._since, self._costly = trainer, (now, 0.0), False
        start, spent = self._since
        if self._costly and spent > self.MAX_SHARE * (now - start):
            self.skipped += 1
            return
        try:
            snap = capture(trainer, self.probe)
        except Exception:  # a picture must never stop training
            return
        self._costly = not isinstance(snap, Negative)  # the same for every step of a run
        if self._costly:
            self._since = (start, spent + time.perf_counter() - now)
        self.taken.emit(snap)


class TimeLapsePanel(Panel):
    panel_id = "timelapse"
    title = "Time-lapse"
    area = Qt.DockWidgetArea.BottomDockWidgetArea
    help_text = (
        "Every few steps the app keeps a picture of the model: where it looks in a probe "
        "word, where its characters sit in embedding space, and five names sampled with the "
        "same dice each time. Drag the slider to replay how they changed while it learned."
    )

    def __init__(self, ctx, parent=None, every: int = 20, capacity: int = 60):
        super().__init__(ctx, parent)
        self.lapse = TimeLapse(every, capacity)
        self._pending = False
        self._stale = False  # snapshots arrived while hidden
        self.live = True  # the slider follows the newest snapshot
        # At full speed snapshots arrive dozens of times a second early in a run; redraw
        # the panel at most SHOW_HZ times a second (the film itself keeps every snapshot).
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self.pace(self._show_timer, 1000 // SHOW_HZ)
        self._show_timer.timeout.connect(self._refresh_slider)

        self.every_box = QSpinBox()
        self.every_box.setRange(1, 100_000)
        self.every_box.setValue(every)
        self.every_box.setPrefix("every ")
        self.every_box.setSuffix(" steps")
        self.every_box.setToolTip("How often to keep a snapshot (older ones get thinned "
                                  f"so at most {capacity} are kept)")
        self.every_box.valueChanged.connect(self._every_changed)
        # Names for screen readers: these fields have no label, only placeholder text,
        # a prefix or a step label whose text changes.
        self.every_box.setAccessibleName("Time-lapse snapshot interval")
        self.probe = QLineEdit()
        self.probe.setAccessibleName("Time-lapse probe word")
        self.probe.setPlaceholderText("probe word (empty: first training name)")
        self.probe.setMaxLength(64)
        self.enabled_box = QCheckBox("Record")
        self.enabled_box.setChecked(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._scrubbed)
        self.slider.setAccessibleName("Time-lapse snapshot shown")
        self.step_label = QLabel("no snapshots yet")
        # A probe with characters the dataset lacks has no attention map (the engine
        # leaves it out): before, the heatmaps were simply blank, with no word on why.
        self.probe_note = WrappedLabel()
        self.probe_note.setObjectName("probe-note")
        self.probe_note.hide()

        self.attention = AttentionStrip()
        self.embedding = EmbeddingPlot()
        self.samples = QListWidget()
        self.samples.setAccessibleName("Names at this snapshot")
        self.samples.setToolTip(f"{N_SAMPLES} names drawn with the same random seed at "
                                "every snapshot")
        split = QSplitter()
        self.attention.setMinimumWidth(200)
        split.addWidget(self.attention)
        split.addWidget(self.embedding)
        split.addWidget(self.samples)
        # The heatmaps get the most room: one per head, they are the strip's point.
        for i, stretch in enumerate((3, 2, 1)):
            split.setStretchFactor(i, stretch)
        self.narrow = HideWhenNarrow(self.embedding, self, EMBEDDING_LEAST_PX)

        top = QHBoxLayout()
        for w in (self.enabled_box, self.every_box, self.probe):
            top.addWidget(w)
        scrub = QHBoxLayout()
        scrub.addWidget(self.slider, 1)
        scrub.addWidget(self.step_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addLayout(scrub)
        lay.addWidget(self.probe_note)
        lay.addWidget(split, 1)

        self.snapshotter = StepSnapshotter(self)
        self.snapshotter.taken.connect(self._captured_by_hook)
        self.probe.textChanged.connect(self._probe_changed)
        self.enabled_box.toggled.connect(self._enabled_changed)
        c = ctx.controller
        c.reset_done.connect(self._on_reset)
        hooks = getattr(c.worker, "step_hooks", None)
        self.per_step = hooks is not None
        if self.per_step:
            hooks.append(self.snapshotter)
        else:  # an older worker: snapshot from the GUI's batches instead
            c.stats_batch.connect(self._on_batch)
        self.apply_theme(ctx.theme)

    # --- recording ------------------------------------------------------------------------
    def _every_changed(self, value: int):
        self.lapse.base_every = self.lapse.every = value

    def _probe_changed(self, text: str):
        self.snapshotter.probe = text.strip()
        self._show_probe_problem()

    def probe_problem(self) -> str:
        """Why the probe word gets no attention map ('' if it does, or no probe/model)."""
        info, word = self.controller.info, self.probe.text().strip()
        if info is None or not word:
            return ""
        chars = [v for i, v in enumerate(info.vocab) if i != info.bos_id]
        # No context limit here: a long probe is cut to the model's context, not refused.
        problem = prefix_problem(word, chars, block_size=len(word) + 1)
        return f"Probe word: {problem} No attention map is recorded for it." if problem else ""

    def _show_probe_problem(self) -> None:
        problem = self.probe_problem()
        self.probe_note.setText(problem)
        self.probe_note.setVisible(bool(problem))

    def _enabled_changed(self, on: bool):
        self.snapshotter.enabled = on

    def _on_reset(self, info):
        self._show_probe_problem()  # another dataset may lack (or have) its characters
        self.lapse.clear()
        # A new film: follow its newest frame again. (Scrubbed back in the old film, the
        # slider stayed on the new film's first frame for the whole run.)
        self.live = True
        self._refresh_slider()
        self.request_snapshot()  # step 0 (or the loaded step): where the film starts

    def _on_batch(self, batch):
        if batch and self.lapse.due(batch[-1].step):
            self.request_snapshot()

    def request_snapshot(self):
        if self._pending or not self.enabled_box.isChecked():
            return
        self._pending = True
        probe = self.probe.text().strip()

        def now(trainer):  # worker thread, between steps
            return capture(trainer, probe) if trainer is not None else None

        self.controller.call_in_worker(now, self._captured, self._failed)

    def _failed(self, message: str):
        self._pending = False
        self.step_label.setText(f"snapshot failed: {message}")

    def _captured(self, snap):
        self._pending = False
        if snap is None:
            return
        self.lapse.add(snap)
        self._refresh_slider()

    def _captured_by_hook(self, snap):
        if self.lapse.snapshots and snap.step == self.lapse.snapshots[-1].step:
            return  # the same step already came through request_snapshot
        self.lapse.add(snap)
        if not self._show_timer.isActive():
            self._show_timer.start()

    def _refresh_slider(self):
        if not self.on_screen():
            self._stale = True  # drawn when it comes into view (view_changed)
            return
        self._stale = False
        n = len(self.lapse)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(n - 1, 0))
        if self.live and n:
            self.slider.setValue(n - 1)
        self.slider.blockSignals(False)
        if n:
            self.show_index(self.slider.value())
        else:
            self.step_label.setText("no snapshots yet")

    def drawn_since(self, step: int) -> bool:
        return not self._stale  # (it shows its snapshots, not every step)

    def view_changed(self, visible: bool) -> None:
        if visible and self._stale:  # snapshots came while out of sight: show them now
            QTimer.singleShot(0, self, self._refresh_slider)

    # --- scrubbing ------------------------------------------------------------------------
    def _scrubbed(self, index: int):
        self.live = index >= len(self.lapse) - 1
        self.show_index(index)

    def show_index(self, index: int) -> None:
        if not len(self.lapse):
            return
        index = min(max(index, 0), len(self.lapse) - 1)
        snap = self.lapse.at(index)
        self.shown_step = snap.step
        self.step_label.setText(f"step {snap.step}  ({index + 1}/{len(self.lapse)})")
        self.attention.show_attention(snap.attention, snap.attention_labels)
        self.embedding.set_points(snap.embedding, snap.vocab_labels)
        self.samples.clear()
        self.samples.addItems([name or "(empty)" for name in snap.samples])  # as Sampling
        if not snap.samples:
            self.samples.addItem("(no samples: this model is too big to sample quickly)")

    def apply_theme(self, theme) -> None:
        self.attention.colormap = theme.colormap
        self.attention.font_size = max(7, theme.plot_font_size - 1)
        self.attention.foreground = theme.plot_foreground
        self.attention.setBackground(theme.plot_background)
        self.attention._shape = None  # rebuild with the new colormap on the next show
        self.embedding.setBackground(theme.plot_background)
        theme_axes(self.embedding.getPlotItem(), theme, self.attention.font_size)
        self.probe_note.setStyleSheet(f"color: {theme.warning};")
        self.embedding.set_colors({"vowel": theme.val, "consonant": theme.loss_smooth,
                                   "bos": theme.event, "other": theme.clip})
        if len(self.lapse):
            if self.on_screen():
                self.show_index(self.slider.value())
            else:  # e.g. put away by projector mode: rebuilt when it comes into view
                self._stale = True  # (rebuilding the maps was ~0.1 s of each switch)

    def save_state(self) -> dict:
        return {"every": self.every_box.value(), "probe": self.probe.text(),
                "record": self.enabled_box.isChecked()}

    def restore_state(self, state: dict) -> None:
        if isinstance(state.get("every"), int) and state["every"] > 0:
            self.every_box.setValue(state["every"])
        if isinstance(state.get("probe"), str):
            self.probe.setText(state["probe"][:64])
        if isinstance(state.get("record"), bool):
            self.enabled_box.setChecked(state["record"])

