"""DatasetManager: which documents the next Reset trains on, loaded off the GUI thread.

Sources: the bundled names, any UTF-8 text file (one document per line), or the seed's
makemore names, downloaded on request through engine.download's cache. Loading never
blocks the window; failures arrive as one-line messages and leave the current dataset
in place.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class DatasetManager(QObject):
    loading = Signal(str)  # what is being loaded (for the status bar)
    progress = Signal(object, object)  # done, total (bytes; total -1 = unknown)
    loaded = Signal(object)  # engine Dataset
    failed = Signal(str)

    def __init__(self, tasks, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.dataset = None  # the current engine Dataset
        self.busy = False
        self._generation = 0

    def load_bundled(self):
        self.load("bundled", "bundled names")

    def load_path(self, path: str):
        self.load(str(path), str(path))

    def load(self, source: str, label: str):
        from engine import load_dataset

        self._start(label, lambda progress: load_dataset(source, progress=progress))

    def download_makemore(self):
        def job(progress):
            from engine import load_dataset
            from engine.download import ensure_makemore

            path = ensure_makemore(progress=progress)
            ds = load_dataset(path)
            ds.name = "makemore names.txt"
            return ds

        self._start("makemore names (download)", job)

    def _start(self, label: str, job):
        # Loads may overlap (a second Open before the first finished): the latest one
        # wins, and an older one finishing must neither clear `busy` nor replace it.
        self._generation += 1
        gen = self._generation
        self.busy = True
        self.loading.emit(label)
        self.tasks.run(job, lambda ds: self._done(gen, ds), lambda m: self._failed(gen, m),
                       lambda done, total: self._progress(gen, done, total))

    def _progress(self, gen: int, done, total):
        if gen == self._generation:
            self.progress.emit(done, total)

    def _done(self, gen: int, dataset):
        if gen != self._generation:
            return
        self.busy = False
        self.dataset = dataset
        self.loaded.emit(dataset)

    def _failed(self, gen: int, message: str):
        if gen != self._generation:
            return
        self.busy = False
        self.failed.emit(message)
