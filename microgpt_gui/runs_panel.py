"""Run comparison: every finished or replaced run stays in a list (name, preset, changed
flags, final train/val loss, steps, time); ticked runs are overlaid on the same axes with
distinct colours and a legend. The previous run is ticked and drawn faded by default, so
"with vs without" a change is one Reset away.

Records are built from the run's History when the controller replaces it. Memory is
bounded however many and however long the runs (run_store): at most MAX_RUNS are kept (the
oldest unticked run goes first, and the panel says which went), each folded to at most
MAX_ROWS rows.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from engine.run_record import RunRecord, read_csv

from .panels import Panel
from .plotutil import theme_axes, theme_legend
from .run_overlays import RunOverlays
from .run_store import MAX_ROWS, MAX_RUNS, bounded, record_from_history, to_drop
from .scroll_body import ScrollBody
from .special_files import special_file_problem
from .theme import px

PALETTE = ("#e07a1f", "#2a9d5c", "#7b4fa6", "#c2185b", "#00838f", "#8d6e63", "#5c6bc0",
           "#9e9d24")
COLUMNS = ("", "run", "preset", "changes", "train loss", "val loss", "steps", "time")
FINAL_WINDOW = 20  # "final train loss" = mean of the last 20 kept steps (one doc is noisy)


def fmt_loss(x) -> str:
    return "-" if x is None else f"{x:.4f}"


def fmt_time(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


LIVE_NAME = "current run"  # the run being trained, in the plot and in exports

class RunsPanel(Panel):
    panel_id = "runs"
    title = "Runs"
    area = Qt.DockWidgetArea.BottomDockWidgetArea
    help_text = (
        "Every run you replace with Reset is kept here. Tick runs to draw their smoothed "
        "loss (line) and validation loss (dots) on the same axes as the current run. The "
        "previous run is ticked and drawn faded, so switching one optimization off and "
        "pressing Reset shows 'with vs without' at a glance. The latest "
        f"{MAX_RUNS} runs are kept (the oldest unticked one goes first), each at up to "
        f"{MAX_ROWS:,} points."
    )
    runs_changed = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.records: list[RunRecord] = []
        self.ticked: set[int] = set()  # ids (id(record)) of ticked runs
        self.faded: set[int] = set()
        self.counter = 0

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.
                                                           ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemChanged.connect(self._item_changed)
        self.table.setAccessibleName("Runs")
        # Its least height: the header and one row (it scrolls). Qt's own 70 px with the
        # plot's 110 was more than a short dock (a 1280x720 screen) had once the note
        # beside the buttons wrapped, and the plot's step axis was cut off at the bottom.
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height()
                                    + self.table.verticalHeader().defaultSectionSize()
                                    + 2 * self.table.frameWidth())
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "step")
        self.plot.setLabel("left", "loss")
        self.plot.addLegend(offset=(-8, 8))
        self.live_curve = self.plot.plot(name=LIVE_NAME, connect="finite")
        self.overlays = RunOverlays(self.plot.getPlotItem())
        self.attach(self.plot.getPlotItem())

        buttons = QHBoxLayout()
        self.remove_btn = QPushButton("Remove")
        self.remove_btn.clicked.connect(self.remove_selected)
        self.import_btn = QPushButton("Import CSV…")
        self.import_btn.clicked.connect(lambda: self.import_csv())  # not clicked(checked)
        self.export_btn = QPushButton("Export CSV…")
        self.export_btn.setToolTip("Curves of the ticked runs (or of the current run)")
        self.export_btn.clicked.connect(self.export_ticked)
        for b in (self.remove_btn, self.import_btn, self.export_btn):
            buttons.addWidget(b)
        self.note = QLabel(f"keeps the latest {MAX_RUNS} runs; ticked ones go last")
        self.note.setObjectName("runs-note")
        self.note.setWordWrap(True)
        # Room for the two lines it wraps to beside the buttons in a narrow dock: the
        # dock's least height did not count the second one, which cut off the plot below.
        self.note.setMinimumHeight(2 * self.note.fontMetrics().lineSpacing())
        buttons.addWidget(self.note, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.plot)
        # The plot gets most of a short dock: squeezed to ~50 px its loss ticks were
        # stacked on each other and the legend sat on the curve. The table scrolls.
        self.plot.setMinimumHeight(110)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        split.setCollapsible(1, False)
        # A short screen: the contents scroll rather than hold the window too tall (the
        # Time-lapse tab beside it needs less; the dock's least height was this one's).
        self.scroll = ScrollBody(self)
        lay = QVBoxLayout(self.scroll.body)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(buttons)
        lay.addWidget(split, 1)

        ctx.controller.run_closed.connect(self.on_run_closed)
        self._live_version = (None, -1)
        self._drawn_smoothing = None  # the EMA weight the overlays were smoothed with
        self._timer = self.paced_timer(500, self._draw_live)
        self.apply_theme(ctx.theme)

    # --- the list ----------------------------------------------------------------------
    def next_name(self) -> str:
        taken = {r.name for r in self.records}
        self.counter += 1
        while f"run {self.counter}" in taken:  # (an imported run may have the name)
            self.counter += 1
        return f"run {self.counter}"

    def _unique_name(self, name: str, source: str) -> str:
        """An imported run's name, told apart from the runs already here: 'run 1' from
        yesterday.csv beside today's 'run 1' becomes 'run 1 (yesterday)'. 'current run'
        is the live run's name: an exported one comes back as 'current run (FILE)'."""
        taken = {r.name for r in self.records} | {LIVE_NAME}
        if name not in taken:
            return name
        base = f"{name} ({source})"
        out, n = base, 2
        while out in taken:
            out, n = f"{base} {n}", n + 1
        return out

    def current_record(self) -> RunRecord | None:
        c = self.controller
        if not len(c.history) and not c.history.val_steps:
            return None
        return record_from_history(c.history, c.info, LIVE_NAME)

    def all_records(self) -> list[RunRecord]:
        current = self.current_record()
        return self.records + ([current] if current is not None else [])

    def on_run_closed(self, history, info) -> None:
        if not len(history):
            return  # a Reset before any step: nothing to compare
        self.add_record(record_from_history(history, info, self.next_name()), previous=True)

    def add_record(self, rec: RunRecord, previous: bool = False, ticked: bool | None = None):
        """previous=True: the run just replaced; it becomes the one ticked-and-faded ghost.
        Long runs are kept folded (run_store.bounded); beyond MAX_RUNS runs the oldest
        unticked one is dropped."""
        rec = bounded(rec, tail=FINAL_WINDOW)
        if previous:
            for r in self.records:  # only the latest previous run is ticked by default
                if id(r) in self.faded:
                    self.faded.discard(id(r))
                    self.ticked.discard(id(r))
            self.faded.add(id(rec))
        if previous if ticked is None else ticked:
            self.ticked.add(id(rec))
        self.records.append(rec)
        self._drop_beyond_cap(rec)
        self._rebuild_table()
        self.redraw()
        self.runs_changed.emit()

    def _drop_beyond_cap(self, newest: RunRecord) -> None:
        dropped = to_drop(self.records, self.ticked | {id(newest)})
        for r in dropped:
            self.records.remove(r)
            self.ticked.discard(id(r))
            self.faded.discard(id(r))
        if dropped:
            names = ", ".join(r.name for r in dropped)
            self.note.setText(f"Dropped {names}: at most {MAX_RUNS} runs are kept, the "
                              "oldest unticked one first (tick a run to keep it longer).")

    def set_ticked(self, index: int, on: bool) -> None:
        self.table.item(index, 0).setCheckState(Qt.CheckState.Checked if on
                                                else Qt.CheckState.Unchecked)

    def _rebuild_table(self):
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.records))
        for row, r in enumerate(self.records):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Checked if id(r) in self.ticked
                               else Qt.CheckState.Unchecked)
            tick.setBackground(pg.mkColor(self.color(row)))
            self.table.setItem(row, 0, tick)
            cells = (r.name, r.preset, r.changes, fmt_loss(r.final("loss", FINAL_WINDOW)),
                     fmt_loss(r.final("val_loss")), str(r.steps), fmt_time(r.seconds))
            for col, text in enumerate(cells, start=1):
                item = QTableWidgetItem(text)
                if col != 1:  # only the name is editable
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)

    def _item_changed(self, item: QTableWidgetItem):
        r = self.records[item.row()]
        if item.column() == 0:
            if item.checkState() == Qt.CheckState.Checked:
                self.ticked.add(id(r))
            else:
                self.ticked.discard(id(r))
                self.faded.discard(id(r))  # ticked again later: drawn in full colour
            self.redraw()
        elif item.column() == 1:
            r.name = item.text().strip() or r.name
            if item.text() != r.name:  # a blank name keeps the old one: show which
                self.table.blockSignals(True)  # (the cell stayed blank, the legend not)
                item.setText(r.name)
                self.table.blockSignals(False)
            self.redraw()

    def remove_selected(self):
        rows = sorted({i.row() for i in self.table.selectedItems()}, reverse=True)
        for row in rows:
            r = self.records.pop(row)
            self.ticked.discard(id(r))
            self.faded.discard(id(r))
        if rows:
            self._rebuild_table()
            self.redraw()
            self.runs_changed.emit()

    def color(self, index: int) -> str:
        return PALETTE[index % len(PALETTE)]

    # --- overlays ----------------------------------------------------------------------
    def attach(self, plot_item) -> None:
        """Also draw the ticked runs on another plot (e.g. the Curves panel's loss plot)."""
        self.overlays.attach(plot_item)
        self.redraw()

    def overlay_count(self, plot_item=None) -> int:
        """Curves drawn for ticked runs on a plot (loss and val per run)."""
        return len(self.overlays.items(plot_item or self.plot.getPlotItem()))

    def smoothing(self) -> float:
        """The live curve's EMA weight (Curves panel): runs are compared smoothed alike."""
        return float(getattr(self.controller.history, "smoothing", 0.9))

    def redraw(self) -> None:
        self._drawn_smoothing = self.smoothing()
        ticked = [(r, self.color(i), id(r) in self.faded)
                  for i, r in enumerate(self.records) if id(r) in self.ticked]
        self.overlays.draw(ticked, self._drawn_smoothing, px(self.ctx.theme.line_width))

    def _draw_live(self):
        if self._drawn_smoothing != self.smoothing():  # also behind the Curves panel's
            self.redraw()
        h = self.controller.history
        if self._live_version == (h, h.version) or not self.isVisible():
            return
        self._live_version = (h, h.version)
        self.live_curve.setData(h.array("step"), h.array("smooth"))

    # --- CSV -----------------------------------------------------------------------------
    def ticked_records(self) -> list[RunRecord]:
        return [r for r in self.records if id(r) in self.ticked]

    def export_ticked(self):
        from .export import ask_csv

        runs = self.ticked_records() or [r for r in [self.current_record()] if r]
        ask_csv(self, runs)

    def import_csv(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Import curves", "", "CSV (*.csv)")
            if not path:
                return False
        problem = special_file_problem(path)  # a named pipe would block the window for ever
        if problem:
            self._tell(f"Import failed: {problem}")
            return False
        try:
            runs = read_csv(path)
        except ValueError as e:  # one line naming the file, the line and what is wrong
            self._tell(f"Import failed: {e}")
            return False
        before = self.note.text()
        for r in runs:
            r.preset = r.preset or "imported"
            r.name = self._unique_name(r.name, Path(path).stem)
            self.add_record(r, ticked=True)
        dropped = self.note.text() if self.note.text() != before else ""
        names = ", ".join(r.name for r in runs)
        self.note.setText(f"Imported {names} from {Path(path).name}. {dropped}".strip())
        return True

    def _tell(self, text: str) -> None:
        """The window's non-blocking message (status bar, recorded), never a modal box
        that would stop the training signals."""
        show = getattr(self.ctx.window, "show_error", None)
        if show is not None:
            show(text)
        else:  # a panel outside a main window (never in the app)
            self.note.setText(text)

    def apply_theme(self, theme) -> None:
        self.plot.setBackground(theme.plot_background)
        theme_axes(self.plot.getPlotItem(), theme)
        theme_legend(self.plot.getPlotItem().legend, theme)
        self.live_curve.setPen(pg.mkPen(theme.loss_smooth, width=px(theme.line_width)))
        self.redraw()
