"""Driving a test window step by step: `from tests.gui.helpers import reset, steps`.
(Fixtures that build windows are in conftest.py.)"""

from __future__ import annotations

WAIT = 20_000  # ms: a reset or step on the reference backend, on a loaded machine


def reset(qtbot, w, cfg, show_in_controls: bool = False):
    """A new model with `cfg`; show_in_controls: the controls show it too (as a user's
    Reset would have it), so the window does not call for another Reset."""
    if show_in_controls:
        w.controls.load_config(cfg, "optimized")
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.controller.reset(cfg, w.datasets.dataset)


def steps(qtbot, w, n):
    """n single steps (paused), waiting for each; their StepStats."""
    out = []
    for _ in range(n):
        with qtbot.waitSignal(w.controller.stats_batch, timeout=WAIT) as blocker:
            w.controller.step_once()
        out.extend(blocker.args[0])
    return out


def in_worker(qtbot, w, fn):
    """fn(trainer) on the training thread, between steps; its result."""
    box = []
    w.controller.call_in_worker(fn, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=WAIT)
    return box[0]


def train_to_end(qtbot, w, start=None):
    """Press Train (or call start()) and wait until the run reports "finished"."""
    with qtbot.waitSignal(w.controller.state_changed, timeout=WAIT,
                          check_params_cb=lambda s: s == "finished"):
        (start or w.act["train"].trigger)()


def tab_to(qtbot, w, target, key=None, limit=120):
    """Press Tab (or key, e.g. Shift+Tab) until the keyboard is on target."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    for _ in range(limit):
        if QApplication.focusWidget() is target:
            return
        QTest.keyClick(QApplication.focusWidget() or w, key or Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target!r}")


def shown_embedding_plot(qtbot, width: int, height: int):
    """An EmbeddingPlot of its own, shown at width x height and exposed."""
    from microgpt_gui.embedding_view import EmbeddingPlot

    plot = EmbeddingPlot()
    qtbot.addWidget(plot)
    plot.resize(width, height)
    plot.show()
    qtbot.waitExposed(plot)
    return plot
