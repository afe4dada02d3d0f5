"""Optimization explorer: the seed's 14 changes as checkboxes, one line each.

Ticks follow the preset of the current run. Unticking (or ticking) some and pressing
Reset trains that variant: the window passes the Reset config through `apply()`, which
switches exactly the changes the user touched. The seed is unchanged, so the variant
starts from the same RNG stream (same documents, same starting weights unless the
parameter shapes change, as with weight tying).

With the reference backend the panel measures graph nodes per step live and keeps a small
table per variant, so the seed's claims (division op, fused cross-entropy, no phantom
node) are measured rather than asserted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.ablate import CHANGES, base_preset, describe, is_on, set_change
from engine.config import preset

from .panels import Panel

KEEP_STEPS = 200  # node counts kept per variant: enough for a fair mean, bounded
WHERE = {"graph": "the reference backend's autograd graph only (same numbers)",
         "numbers": "training numbers",
         "sampling": "generated names", "output": "what is reported", "none": "nothing"}


class ExplorerPanel(Panel):
    panel_id = "explorer"
    title = "Optimizations"
    area = Qt.DockWidgetArea.LeftDockWidgetArea
    help_text = (
        "The optimized seed is Karpathy's microgpt plus 14 changes. Untick some and press "
        "Reset: the same seed trains without them, on the same documents from the same "
        "starting weights (except with weight tying off: its extra output matrix is drawn "
        "after wpe and shifts the later draws), and the Runs panel keeps the previous run "
        "for comparison. With the reference backend the table below counts the autograd "
        "graph's nodes per step for each variant."
    )
    choices_changed = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.user_choice: dict[str, bool] = {}  # the user's ticks that differ from preset
        self.run_config = None  # config of the current run (RunInfo.config)
        self.nodes: dict[tuple, list[int]] = {}  # (model shape, variant) -> nodes per step
        self._run_key = None
        self.boxes: dict[str, QCheckBox] = {}

        grid = QGridLayout()
        grid.setVerticalSpacing(1)
        for row, c in enumerate(CHANGES):
            box = QCheckBox(c.title)
            box.setToolTip(f"{c.line}\nAffects: {WHERE[c.matters]}")
            box.setEnabled(bool(c.fields))  # `with open()` has no switch: nothing to see
            box.setChecked(True)
            box.toggled.connect(lambda on, key=c.key: self._toggled(key, on))
            line = QLabel(c.line)
            line.setWordWrap(True)
            line.setObjectName("change-line")
            grid.addWidget(box, 2 * row, 0)
            grid.addWidget(line, 2 * row + 1, 0)
            self.boxes[c.key] = box
        inner = QWidget()
        inner.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setMinimumHeight(220)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.reset_btn = QPushButton("Reset with these")
        self.reset_btn.setToolTip("Train this variant from the start (same seed)")
        self.reset_btn.clicked.connect(self._reset)
        self.restore_btn = QPushButton("Back to preset")
        self.restore_btn.clicked.connect(self.restore_preset)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_btn)
        buttons.addWidget(self.restore_btn)
        buttons.addStretch(1)

        self.nodes_label = QLabel("nodes/step: -")
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(("variant", "nodes/step", "vs preset"))
        self.table.horizontalHeaderItem(2).setToolTip(
            "Difference from the preset as is ('all 14 on' for the seed, \"as Karpathy's\" "
            "for the original), over the same steps")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(160)
        self.table.hide()  # shown for reference-backend runs, the only ones with a graph
        self.table.setAccessibleName("Graph nodes per step of each variant")
        self.nodes_label.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(scroll, 1)
        lay.addLayout(buttons)
        lay.addWidget(self.status)
        lay.addWidget(self.nodes_label)
        lay.addWidget(self.table)

        c = ctx.controller
        c.reset_done.connect(self.on_reset)
        c.stats_batch.connect(self.on_batch)
        self.apply_theme(ctx.theme)
        self._update_status()

    # --- choices ----------------------------------------------------------------------------
    def _toggled(self, key: str, on: bool):
        base = self._base_config()
        if base is not None and is_on(base, key) == on:
            self.user_choice.pop(key, None)  # back to what the preset says
        else:
            self.user_choice[key] = on
        self._update_status()
        self.choices_changed.emit()

    def set_change(self, key: str, on: bool) -> None:
        """Tick or untick a change as the user would."""
        self.boxes[key].setChecked(on)

    def _base_config(self):
        """The preset config Reset would use before our changes (controls panel if any)."""
        controls = getattr(self.ctx.window, "panels", {}).get("controls")
        if controls is not None and hasattr(controls, "config"):
            try:
                return controls.config()
            except Exception:  # an invalid field in the controls: use the run's config
                pass
        return self.run_config

    def apply(self, cfg):
        """The config Reset trains: cfg with the user's ticks applied (a copy)."""
        cfg = cfg.copy()
        for key, on in self.user_choice.items():
            set_change(cfg, key, on)
        return cfg

    def modify(self, cfg) -> None:
        """window.config_modifiers entry: apply the user's ticks to cfg in place."""
        for key, on in self.user_choice.items():
            set_change(cfg, key, on)

    def adopt(self, cfg) -> None:
        """Make the ticks describe cfg (e.g. a loaded checkpoint) relative to its preset,
        so the next Reset trains the same variant again."""
        base = preset(base_preset(cfg))
        self.user_choice = {c.key: is_on(cfg, c.key) for c in CHANGES
                            if c.fields and is_on(cfg, c.key) != is_on(base, c.key)}
        self._sync_boxes(cfg)
        self._update_status()

    def restore_preset(self):
        self.user_choice.clear()
        self._sync_boxes(self._base_config())
        self._update_status()
        self.choices_changed.emit()

    def _sync_boxes(self, cfg):
        if cfg is None:
            return
        for key, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(self.user_choice.get(key, is_on(cfg, key)))
            box.blockSignals(False)

    def _reset(self):
        # The window's actions are in `act` (QWidget.actions() is Qt's list method).
        acts = getattr(self.ctx.window, "act", None)
        action = acts.get("reset") if isinstance(acts, dict) else None
        if action is not None:
            action.trigger()

    def pending(self) -> bool:
        """The ticks differ from the running model: Reset would train something else."""
        run, base = self.run_config, self._base_config()
        if run is None or base is None:
            return bool(self.user_choice)
        wanted = self.apply(base)
        return any(is_on(wanted, c.key) != is_on(run, c.key) for c in CHANGES)

    def _update_status(self):
        cfg = self.run_config
        now = describe(cfg, titles=True) if cfg is not None else "no model yet"
        text = f"Running: {now}."
        if self.pending():
            text += "  ⟳ Press Reset to train with your changes (same seed, same start)."
        self.status.setText(text)

    # --- the run -----------------------------------------------------------------------------
    def on_reset(self, info):
        cfg = info.config
        self.run_config = cfg
        # The user's choices stay in force for later Resets until "Back to preset".
        self._sync_boxes(cfg)
        m = cfg.model
        # The seed picks the documents of steps 1, 2, ...: variants are compared only over
        # the same documents (a row trained with another seed differed by ~13% in nodes
        # from a preset row whose documents were simply longer or shorter).
        shape = (info.dataset_name, m.n_embd, m.n_head, m.n_layer, m.block_size, m.bos_first,
                 cfg.train.batch_size, cfg.train.seed)
        # A new run of a variant measured before keeps its counts: its steps 1, 2, ...
        # see the same documents, so they would count the same (on_batch adds only the
        # steps past those). Clearing them on every Reset lost the preset's row, and a
        # variant trained next had nothing to compare with ('-').
        self._run_key = (shape, describe(cfg)) if cfg.backend == "reference" else None
        graph = cfg.backend == "reference"
        self.nodes_label.setText("nodes/step: -" if graph else
                                 "nodes/step: choose the reference backend to count the "
                                 "autograd graph's nodes")
        self.table.setVisible(graph)
        self._update_status()
        self._fill_table()

    def on_batch(self, batch):
        if not batch:
            return
        last = batch[-1]
        if last.nodes is None or self._run_key is None:
            return
        seen = self.nodes.setdefault(self._run_key, [])
        for s in batch:
            if s.nodes is not None and s.step == len(seen) + 1 and len(seen) < KEEP_STEPS:
                seen.append(s.nodes)  # only steps 1, 2, ...: the same documents per variant
        self.nodes_label.setText(f"nodes/step: {last.nodes:,} (step {last.step})")
        self._fill_table()

    def node_table(self) -> list[tuple[str, float, int]]:
        """(variant, mean nodes over the steps all variants have done, n steps) for runs
        with the current model shape. The same steps see the same documents, so the means
        compare like with like."""
        if self._run_key is None:
            return []
        shape = self._run_key[0]
        rows = {v: n for (s, v), n in self.nodes.items() if s == shape and n}
        if not rows:
            return []
        common = min(len(n) for n in rows.values())
        return [(v, sum(n[:common]) / common, common) for v, n in rows.items()]

    def _fill_table(self):
        rows = self.node_table()
        # Rows share the model shape, so one preset: compare with that preset as is.
        own = describe(preset(base_preset(self.run_config))) if self.run_config else None
        base = next((m for v, m, _ in rows if v == own), None)
        self.table.setRowCount(len(rows))
        for i, (variant, mean, n) in enumerate(rows):
            diff = "-" if base is None else f"{mean - base:+,.0f} ({(mean / base - 1):+.1%})"
            for col, text in enumerate((variant, f"{mean:,.0f}", diff)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setToolTip(f"mean over steps 1-{n}")
                self.table.setItem(i, col, item)

    def apply_theme(self, theme) -> None:
        small = max(theme.font_size - 1, 7)
        for label in self.findChildren(QLabel, "change-line"):
            label.setStyleSheet(f"color: {theme.clip}; font-size: {small}pt; "
                                "margin-left: 22px;")
        self.status.setStyleSheet(f"color: {theme.warning};")

    def save_state(self) -> dict:
        return {"choices": dict(self.user_choice)}

    def restore_state(self, state: dict) -> None:
        choices = state.get("choices")
        if isinstance(choices, dict):
            self.user_choice = {k: v for k, v in choices.items()
                                if k in self.boxes and isinstance(v, bool)}
            self._sync_boxes(self._base_config())
            self._update_status()

