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
"""

from __future__ import annotations

import base64
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtWidgets import QFileDialog

from engine.data import DataError, bundled_path
from engine.download import MAKEMORE, is_makemore_copy

from .dock_tabs import hide_stale_tab_bars
from .lesson import Lesson, LessonError, load_lesson, save_lesson

FILTER = "microgpt lessons (*.json)"
# Settings the window owns elsewhere: sampling sliders and the live validation interval.
SAMPLING_KEYS = ("temperature", "top_k", "num_samples")


class LessonManager(QObject):
    opened = Signal(str)  # path, once the lesson's model has been built
    failed = Signal(str)
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
            layout=self._layout(), projector=self.projector.active)

    @staticmethod
    def _dataset_entry(ds) -> str:
        """The lesson's "dataset": the makemore names as MAKEMORE, not as this machine's
        per-user cache path (the classroom PC has its own cache, or none yet)."""
        if ds is None:
            return "bundled:names.txt"
        if not ds.source.startswith("bundled") and is_makemore_copy(ds.source):
            return MAKEMORE
        return ds.source

    def _layout(self) -> dict:
        w = self.window
        state = self.projector.saved_state() or w.saveState()
        visible = sorted(pid for pid, dock in w.docks.items() if not dock.isHidden())
        if self.projector.active:  # what the desktop layout shows, not the projector's
            visible = sorted(set(visible) | set(self.projector.hidden_panels()))
        return {"dock_state": base64.b64encode(bytes(state)).decode("ascii"),
                "visible": visible}

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
            self._snapshot()
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
        self._apply_display(lesson)
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
    def _snapshot(self) -> dict:
        """What opening a lesson changes, to put back if it fails half-way."""
        w = self.window
        explorer, live = w.panels.get("explorer"), self.live
        attention, surprise = w.panels.get("attention"), w.panels.get("surprise")
        curves = w.panels.get("curves")
        return {
            "config": w.controls.config(), "preset": w.controls.preset.currentText(),
            "explorer": explorer.save_state() if explorer is not None else None,
            "overrides": dict(self.overrides),
            "live": (live.val_every.value(), live.chosen) if live is not None else None,
            "speed": w.controls.speed.currentData(),
            "probe": (attention.word.text(), attention.follow.isChecked())
            if attention is not None else None,
            "surprise": surprise.view.entry.text() if surprise is not None else None,
            "view": curves.save_state() if curves is not None else None,
            "layout": self._layout(), "projector": self.projector.active,
            "lesson": self.lesson, "path": self.path, "title": w.windowTitle(),
            "dataset": w.datasets.dataset,
        }

    def _undo(self, why: str) -> None:
        """The lesson cannot be used after all: put the window back as it was."""
        before, self._before = self._before, None
        self._pending = None
        if before is None:
            return
        w = self.window
        w.controls.load_config(before["config"], before["preset"])
        explorer = w.panels.get("explorer")
        if explorer is not None and before["explorer"] is not None:
            explorer.restore_state(before["explorer"])
        self.overrides = before["overrides"]
        if self.live is not None and before["live"] is not None:
            value, chosen = before["live"]
            self.live.set_val_every(value)
            self.live.chosen = chosen
        speed = before["speed"]
        w.controls.set_speed(speed if speed else 0)
        w.controller.set_speed(float(speed or 0))
        attention, surprise = w.panels.get("attention"), w.panels.get("surprise")
        if attention is not None and before["probe"] is not None:
            attention.word.setText(before["probe"][0])
            attention.follow.setChecked(before["probe"][1])
        if surprise is not None and before["surprise"] is not None:
            surprise.view.entry.setText(before["surprise"])
        curves = w.panels.get("curves")
        if curves is not None and before["view"] is not None:
            curves.restore_state(before["view"])
        self.projector.set_active(False)
        self._apply_layout(before["layout"])
        self.projector.set_active(before["projector"])
        self.lesson, self.path = before["lesson"], before["path"]
        self.changed.emit()
        w.setWindowTitle(before["title"])
        ds = before["dataset"]
        if ds is not None and w.datasets.dataset is not ds:
            w.datasets.dataset = ds
            w.controls.set_dataset_text(f"<b>{ds.name}</b><br>{ds.summary()}")
        w.refresh_needs_reset()
        w.statusBar().showMessage(f"The lesson was not opened ({why}); nothing changed",
                                  15000)

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

    def _apply_display(self, lesson: Lesson) -> None:
        w = self.window
        speed = 0 if lesson.speed == "max" else lesson.speed
        w.controls.set_speed(speed)
        w.controller.set_speed(float(speed))
        attention = w.panels.get("attention")
        if attention is not None:
            attention.word.setText(lesson.probe_word)
            attention.follow.setChecked(not lesson.probe_word)
        surprise = w.panels.get("surprise")
        if surprise is not None:
            surprise.view.entry.setText(lesson.probe_word)
        curves = w.panels.get("curves")
        if curves is not None and lesson.view:
            curves.restore_state(lesson.view)
        self.projector.set_active(False)  # lay out the desktop view first
        self._apply_layout(lesson.layout)
        self.projector.set_active(lesson.projector)

    def _apply_layout(self, layout: dict) -> None:
        w = self.window
        state = layout.get("dock_state")
        if isinstance(state, str):
            try:
                w.restoreState(QByteArray(base64.b64decode(state, validate=True)))
                hide_stale_tab_bars(w)
            except ValueError:
                pass  # a damaged layout is not worth refusing the lesson for
        visible = layout.get("visible")
        if isinstance(visible, list):
            for pid, dock in w.docks.items():
                dock.setVisible(pid in visible)

    # --- dialogs -------------------------------------------------------------------------
    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", self._folder(),
                                              f"{FILTER};;All files (*)")
        if path:
            self.open_asking(path)

    def open_asking(self, path: str) -> None:
        """open(path), after asking about a long unsaved run (the lesson replaces it)."""
        guard = getattr(self.window, "unsaved", None)
        if guard is None:
            self.open(path)
        else:
            guard.confirm("open a lesson", lambda: self.open(path))

    def ask_save(self) -> None:
        start = self.path or str(Path(self._folder()) / "my-lesson.json")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save lesson", start, FILTER)
        if path:
            self.save(path if path.endswith(".json") else path + ".json")

    def _folder(self) -> str:
        return str(Path(self.path).parent) if self.path else str(Path.home())


def _num(x) -> str:
    """A spin box limit for people: 1,000,000 rather than 1e+06 or 1000000.0."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def misfits(window, cfg) -> list[str]:
    """Settings of cfg that the window's fields cannot show as they are (a spin box or
    slider would clamp or round them), each as '"name" is value; ... offers lo to hi'."""
    out = []
    for name, box in window.controls.fields.items():
        value = getattr(cfg.model if hasattr(cfg.model, name) else cfg.train, name)
        lo, hi = box.minimum(), box.maximum()
        decimals = box.decimals() if hasattr(box, "decimals") else 0
        if not lo <= value <= hi:
            out.append(f'"{name}" is {value}; this window offers {_num(lo)} to {_num(hi)}')
        elif decimals and abs(round(value, decimals) - value) > 1e-12 * abs(value):
            out.append(f'"{name}" is {value}; this window works with at most {decimals} '
                       "decimals")
    sampling = window.panels.get("sampling")
    if sampling is None:
        return out
    from .sampling_panel import T_STEP

    t = cfg.train.temperature
    lo, hi = sampling.temperature.minimum() * T_STEP, sampling.temperature.maximum() * T_STEP
    if not lo - 1e-9 <= t <= hi + 1e-9 or abs(round(t / T_STEP) * T_STEP - t) > 1e-9:
        out.append(f'"temperature" is {t}; the sampling slider offers '
                   f"{_num(round(lo, 4))} to {_num(round(hi, 4))} in steps of {_num(T_STEP)}")
    n, box = cfg.train.num_samples, sampling.count
    if not box.minimum() <= n <= box.maximum():
        out.append(f'"num_samples" is {n}; the sampling panel makes {_num(box.minimum())} '
                   f"to {_num(box.maximum())} names at once")
    return out

