"""What the window does and says as a dataset loads: progress in the status bar, the
Controls' data box, a first model on new data, and a clear message when a file cannot
be read or used (falling back to the bundled names when last session's file fails at
start).

The loading itself is datasets.DatasetManager's (a task thread); this is only the
window's side of it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

NO_DATA = "no dataset: open a text file"


class DataMessages:
    def __init__(self, window):
        self.window = window
        self.start_load = None  # (generation, source) of the load that started the window
        d = window.datasets
        d.loading.connect(lambda what: window.statusBar().showMessage(f"Loading {what}…"))
        d.progress.connect(self._progress)
        d.loaded.connect(self._loaded)
        d.failed.connect(self._failed)
        d.cancelled.connect(self._cancelled)
        d.unusable = self.unusable

    def unusable(self, ds) -> str:
        """Why the next Reset could not train on ds ('' if it can): the Trainer's own rule
        for the split the settings ask for (the preset's validation share), checked as
        the file arrives. Such a file is refused like an unreadable one, so the Data box
        and the cost line never show data that is not the data in use."""
        from engine import ConfigError
        from engine.trainer import split_problem

        try:
            val_fraction = self.window.build_config().train.val_fraction
        except ConfigError:  # the fields say what is wrong, and Reset waits for them
            return ""
        problem = split_problem(len(ds.docs), val_fraction)
        return f"{ds.source}: {problem}" if problem else ""

    def ask_open(self) -> None:
        """File ▸ Open text file…: a file dialog, then load the file chosen."""
        w = self.window
        path, _ = QFileDialog.getOpenFileName(w, "Open a text file (one document per line)",
                                              "", "Text files (*.txt);;All files (*)")
        if path:
            w.datasets.load_path(path)

    def _loaded(self, ds) -> None:
        w = self.window
        w.statusBar().showMessage(f"Loaded {ds.name}: {ds.summary()}", 5000)
        w.controls.set_dataset_text(f"<b>{ds.name}</b><br>{ds.summary()}")
        if w.controller.info is None or w.controller.history.step == 0:
            w.reset()  # nothing trained yet: nothing to lose, start on the new data
        else:
            w.refresh_needs_reset()

    def _failed(self, message: str) -> None:
        w, datasets = self.window, self.window.datasets
        start, self.start_load = self.start_load, None
        if (datasets.dataset is None and start is not None and start[1] != "bundled"
                and start[0] == datasets.generation):  # (not a later load's failure)
            # Last session's file cannot be read today: start on the bundled names, as
            # for a file that has gone, rather than with no data and no model.
            w.show_error(f"Could not load last time's dataset.\n{message}\n"
                         "The bundled names are loaded instead.")
            datasets.load_bundled()
            return
        if datasets.dataset is None:
            w.controls.set_dataset_text(NO_DATA)
        w.show_error(f"Could not load the dataset.\n{message}")

    def _cancelled(self) -> None:
        w = self.window
        if w.datasets.dataset is None:
            w.controls.set_dataset_text(NO_DATA)
        w.statusBar().showMessage("Loading cancelled", 5000)

    def _progress(self, done, total) -> None:
        if total and total > 0:
            self.window.statusBar().showMessage(f"Loading… {100 * done // total}%")
