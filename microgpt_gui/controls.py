"""Controls panel: data, preset, backend, model size, training settings, run buttons.

It only edits a RunConfig (engine.preset(name, **fields)); the window decides when to
apply it (Reset) and tells this panel what the Reset would change. The learning rate and
speed are live: they go straight to the running trainer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .actions import ActionButton
from .controller import DEFAULT_SPEED, SPEEDS
from .panels import Panel

BACKENDS = ("numpy", "reference")  # names only: the engine picks the implementation
PRESETS = ("optimized", "original")
# field: (label, min, max, tooltip)
INT_FIELDS = {
    "n_embd": ("Embedding size", 4, 256, "n_embd: width of every token vector"),
    "n_head": ("Heads", 1, 16, "n_head: attention heads per layer (must divide n_embd)"),
    "n_layer": ("Layers", 1, 8, "n_layer: transformer blocks"),
    "block_size": ("Context", 2, 64, "block_size: the most characters the model sees"),
    "num_steps": ("Steps", 1, 1_000_000,
                  "num_steps: training steps (the lr schedule's length). Live above the "
                  "steps done: the run ends there instead and the schedule is recomputed "
                  "from the next step (watch the lr curve); at or below them, a Reset"),
    "seed": ("Seed", 0, 2**31 - 1, "seed: same seed = same shuffle and same starting weights"),
    "batch_size": ("Batch size", 1, 64, "batch_size: documents per step (1 = the seed)"),
}
LIVE = {"learning_rate"}  # changes that reach the running trainer without a Reset
SLOW_STEP_S = 5.0  # estimated seconds per step from which the controls warn


class ControlsPanel(Panel):
    panel_id = "controls"
    title = "Controls"
    area = Qt.DockWidgetArea.LeftDockWidgetArea
    edited = Signal()  # any setting changed: the window re-checks "needs Reset"
    learning_rate_edited = Signal(float)
    num_steps_edited = Signal(int)  # Steps edited by the user (live: see set_num_steps)
    speed_edited = Signal(float)

    def __init__(self, ctx, actions: dict):
        super().__init__(ctx)
        self._filling = False
        # In a scroll area: on a short screen the groups scroll instead of squashing the
        # spin boxes and cutting the notes (needs Reset, the cost, what is wrong).
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll)
        root = QVBoxLayout(body)
        root.setContentsMargins(6, 6, 6, 6)

        run = QGroupBox("Run")
        rl = QVBoxLayout(run)
        buttons = QHBoxLayout()
        self.train_button = ActionButton(actions["train"])
        self.step_button = ActionButton(actions["step"])
        self.reset_button = ActionButton(actions["reset"])
        for b in (self.train_button, self.step_button, self.reset_button):
            buttons.addWidget(b)
        rl.addLayout(buttons)
        speed_row = QHBoxLayout()
        speed_label = QLabel("Speed")
        speed_row.addWidget(speed_label)
        self.speed = QComboBox()
        speed_label.setBuddy(self.speed)
        self.speed.setAccessibleName("Speed")  # a combo box reads out its value, not a buddy
        for sps in SPEEDS:
            self.speed.addItem(f"{sps} steps/s" if sps else "max", sps)
        # 100 steps/s at first: the default 500 steps then take 5 s, long enough to watch
        # the loss fall and the maps change; at max they were over in a blink. (The
        # choice is remembered; max is one click away for longer runs.)
        self.speed.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.speed.setToolTip("Steps per second: slow enough to follow step by step, or max")
        self.speed.currentIndexChanged.connect(
            lambda _i: self.speed_edited.emit(float(self.speed.currentData())))
        speed_row.addWidget(self.speed, 1)
        rl.addLayout(speed_row)
        self.needs_reset = QLabel()
        self.needs_reset.setWordWrap(True)
        self.needs_reset.hide()
        rl.addWidget(self.needs_reset)
        root.addWidget(run)

        data = QGroupBox("Data")
        dl = QVBoxLayout(data)
        self.dataset_label = QLabel("loading…")
        self.dataset_label.setWordWrap(True)
        dl.addWidget(self.dataset_label)
        drow = QHBoxLayout()
        for name, text in (("bundled_dataset", "Bundled"), ("open_dataset", "Open…"),
                           ("download_makemore", "makemore")):
            b = ActionButton(actions[name])
            b.setText(text)
            actions[name].changed.connect(lambda b=b, t=text: b.setText(t))
            drow.addWidget(b)
        dl.addLayout(drow)
        root.addWidget(data)

        model = QGroupBox("Model")
        ml = QFormLayout(model)
        self.preset = QComboBox()
        self.preset.addItems(PRESETS)
        self.preset.setToolTip("optimized = the seed (Karpathy's microgpt + 14 changes); "
                               "original = Karpathy's latest microgpt")
        self.preset.currentTextChanged.connect(self._preset_changed)
        ml.addRow("Preset", self.preset)
        self.preset.setAccessibleName("Preset")
        self.backend = QComboBox()
        self.backend.addItems(BACKENDS)
        self.backend.setToolTip("numpy: fast, vectorized. reference: the scalar autograd "
                                "graph, like the original script (slow, counts nodes)")
        self.backend.currentTextChanged.connect(self._changed)
        ml.addRow("Backend", self.backend)
        self.backend.setAccessibleName("Backend")
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {}
        for name in ("n_embd", "n_head", "n_layer", "block_size"):
            ml.addRow(INT_FIELDS[name][0], self._int_field(name))
        root.addWidget(model)

        train = QGroupBox("Training")
        tl = QFormLayout(train)
        tl.addRow(INT_FIELDS["num_steps"][0], self._int_field("num_steps"))
        lr = QDoubleSpinBox()
        lr.setDecimals(4)
        lr.setRange(0.0001, 10.0)
        lr.setSingleStep(0.001)
        lr.setKeyboardTracking(False)  # one change per finished edit, not per keystroke
        lr.setToolTip("Base learning rate. Changes apply live, from the next step.")
        lr.valueChanged.connect(self._lr_changed)
        self.fields["learning_rate"] = lr
        tl.addRow("Learning rate", lr)
        for name in ("seed", "batch_size"):
            tl.addRow(INT_FIELDS[name][0], self._int_field(name))
        root.addWidget(train)

        # What the model these fields describe will cost (engine/cost.py), so nobody builds
        # a model that takes an hour per step or more memory than the computer has.
        self.cost = QLabel()
        self.cost.setWordWrap(True)
        self.cost.setToolTip("Estimated from the sizes, the backend and the data "
                             "(good to about 2-3x): parameters, time per step, memory")
        root.addWidget(self.cost)
        self.slow = QLabel()
        self.slow.setWordWrap(True)
        self.slow.hide()
        root.addWidget(self.slow)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.hide()
        root.addWidget(self.problem)
        root.addStretch(1)
        self._preset_changed("optimized")
        self.apply_theme(ctx.theme)
        # As wide as the groups want (the scroll area would otherwise let the dock shrink
        # and cut them on the right), plus room for the vertical scroll bar.
        scroll.setMinimumWidth(body.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width())

    def _int_field(self, name: str) -> QSpinBox:
        label, lo, hi, tip = INT_FIELDS[name]
        box = QSpinBox()
        box.setRange(lo, hi)
        box.setToolTip(tip)
        box.setKeyboardTracking(False)
        box.valueChanged.connect(self._changed)
        if name == "num_steps":
            box.setSingleStep(100)
            box.valueChanged.connect(
                lambda v: None if self._filling else self.num_steps_edited.emit(v))
        self.fields[name] = box
        return box

    # --- building the config ------------------------------------------------------------
    def values(self) -> dict:
        out = {name: box.value() for name, box in self.fields.items()}
        out["backend"] = self.backend.currentText()
        return out

    def config(self):
        """The RunConfig these controls describe (not validated against data yet)."""
        from engine import preset

        return preset(self.preset.currentText(), **self.values())

    def problem_text(self) -> str:
        """Why the current values cannot make a model ('' if they can)."""
        from engine import ConfigError
        from engine.cost import memory_problem

        try:
            cfg = self.config()
            cfg.model.validate()
            cfg.train.validate()
        except ConfigError as e:
            return str(e)
        split = self._split_problem(cfg)
        if split:
            return split
        problem = memory_problem(self.estimate(cfg), cfg)
        return problem[:1].upper() + problem[1:]

    def _split_problem(self, cfg) -> str:
        """The loaded data has too few documents for cfg's split (one document and the
        seed's 10% held back, e.g. after switching from `original`): the Trainer's rule,
        said before a Reset that would fail."""
        from engine.trainer import split_problem

        ds = self.ctx.datasets.dataset
        problem = split_problem(len(ds.docs), cfg.train.val_fraction) if ds else ""
        return f"{ds.name}: {problem}" if problem else ""

    def estimate(self, cfg=None):
        """The Cost of training cfg (default: these fields) on the loaded data."""
        from engine.cost import estimate_on

        # The Dataset, not its docs: it holds its vocabulary, so the count is exact.
        return estimate_on(cfg or self.config(), self.ctx.datasets.dataset)

    def _show_cost(self, problem: str) -> None:
        """The estimate under the fields; a warning when a step will be slow (unless the
        model cannot be built at all, which `problem` already says)."""
        from engine import RunConfig
        from engine.cost import format_seconds

        cfg = self.config()
        cost = self.estimate(cfg)
        self.cost.setText(cost.describe())
        slow = not problem and cost.seconds_per_step >= SLOW_STEP_S
        if slow:
            text = f"Slow: ≈{format_seconds(cost.seconds_per_step)} per step at this size."
            tip = ""
            if cfg.backend == "reference":
                fast = self.estimate(RunConfig(cfg.model, cfg.train, backend="numpy"))
                text += f" The numpy backend: ≈{format_seconds(fast.seconds_per_step)}."
                tip = (f"The reference backend builds ~{cost.nodes_per_step:,} graph nodes "
                       "per step, one Python object per multiply and add; the numpy "
                       "backend computes the same numbers on whole arrays.")
            self.slow.setText(text)
            self.slow.setToolTip(tip)
        self.slow.setVisible(slow)

    def load_config(self, cfg, preset_name: str | None = None) -> None:
        """Show a RunConfig (e.g. from a checkpoint or lesson) in the fields."""
        self._filling = True
        try:
            if preset_name in PRESETS:
                self.preset.setCurrentText(preset_name)
            self.backend.setCurrentText(cfg.backend)
            for name, box in self.fields.items():
                part = cfg.model if hasattr(cfg.model, name) else cfg.train
                box.setValue(getattr(part, name))
        finally:
            self._filling = False
        self._changed()

    def _preset_changed(self, name: str):
        from engine import preset

        self.load_config(preset(name, backend=self.backend.currentText()), name)

    def _lr_changed(self, value: float):
        if not self._filling:
            self.learning_rate_edited.emit(value)
            self._changed()

    def _changed(self, *_):
        if self._filling:
            return
        self.refresh_cost()
        self.edited.emit()

    def refresh_cost(self) -> None:
        """Re-check the fields: the estimate, a slow-step warning, and what is wrong."""
        problem = self.problem_text()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self._show_cost(problem)

    # --- shown by the window ---------------------------------------------------------------
    def set_dataset_text(self, text: str) -> None:
        self.dataset_label.setText(text)
        self.refresh_cost()  # the data's lengths and alphabet change the estimate

    def set_needs_reset(self, what: list[str]) -> None:
        if what:
            self.needs_reset.setText("⟳ Press Reset to apply: " + ", ".join(what))
        self.needs_reset.setVisible(bool(what))

    def set_speed(self, sps: float) -> None:
        i = self.speed.findData(int(sps))
        if i >= 0:
            self.speed.setCurrentIndex(i)

    def apply_theme(self, theme) -> None:
        self.problem.setStyleSheet(f"color: {theme.error}; font-weight: bold;")
        self.slow.setStyleSheet(f"color: {theme.warning};")
        self.needs_reset.setStyleSheet(f"color: {theme.warning}; font-weight: bold;")

    def save_state(self) -> dict:
        return {"preset": self.preset.currentText(), "speed": self.speed.currentData(),
                **self.values()}

    def restore_state(self, state: dict) -> None:
        if not isinstance(state, dict):
            return
        self._filling = True
        try:
            if state.get("preset") in PRESETS:
                self.preset.setCurrentText(state["preset"])
                self._filling = True  # the preset handler re-filled and cleared it
            if state.get("backend") in BACKENDS:
                self.backend.setCurrentText(state["backend"])
            for name, box in self.fields.items():
                value = state.get(name)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    box.setValue(value)
        finally:
            self._filling = False
        if state.get("speed") in SPEEDS:
            self.set_speed(state["speed"])
        self._changed()
