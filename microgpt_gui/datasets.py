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
        self.busy = True
        self.loading.emit(label)
        self.tasks.run(job, self._done, self._failed, self.progress.emit)

    def _done(self, dataset):
        self.busy = False
        self.dataset = dataset
        self.loaded.emit(dataset)

    def _failed(self, message: str):
        self.busy = False
        self.failed.emit(message)
