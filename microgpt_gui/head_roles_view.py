"""Head roles under the attention heatmaps: "previous letter (72%)", "spread out", ...

The roles come from engine.insights.head_roles on the validation words (attention maps
averaged over them), computed on the worker thread between steps (controller
.call_in_worker), so the GUI thread never runs the model. While training runs they are
refreshed every INTERVAL_S at most, and less often when computing them is slow (the
reference backend), so they never eat more than ~1/COST_SHARE of the training time.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer

from engine.insights import ITSELF, PREVIOUS, SPREAD, START, head_roles, validation_attention

INTERVAL_S = 2.0
COST_SHARE = 10  # wait at least 10x as long as the last computation took
SHORT = {START: "start", PREVIOUS: "previous", ITSELF: "itself", SPREAD: SPREAD}
WORDS = 20  # the seed validates on the first 20 validation docs: use the same words


def compute_roles(trainer):
    """Worker thread: roles on the validation words (training words if there are none,
    as in the `original` preset, which has no validation split)."""
    t0 = time.perf_counter()
    words, source = trainer.val_docs, "validation"
    if not words:
        words, source = trainer.train_docs, "training"
    maps = validation_attention(trainer.inference(), words, WORDS)
    return {"roles": head_roles(maps), "source": source, "step": trainer.step_num,
            "seconds": time.perf_counter() - t0}


class HeadRoles(QObject):
    """Keeps the attention panel's per-head labels up to date."""

    def __init__(self, attention_panel, controller, themes, parent=None):
        super().__init__(parent or attention_panel)
        self.panel = attention_panel
        self.controller = controller
        self.themes = themes
        self.roles = None  # last result: list per layer of HeadRole
        self.source = ""
        self._busy = False
        self._next = 0.0
        controller.reset_done.connect(self._on_reset)
        controller.stats_batch.connect(self._after_steps)
        themes.changed.connect(lambda _t: self.show())
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(500)

    def request(self) -> None:
        if self._busy or self.controller.info is None:
            return
        self._busy = True
        self.controller.call_in_worker(compute_roles, self._done, self._failed)

    def _on_reset(self, _info) -> None:
        self.roles = None
        self._busy = False  # a reply still on its way belongs to the old model
        self.request()

    def _tick(self) -> None:
        shown = self.panel.is_shown() if hasattr(self.panel, "is_shown") else True
        if self.controller.state == "running" and shown and time.monotonic() >= self._next:
            self.request()

    def _after_steps(self, _batch) -> None:
        if self.controller.state != "running":
            self.request()  # a single Step: update at once

    def _done(self, result) -> None:
        self._busy = False
        if result is None:
            return
        self._next = time.monotonic() + max(INTERVAL_S, COST_SHARE * result["seconds"])
        self.roles, self.source = result["roles"], result["source"]
        self.show()

    def _failed(self, _message: str) -> None:
        self._busy = False  # e.g. no trainer yet; the next tick tries again

    def labels(self) -> list[str]:
        """One label per heatmap, in the panel's cell order (layer-major)."""
        if self.roles is None:
            return []
        return [role.text() for layer in self.roles for role in layer]

    def short_labels(self) -> list[str]:
        """What fits under a heatmap even at projector sizes: 'previous 72%', 'start 51%',
        'itself 60%', 'spread out'. The full wording is in the tooltip and help pane."""
        out = []
        for r in (r for layer in self.roles or [] for r in layer):
            word = SHORT.get(r.label, r.label)
            out.append(word if r.label == SPREAD else f"{word} {r.masses[r.label]:.0%}")
        return out

    def show(self) -> None:
        cells = getattr(self.panel, "cells", [])
        labels = self.labels()
        if self.roles is None or len(labels) != len(cells):
            return  # the grid is being rebuilt for another shape; the next result fits
        t = self.themes.theme
        for cell, role, text in zip(cells, [r for layer in self.roles for r in layer],
                                    self.short_labels(), strict=True):
            colour = t.plot_foreground if role.label == SPREAD else t.val
            cell.setLabel("bottom", text, color=colour,
                          **{"font-size": f"{t.plot_font_size}pt"})
            tip = (f"This head mostly attends to: {role.label}. "
                   f"On {role.rows} {self.source} letter positions it puts on average "
                   + ", ".join(f"{m:.0%} on {k}" for k, m in role.masses.items()))
            cell.getAxis("bottom").setToolTip(tip)
