"""Head roles under the attention heatmaps: "previous letter (72%)", "spread out", ...

The roles come from engine.insights.head_roles on the validation words (attention maps
averaged over them), computed on a frozen copy of the weights on a thread of its own
(controller.call_on_snapshot): neither the GUI thread nor the training thread runs these
forward passes, so with the slow reference backend they do not hold up Train (and the
numpy backend computes them: the same numbers, faster; see numpy_view). The words
are picked once per run on the worker thread (a slice of the trainer's list). While
training runs the roles are refreshed every INTERVAL_S at most, and less often when
computing them is slow, so they never eat more than ~1/COST_SHARE of the machine.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer

from engine.insights import ITSELF, PREVIOUS, SPREAD, START, head_roles, validation_attention

INTERVAL_S = 2.0
COST_SHARE = 10  # wait at least 10x as long as the last computation took
SHORT = {START: "start", PREVIOUS: "previous", ITSELF: "itself", SPREAD: SPREAD}
WORDS = 20  # the seed validates on the first 20 validation docs: use the same words


def pick_words(trainer) -> tuple[list[str], str]:
    """Worker thread, once per run: the validation words (training words if there are
    none, as in the `original` preset, which has no validation split)."""
    words, source = trainer.val_docs, "validation"
    if not words:
        words, source = trainer.train_docs, "training"
    return list(words[:WORDS]), source


def numpy_view(inference):
    """The same frozen weights computed by the numpy backend (engine.analysis.fast_view):
    the reference backend's numbers, ~50x faster."""
    from engine.analysis import fast_view

    return fast_view(inference)


def compute_roles(inference, words, source: str = "validation") -> dict:
    """Snapshot thread: the roles of every head, from the attention on `words`."""
    t0 = time.perf_counter()
    maps = validation_attention(numpy_view(inference), words, WORDS)
    return {"roles": head_roles(maps), "source": source,
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
        self._run = 0  # bumps on every reset: a late reply about an older model is dropped
        self._words = None  # (words, source) of the current run, once picked
        self._stale = False  # a Step came while computing: compute again when done
        controller.reset_done.connect(self._on_reset)
        controller.stats_batch.connect(self._after_steps)
        controller.stopped.connect(self._after_steps)  # the roles of the final weights
        themes.changed.connect(lambda _t: self.show())
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        controller.budget.pace(self.timer, 500)  # slowed with every view (frame_budget.py)
        self.timer.start()
        if controller.info is not None:  # made after the first model was built
            self._on_reset(controller.info)

    def request(self) -> None:
        if self._busy or self.controller.info is None or self._words is None:
            return
        self._busy = True
        run, (words, source) = self._run, self._words

        def job(inference):
            return compute_roles(inference, words, source)

        self.controller.call_on_snapshot(job, lambda result: self._done(run, result),
                                         lambda message: self._failed(run, message))

    def _on_reset(self, _info) -> None:
        self._run += 1
        self.roles = self._words = None
        self._busy = self._stale = False  # a reply still on its way belongs to the old model
        run = self._run
        self.controller.call_in_worker(pick_words, lambda got: self._got_words(run, got),
                                       lambda _m: None)

    def _got_words(self, run: int, got) -> None:
        if run == self._run:
            self._words = got
            self.request()

    def _tick(self) -> None:
        shown = self.panel.on_screen() if hasattr(self.panel, "on_screen") else True
        if self.controller.state == "running" and shown and time.monotonic() >= self._next:
            self.request()

    def _after_steps(self, _batch=None) -> None:
        if self.controller.state != "running":
            self._stale = self._busy
            self.request()  # a single Step: update at once

    def _done(self, run: int, result) -> None:
        if run != self._run:
            return
        self._busy = False
        if self._stale:  # the weights moved on (a Step) while this was computed
            self._stale = False
            self.request()
        if result is None:
            return
        self._next = time.monotonic() + max(INTERVAL_S, COST_SHARE * result["seconds"])
        self.roles, self.source = result["roles"], result["source"]
        self.show()

    def _failed(self, run: int, _message: str) -> None:
        if run == self._run:
            self._busy = False  # the next tick tries again

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
        fit = getattr(self.panel, "fit_grid", None)
        if fit is not None:  # the labels may have made the cells taller
            fit()
