"""Name-quality read-out for every generated batch: new vs copies, variety, length, verdict.

The numbers come from engine.insights.name_quality; this widget only formats them. It
needs the training names and the whole dataset to tell "new" from "copy" from "held out";
RunInfo carries those, so set_run(info) is called after every reset.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.insights import NameQuality, mean_length, name_quality

from . import help_texts
from .panels import WrappedLabel
from .theme import DEFAULT, Theme

PROJECTOR_NAMES = 12  # at most this many names in projector mode
NAME_LINES = 2  # ... and only as many as fit in this many lines (the heatmaps need room)


class NameStats(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("name_stats")
        self.setToolTip(help_texts.tooltip("name_stats"))
        self._theme: Theme = DEFAULT
        self._train: frozenset[str] = frozenset()
        self._all: frozenset[str] = frozenset()
        self._dataset_mean = 0.0
        self.quality: NameQuality | None = None
        # Wrapped labels that claim their lines: a short dock never cuts or overlaps them.
        self.numbers = WrappedLabel("Generate names (G) to see how good they are.")
        self.verdict = WrappedLabel("")
        # The names themselves, flowing like text: projector mode shows them here instead
        # of the sampling list, which at slide-sized fonts would show only two or three.
        self.names = WrappedLabel("")
        self.names.hide()
        self._samples: list[str] = []
        self._measure = QLabel()  # never shown: how many lines a text takes at a width
        self._measure.setWordWrap(True)
        self._names_width = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.numbers)
        lay.addWidget(self.verdict)
        lay.addWidget(self.names)

    def set_data(self, train_docs, all_docs, dataset_mean: float | None = None,
                 complete: bool = False) -> None:
        """The run's names: training part and the whole dataset (after each reset).
        complete: all_docs is a frozenset that already holds every training name (the
        trainer's own documents): used as it is, no union copied on the GUI thread."""
        self._train = frozenset(train_docs)  # no copy when it is one already
        all_set = frozenset(all_docs)
        self._all = all_set if complete else all_set | self._train
        # The dataset mean is over every document (duplicates included) when given;
        # the sets here are enough for membership, not for an exact mean.
        self._dataset_mean = mean_length(self._all) if dataset_mean is None else dataset_mean

    def set_run(self, info) -> None:
        """From a RunInfo: train_docs; the held-out names are not in RunInfo, so the
        dataset mean falls back to the training names (the split is random: same mean)."""
        train = getattr(info, "train_docs", frozenset())
        self.set_data(train, getattr(info, "all_docs", train))

    def set_show_names(self, on: bool) -> None:
        self.names.setVisible(on)
        self._fill_names()

    def _fill_names(self) -> None:
        """The batch's first names, as many as fit in NAME_LINES lines at the label's
        width (all of the first PROJECTOR_NAMES before it has one)."""
        t = self._theme
        parts = []
        for name in self._samples[:PROJECTOR_NAMES]:
            colour = t.copied_name if not name or name in self._train else t.new_name
            parts.append(f'<span style="color:{colour}">{name or "(empty)"}</span>')
        width = self.names.width() if self.names.isVisible() else 0
        self._names_width = width
        if width > 0 and parts:
            self._measure.setFont(self.names.font())
            self._measure.setText("<br>".join(["x"] * NAME_LINES))
            room = self._measure.heightForWidth(width)
            while len(parts) > 1:
                self._measure.setText(" · ".join(parts))
                if self._measure.heightForWidth(width) <= room:
                    break
                parts.pop()
        self.names.setText(" · ".join(parts))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.names.isVisible() and self.names.width() != self._names_width:
            self._fill_names()  # another width: another number of names fits

    def show_batch(self, samples) -> NameQuality:
        self._samples = list(samples)
        self._fill_names()
        q = name_quality(list(samples), self._train, self._all, self._dataset_mean)
        self.quality = q
        if q.count == 0:
            self.numbers.setText("no names in this batch")
            self.verdict.setText("")
            return q
        unseen = f" · {q.heldout_share:.0%} real but unseen" if q.heldout_share else ""
        self.numbers.setText(
            f"<b>{q.new_share:.0%} new</b> · {q.copy_share:.0%} copies{unseen} · "
            f"{q.distinct_share:.0%} different · length {q.mean_length:.1f} "
            f"(real {q.dataset_mean_length:.1f})"
        )
        self.numbers.setToolTip(
            f"Of {q.count} names: {q.new_share:.0%} are new (not in the data), "
            f"{q.copy_share:.0%} are copies of training names, {q.heldout_share:.0%} are "
            f"real names the model never trained on; {q.distinct_share:.0%} are different "
            f"from each other. Mean length {q.mean_length:.1f} letters, real names "
            f"{q.dataset_mean_length:.1f}.")
        self.verdict.setText(f"<b>Verdict:</b> {q.verdict}")
        return q

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        font = self.font()
        font.setPointSize(theme.font_size)
        self.numbers.setFont(font)
        self.verdict.setFont(font)
        self.names.setFont(font)
        self._fill_names()
