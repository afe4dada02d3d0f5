"""DatasetManager: which documents the next Reset trains on, loaded off the GUI thread.

Sources: the bundled names, any UTF-8 text file (one document per line), or the seed's
makemore names, downloaded on request through engine.download's cache. Loading never
blocks the window; failures arrive as one-line messages and leave the current dataset
in place, and so does a file the next Reset could not use (too few documents for the
preset's validation split). A load that takes longer than SHOW_AFTER_MS shows
LoadProgress: a progress bar with a Cancel button (small files finish before it would
appear, so it never flashes).
Cancel stops the load at its next progress report and keeps the current dataset and run.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout

from .special_files import special_file_problem

SHOW_AFTER_MS = 300


class DatasetManager(QObject):
    loading = Signal(str)  # what is being loaded (for the status bar)
    progress = Signal(object, object)  # done, total (bytes; total -1 = unknown)
    loaded = Signal(object)  # engine Dataset
    failed = Signal(str)
    cancelled = Signal()  # the user stopped the load; nothing changed

    def __init__(self, tasks, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.dataset = None  # the current engine Dataset
        self.busy = False
        self.label = ""  # what is being loaded
        self._generation = 0
        self._job = None  # the TaskThread of the load in progress
        # Dataset -> why the next Reset could not train on it ('' if it can): the window
        # sets it (DataMessages). A loaded file it refuses fails like an unreadable one,
        # and the current dataset stays.
        self.unusable = None

    def load_bundled(self):
        self.load("bundled", "bundled names")

    def load_path(self, path: str):
        self.load(str(path), str(path))

    def load(self, source: str, label: str):
        from engine import load_dataset
        from engine.data import DataError

        problem = special_file_problem(source)  # a named pipe would load for ever

        def job(progress):
            if problem:  # failed like any other bad file: the same message, the same way
                raise DataError(problem)
            return load_dataset(source, progress=progress)

        self._start(label, job)

    def download_makemore(self):
        def job(progress):
            from engine import load_dataset
            from engine.data import DataError
            from engine.download import ensure_makemore

            path = ensure_makemore(progress=progress)
            try:
                ds = load_dataset(path)
            except DataError as e:  # the cached copy was damaged after it was downloaded
                raise DataError(f"{e} (the cached makemore download: delete it to fetch "
                                "it again)") from None
            ds.name = "makemore names.txt"
            return ds

        self._start("makemore names (download)", job)

    def _start(self, label: str, job):
        # Loads may overlap (a second Open before the first finished): the latest one
        # wins, and an older one finishing must neither clear `busy` nor replace it.
        self._generation += 1
        gen = self._generation
        if self._job is not None:  # superseded: stop reading it
            self._job.requestInterruption()
        self.busy = True
        self.label = label
        self.loading.emit(label)
        self._job = self.tasks.run(job, lambda ds: self._done(gen, ds),
                                   lambda m: self._failed(gen, m),
                                   lambda done, total: self._progress(gen, done, total))

    @property
    def generation(self) -> int:
        """Which load is the latest (one more with every load or cancel)."""
        return self._generation

    def reading(self) -> bool:
        """The load in progress is still at work (not just its result on the way here)."""
        return self.busy and self._job is not None and self._job.isRunning()

    def cancel(self) -> None:
        """Stop the load in progress. Its thread ends at its next progress report (the
        engine reports every MiB read: tasks.Cancelled); whatever it would still deliver
        is ignored, so the current dataset and run stay as they are."""
        if not self.busy:
            return
        self._generation += 1
        self.busy = False
        if self._job is not None:
            self._job.requestInterruption()
            self._job = None
        self.cancelled.emit()

    def _progress(self, gen: int, done, total):
        if gen == self._generation:
            self.progress.emit(done, total)

    def _done(self, gen: int, dataset):
        if gen != self._generation:
            return
        problem = self.unusable(dataset) if self.unusable is not None else ""
        if problem:
            self._failed(gen, problem)
            return
        self.busy = False
        self._job = None
        self.dataset = dataset
        self.loaded.emit(dataset)

    def _failed(self, gen: int, message: str):
        if gen != self._generation:
            return
        self.busy = False
        self._job = None
        self.failed.emit(message)


class LoadProgress(QDialog):
    """Progress of a slow load, with Cancel. Shown only once a load has taken
    SHOW_AFTER_MS; not modal (training goes on) and not taking the keyboard, so Space
    still means Train/Pause in the window rather than pressing Cancel."""

    def __init__(self, datasets: DatasetManager, parent=None):
        super().__init__(parent)
        self.datasets = datasets
        self.setObjectName("load_progress")
        self.setWindowTitle("Loading")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.shown_count = 0  # times it appeared (tests: a small file never shows it)
        self.text = QLabel()
        self.bar = QProgressBar()
        self.bar.setMinimumWidth(320)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(datasets.cancel)
        lay = QVBoxLayout(self)
        for w in (self.text, self.bar, self.cancel_button):
            lay.addWidget(w)
        lay.setAlignment(self.cancel_button, Qt.AlignmentFlag.AlignRight)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.timeout.connect(self._appear)
        datasets.loading.connect(self._started)
        datasets.progress.connect(self._progress)
        for signal in (datasets.loaded, datasets.failed, datasets.cancelled):
            signal.connect(self._ended)

    def _started(self, label: str) -> None:
        self.text.setText(f"Loading {label}…")
        self.bar.setRange(0, 0)  # busy until the first report says how much there is
        self._delay.start(SHOW_AFTER_MS)

    def _progress(self, done, total) -> None:
        if total and total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(done, total) / total))

    def _appear(self) -> None:
        if self.datasets.reading():
            self.shown_count += 1
            self.show()

    def _ended(self, *_args) -> None:
        self._delay.stop()
        self.hide()

    def reject(self) -> None:
        """Escape or the window's close button: the same as Cancel."""
        self.datasets.cancel()
        super().reject()
