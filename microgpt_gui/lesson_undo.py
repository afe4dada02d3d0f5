"""Going back when a lesson's data or model fails: snapshot() the window before a lesson
opens, put_back() that snapshot if the lesson cannot be used after all.

Opening a lesson changes the window at once (settings, display, layout), but its data may
still fail to load, another data file may be opened meanwhile, or its model may not be
buildable; a lesson is never half-applied, so the window goes back to the settings, data
and layout it had. LessonManager (lesson_actions.py) decides when; this is what is saved
and how it is put back. Both take the LessonManager, whose lesson, path and overrides are
part of what goes back.
"""

from __future__ import annotations

from .lesson_display import apply_layout, layout_of


def snapshot(lessons) -> dict:
    """What opening a lesson changes, to put back if it fails half-way."""
    w = lessons.window
    explorer, live = w.panels.get("explorer"), lessons.live
    attention, surprise = w.panels.get("attention"), w.panels.get("surprise")
    curves = w.panels.get("curves")
    return {
        "config": w.controls.config(), "preset": w.controls.preset.currentText(),
        "explorer": explorer.save_state() if explorer is not None else None,
        "overrides": dict(lessons.overrides),
        "live": (live.val_every.value(), live.chosen) if live is not None else None,
        "speed": w.controls.speed.currentData(),
        "probe": (attention.word.text(), attention.follow.isChecked())
        if attention is not None else None,
        "surprise": surprise.view.entry.text() if surprise is not None else None,
        "view": curves.save_state() if curves is not None else None,
        "layout": layout_of(w, lessons.projector), "projector": lessons.projector.active,
        "lesson": lessons.lesson, "path": lessons.path, "title": w.windowTitle(),
        "dataset": w.datasets.dataset,
    }


def put_back(lessons, before: dict, why: str) -> None:
    """The lesson cannot be used after all: put the window back as it was (`before`)."""
    w = lessons.window
    w.controls.load_config(before["config"], before["preset"])
    explorer = w.panels.get("explorer")
    if explorer is not None and before["explorer"] is not None:
        explorer.restore_state(before["explorer"])
    lessons.overrides = before["overrides"]
    if lessons.live is not None and before["live"] is not None:
        value, chosen = before["live"]
        lessons.live.set_val_every(value)
        lessons.live.chosen = chosen
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
    lessons.projector.set_active(False)
    apply_layout(w, before["layout"])
    lessons.projector.set_active(before["projector"])
    lessons.lesson, lessons.path = before["lesson"], before["path"]
    lessons.changed.emit()
    w.setWindowTitle(before["title"])
    ds = before["dataset"]
    if ds is not None and w.datasets.dataset is not ds:
        w.datasets.dataset = ds
        w.controls.set_dataset_text(f"<b>{ds.name}</b><br>{ds.summary()}")
    w.refresh_needs_reset()
    w.statusBar().showMessage(f"The lesson was not opened ({why}); nothing changed",
                              15000)
