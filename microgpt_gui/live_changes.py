"""Settings that change while training runs, without a Reset, each marked on the curves.

Speed, temperature, top-k, smoothing and the validation interval (a live field added to
the controls' Training group); the learning rate is marked by the controller itself. A
marker is a vertical line on the curves labelled with the new value (History.add_event),
so a class sees what the change did.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFormLayout, QGroupBox, QSpinBox, QWidget

DEBOUNCE_MS = 700  # one marker per finished slider drag, not one per pixel


class LiveChanges(QObject):
    """Settings that change while training runs, each marked on the curves (a vertical
    line labelled with the new value): speed, temperature, top-k, smoothing, validation
    interval. The learning rate is marked by the controller itself."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        c = window.controller
        # kind -> (the run's History, the step of the first edit, the latest text); one
        # timer per kind, so a drag of one slider does not hold back another's marker
        self._pending: dict[str, tuple[object, int, str]] = {}
        self._timers: dict[str, QTimer] = {}
        # the validation interval: a live field in the Training group of the controls
        self.val_every = QSpinBox()
        self.val_every.setRange(0, 100_000)
        self.val_every.setSingleStep(50)
        self.val_every.setSpecialValueText("never")
        self.val_every.setKeyboardTracking(False)
        self.val_every.setToolTip("Measure the validation loss every N steps (live, no Reset)")
        self.val_every.valueChanged.connect(self._val_every_changed)
        form = _training_form(window.controls)
        if form is not None:
            form.addRow("Validate every", self.val_every)
            # Made after the other fields: without this, Tab from Batch size jumped to the
            # Attention panel and reached this field only after the toolbar, last of all.
            last = form.itemAt(form.rowCount() - 2, QFormLayout.ItemRole.FieldRole)
            if last is not None and last.widget() is not None:
                QWidget.setTabOrder(last.widget(), self.val_every)
        window.config_modifiers.append(self.modify)
        window.controls.speed_edited.connect(
            lambda sps: self.mark("speed", f"speed {int(sps)}/s" if sps else "speed max"))
        curves = window.panels.get("curves")
        if curves is not None:
            curves.smoothing.valueChanged.connect(
                lambda v: self.mark("smoothing", f"smoothing {v:g}"))
        s = window.panels.get("sampling")
        if s is not None:
            s.temperature.valueChanged.connect(
                lambda _v: self.mark("temperature", f"temperature {s.temperature_value():g}"))
            s.top_k.valueChanged.connect(lambda _v: self.mark(
                "top_k", "top-k off" if s.top_k_value() is None else f"top-k {s.top_k_value()}"))
        c.reset_done.connect(lambda info: self.set_val_every(info.config.train.val_every))
        self.chosen: int | None = None  # an interval set here (or by a lesson) for Reset
        self._box_seen: bool | None = None  # _validation_box() when the field was last set
        window.controls.preset.currentTextChanged.connect(self._preset_changed)
        self._preset_changed(window.controls.preset.currentText())  # start at the recipe's
        explorer = window.panels.get("explorer")
        if explorer is not None and hasattr(explorer, "choices_changed"):
            explorer.choices_changed.connect(self._explorer_changed)

    def mark(self, kind: str, text: str) -> None:
        """Queue a marker; edits of one kind within DEBOUNCE_MS of each other collapse
        into one, labelled with the last value and placed at the step of the first (the
        step the change was made at, as the controller marks a new lr)."""
        c = self.window.controller
        h = c.history
        if c.info is None or h.step == 0:
            return  # before the first step there is nothing to compare with
        held = self._pending.get(kind)
        if held is not None and held[0] is not h:
            self.flush(kind)  # still pending from the run before a Reset: that run's mark
            held = None
        step = held[1] if held is not None else h.step
        self._pending[kind] = (h, step, text)
        timer = self._timers.get(kind)
        if timer is None:
            timer = self._timers[kind] = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(DEBOUNCE_MS)
            timer.timeout.connect(lambda kind=kind: self.flush(kind))
        timer.start()

    def flush(self, kind: str | None = None) -> None:
        """Add the queued marker of `kind` (None: of every kind) to its run's history."""
        for k in [kind] if kind is not None else list(self._pending):
            held = self._pending.pop(k, None)
            if k in self._timers:
                self._timers[k].stop()
            if held is not None:
                history, step, text = held
                history.add_event(step, text)

    def set_val_every(self, n: int, chosen: bool = False) -> None:
        """Show n without treating it as a live change; chosen = the value Reset uses
        from now on (a lesson's), else it only shows what the run does."""
        self.val_every.blockSignals(True)
        self.val_every.setValue(int(n))
        self.val_every.blockSignals(False)
        self._box_seen = self._validation_box()
        if chosen:
            self.chosen = int(n)

    def _preset_changed(self, name: str) -> None:
        from engine import preset

        self.chosen = None  # a new recipe: its own interval
        self.set_val_every(preset(name).train.val_every)

    def _validation_box(self) -> bool | None:
        """The Optimizations panel's own say on the interval: its "Periodic validation"
        tick where it differs from the preset (True/False), None where it has none."""
        explorer = self.window.panels.get("explorer")
        choice = getattr(explorer, "user_choice", None)
        return choice.get("val_every") if isinstance(choice, dict) else None

    def _explorer_changed(self) -> None:
        # The panel says choices_changed for any of its boxes; only "Periodic validation"
        # ticked on or off (by hand or by "Back to preset") is a newer choice of interval
        # than the field's: then show what Reset will now use. (Any box did it once: untick
        # gradient clipping and the field went back to 100, the 50 typed there was lost for
        # Reset, while the running trainer went on validating every 50.)
        box = self._validation_box()
        if box == self._box_seen:
            return
        self.chosen = None
        self.set_val_every(self.window.build_config().train.val_every)

    def _val_every_changed(self, n: int) -> None:
        self.chosen = n
        self._box_seen = self._validation_box()
        c = self.window.controller
        if c.info is None:
            return

        def apply(trainer, n=n):  # worker thread, between steps
            trainer.config.train.val_every = n

        c.call_in_worker(apply)
        c.info.config.train.val_every = n  # the run has it now: no "press Reset" for it
        self.mark("val_every", f"validate every {n}" if n else "validation off")
        self.window.refresh_needs_reset()

    def modify(self, cfg) -> None:
        if self.chosen is not None:
            cfg.train.val_every = self.chosen


def _training_form(controls):
    for box in controls.findChildren(QGroupBox):
        if box.title() == "Training" and isinstance(box.layout(), QFormLayout):
            return box.layout()
    return None
