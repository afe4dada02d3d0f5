"""A lesson's display settings on the window: speed, probe word, curves view, dock layout,
projector mode (apply_display), and the dock layout as lesson data and back (layout_of,
apply_layout).

Kept apart from LessonManager (lesson_actions.py), which decides when a lesson is applied;
this is only what applying its display part does. lesson_undo.py uses the same layout
functions to put the window back when a lesson fails half-way.
"""

from __future__ import annotations

import base64

from PySide6.QtCore import QByteArray

from .dock_tabs import hide_stale_tab_bars
from .lesson import Lesson


def layout_of(window, projector) -> dict:
    w = window
    state = projector.saved_state() or w.saveState()
    visible = sorted(pid for pid, dock in w.docks.items() if not dock.isHidden())
    if projector.active:  # what the desktop layout shows, not the projector's
        visible = sorted(set(visible) | set(projector.hidden_panels()))
    return {"dock_state": base64.b64encode(bytes(state)).decode("ascii"),
            "visible": visible}


def apply_display(window, projector, lesson: Lesson) -> None:
    w = window
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
    projector.set_active(False)  # lay out the desktop view first
    apply_layout(w, lesson.layout)
    projector.set_active(lesson.projector)


def apply_layout(window, layout: dict) -> None:
    w = window
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
