"""File ▸ Save lesson / Open lesson: map a Lesson (lesson.py) onto the window and back.

Opening applies everything before one Reset (data, preset, sizes, flags, recipe, seed),
so the first steps are exactly the ones the teacher rehearsed; then the display settings
(speed, probe word, smoothing, layout, projector mode). Settings the controls panel has
no field for (e.g. grad_clip) are kept here and applied through window.config_modifiers;
picking another preset or ticking the Optimizations panel drops them (the user took over).

A lesson is never half-applied: everything that can be checked without reading the data
is checked first (a value the window's fields cannot show is refused, not clamped), and
if the data then fails to load or the model cannot be built from it, the window goes back
to the settings, data and layout it had before.

LessonManager holds the when (the order of the steps, the data load, the lesson's Reset);
beside it: control_fit.py (does a value fit its field), lesson_display.py (the display
settings and dock layout), lesson_undo.py (the window put back), lesson_dialogs.py.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.data import DataError, bundled_path
from engine.download import MAKEMORE, is_makemore_copy

from .control_fit import misfits
from .lesson import Lesson, LessonError, load_lesson, save_lesson
from .lesson_display import apply_display, layout_of
from .lesson_undo import put_back, snapshot


class LessonManager(QObject):
    opened = Signal(str)  # path, once the lesson's model has been built
    failed = Signal(str)
    saved = Signal(str)  # path, once the lesson file is written
    changed = Signal()  # .lesson is another one (opened, saved, or put back after a failure)

    def __init__(self, window, projector, live=None, parent=None):
        super().__init__(parent or window)
        self.window = window
        self.projector = projector
        self.live = live  # LiveChanges (validation interval), optional
        self.lesson: Lesson | None = None
        self.path: str | None = None
        self.overrides: dict = {}
        self._pending: Lesson | None = None
        # The controller's token of the pending lesson's model, once asked for (None while
        # its data loads): models asked for before it (a Reset still being built, or one
        # pressed while the data loads, on the old data) are not the lesson's.
        self._token: int | None = None
        window.config_modifiers.append(self.modify)
        window.controls.preset.currentTextChanged.connect(self._user_took_over)
        self._explorer_hooked = False  # the Optimizations panel may be installed after us
        self._before: dict | None = None  # the window as it was, while a lesson opens
        self._loading_own = False  # the lesson is starting its own data load
        window.datasets.loading.connect(self._on_dataset_loading)
        window.datasets.loaded.connect(self._on_dataset_loaded)
        window.datasets.failed.connect(self._on_dataset_failed)
        window.datasets.cancelled.connect(lambda: self._undo("loading its data was cancelled"))
        window.controller.reset_done.connect(self._on_reset_done)
        window.controller.error.connect(self._on_controller_error)

    # --- config modifier ------------------------------------------------------------------
    def modify(self, cfg) -> None:
        for key, value in self.overrides.items():
            part = cfg.model if hasattr(cfg.model, key) else cfg.train
            setattr(part, key, value)

    def _user_took_over(self, *_):
        if self.overrides:
            self.overrides = {}
            self.window.refresh_needs_reset()

    # --- window -> lesson ---------------------------------------------------------------------
    def current(self) -> Lesson:
        w = self.window
        cfg = w.build_config()
        sampling = w.panels.get("sampling")
        if sampling is not None:
            cfg.train.temperature = sampling.temperature_value()
            cfg.train.top_k = sampling.top_k_value()
            cfg.train.num_samples = sampling.count.value()
        speed = w.controls.speed.currentData()
        attention = w.panels.get("attention")
        probe = ""
        if attention is not None and not attention.follow.isChecked():
            probe = attention.word.text().strip()
        curves = w.panels.get("curves")
        view = curves.save_state() if curves is not None else {}
        title = self.lesson.title if self.lesson is not None else ""
        notes = self.lesson.notes if self.lesson is not None else ""
        return Lesson.from_run_config(
            cfg, w.controls.preset.currentText(), title=title, notes=notes,
            dataset=self._dataset_entry(w.datasets.dataset),
            speed=int(speed) if speed else "max", probe_word=probe, view=view,
            layout=layout_of(w, self.projector), projector=self.projector.active)

    @staticmethod
    def _dataset_entry(ds) -> str:
        """The lesson's "dataset": the makemore names as MAKEMORE, not as this machine's
        per-user cache path (the classroom PC has its own cache, or none yet)."""
        if ds is None:
            return "bundled:names.txt"
        if not ds.source.startswith("bundled") and is_makemore_copy(ds.source):
            return MAKEMORE
        return ds.source

    def save(self, path: str) -> None:
        try:
            lesson = self.current()
            if not lesson.title:
                lesson.title = Path(path).stem.replace("-", " ")
            save_lesson(lesson, path)
        except LessonError as e:
            self.failed.emit(str(e))
            return
        self.lesson, self.path = lesson, path
        self.window.statusBar().showMessage(f"Saved lesson {path}", 6000)
        self.changed.emit()
        self.saved.emit(path)

    # --- lesson -> window ---------------------------------------------------------------------
    def open(self, path: str) -> bool:
        """Apply a lesson file; False (and a message) if it cannot be used."""
        try:
            lesson = load_lesson(path)
            source = lesson.dataset_source(path)
            if source.startswith("bundled"):
                name = source.split(":", 1)[1] if ":" in source else "names.txt"
                if not bundled_path(name).is_file():
                    raise LessonError(f'{path}: "dataset": there is no bundled file {name!r} '
                                      '(the app ships "bundled:names.txt")')
            elif source != MAKEMORE and not Path(source).is_file():
                raise LessonError(f"{path}: the dataset file {source} does not exist")
            cfg = lesson.run_config()
            self._check_fits_the_controls(path, cfg)
        except (LessonError, DataError) as e:
            self.failed.emit(str(e))
            return False
        # A lesson still waiting for its data is replaced by this one: going back means
        # going back to the window before either.
        before = self._before if self._pending is not None and self._before else \
            snapshot(self)
        self._before = before  # what _undo puts back, if the lesson fails on the way
        try:
            self._apply(path, lesson, cfg, source)
        except Exception as e:  # a bug must not leave the window half-changed
            self._undo(f"{type(e).__name__}: {e}")
            self.failed.emit(f"{path}: could not be applied ({type(e).__name__}: {e})")
            return False
        if self._pending is None:  # refused on the way (_reset), and put back already
            return self.lesson is lesson
        return True

    def _check_fits_the_controls(self, path, cfg) -> None:
        """Every value the controls panel shows must fit its field: a spin box would clamp
        a seed of -1 to 0 or 512 to 256 silently, and the run would not be the lesson's."""
        problems = misfits(self.window, cfg)
        if problems:
            raise LessonError(f"{path}: {problems[0]}")

    def _apply(self, path, lesson: Lesson, cfg, source: str) -> None:
        w = self.window
        w.controls.load_config(cfg, lesson.preset)  # (clears overrides via the preset box)
        explorer = w.panels.get("explorer")
        if explorer is not None and hasattr(explorer, "adopt"):
            explorer.adopt(cfg)
            if not self._explorer_hooked and hasattr(explorer, "choices_changed"):
                explorer.choices_changed.connect(self._user_took_over)
                self._explorer_hooked = True
        self.overrides = {k: v for k, v in lesson.settings.items()
                          if k not in w.controls.fields}
        if self.live is not None:
            self.live.set_val_every(cfg.train.val_every, chosen=True)
        self.lesson, self.path = lesson, str(path)
        self._pending, self._token = lesson, None
        apply_display(w, self.projector, lesson)
        ds = w.datasets.dataset
        if source == MAKEMORE:
            if ds is not None and is_makemore_copy(ds.source):
                self._reset()
            else:  # the cached copy, or a download (progress, Cancel, offline message)
                self._own_load(w.datasets.download_makemore)  # -> _on_dataset_loaded
        elif ds is not None and ds.source == source:
            self._reset()
        else:
            self._own_load(lambda: w.datasets.load(source, source))  # -> _on_dataset_loaded

    def _own_load(self, start) -> None:
        """start() the lesson's data load (its `loading` signal is not another's)."""
        self._loading_own = True
        try:
            start()
        finally:
            self._loading_own = False

    def _on_dataset_loading(self, _label: str) -> None:
        """Another data file opened while the lesson's data loads replaces that load
        (the latest load wins): the user chose that file, so the lesson is not opened."""
        if not self._loading_own and self._pending is not None and self._token is None:
            self._undo("another data file was opened while its data loaded")

    def _reset(self) -> None:
        """The lesson's model: a Reset with its settings, on its data (loaded by now)."""
        w = self.window
        problem = w.controls.problem_text()
        if problem:  # e.g. too big for this machine's memory: the window would refuse
            path = self.path
            self._undo("its model cannot be built here")
            self.failed.emit(f"{path}: its model cannot be built here. {problem}")
            return
        c = w.controller
        before = c.requested
        w.reset()
        if c.requested != before:
            self._token = c.requested
        else:  # refused for another reason, which the window has said
            self._undo("its model could not be built")

    def _on_dataset_loaded(self, ds) -> None:
        if self._pending is None or self._token is not None:
            return
        c = self.window.controller
        if c.requested_data is ds:
            # The window has just reset itself on the new data (nothing was trained): that
            # model has the lesson's settings and data. The latest request can be on `ds`
            # only if it was made since `ds` arrived, i.e. by the window in this signal.
            self._token = c.requested
        else:
            # A Reset pressed while the data loaded (or a checkpoint opened) was asked for
            # on other data, built or not: the lesson asks for its own.
            self._reset()

    # --- going back when the lesson's data or model fails ---------------------------------------
    def _undo(self, why: str) -> None:
        """The lesson cannot be used after all: put the window back as it was."""
        before, self._before = self._before, None
        self._pending = None
        if before is None:
            return
        put_back(self, before, why)

    def _on_dataset_failed(self, message: str) -> None:
        # The window has shown the data file's problem; take the lesson's changes back.
        if self._pending is not None:
            self._undo("its data could not be loaded")

    def _on_controller_error(self, message: str) -> None:
        # The lesson's model could not be built (e.g. too few documents for its split).
        if (self._pending is not None and self._token is not None
                and not self.window.controller.pending(self._token)):
            self._undo("its model could not be built from its data")

    def _on_reset_done(self, info) -> None:
        if self._pending is not None and self.window.controller.answered != self._token:
            return  # not the lesson's model (asked for before it, or its data still loads)
        lesson, self._pending = self._pending, None
        self._before = None
        if lesson is None:
            return
        sampling = self.window.panels.get("sampling")
        if sampling is not None:  # after the panel fitted its top-k range to the vocabulary
            t = info.config.train
            sampling.set_temperature(t.temperature)
            sampling.set_top_k(t.top_k)
            sampling.count.setValue(max(1, min(t.num_samples, sampling.count.maximum())))
        title = lesson.title or Path(self.path or "lesson").stem
        self.window.setWindowTitle(f"{title} — microgpt")
        notes = lesson.notes.strip()
        note = notes.split(". ")[0] if notes else "ready: press Space to train"
        message = f"Lesson “{title}”: {note}"
        if len(note) < len(notes.rstrip(".")):  # more than one sentence: point to N,
            # in view however long the sentence (the status bar elides before it)
            self.window.status.show_with_hint(message + " …", "(N shows all the notes)",
                                              15000)
        else:
            self.window.statusBar().showMessage(message, 15000)
        self.changed.emit()
        self.opened.emit(self.path or "")
