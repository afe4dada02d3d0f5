"""Read-only analysis does not run on the training thread: the head roles' forward passes
run on a frozen copy of the weights on a thread of their own (controller.call_on_snapshot)
and the name-quality sets are built by a background job, so with the slow reference
backend neither holds up Train."""

from __future__ import annotations

import threading

import pytest

from tests.gui.helpers import WAIT, in_worker


@pytest.fixture
def ref_window(qtbot, make_window):
    """A tiny model on the reference backend, with a long run ahead of it."""
    w = make_window(num_steps=100_000, n_embd=8, n_head=2)
    w.controls.backend.setCurrentText("reference")
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.reset()
    assert w.controller.info.config.backend == "reference"
    return w


def worker_ident(qtbot, w) -> int:
    return in_worker(qtbot, w, lambda _t: threading.get_ident())


def test_head_roles_run_beside_training_not_on_its_thread(qtbot, ref_window, monkeypatch):
    import microgpt_gui.head_roles_view as hr

    w, c = ref_window, ref_window.controller
    worker, gui = worker_ident(qtbot, w), threading.get_ident()
    entered, release, threads = threading.Event(), threading.Event(), []
    original = hr.validation_attention

    def slow_attention(inference, words, limit):
        threads.append(threading.get_ident())
        entered.set()
        release.wait(30)  # a slow analysis (the reference backend on a bigger model)
        return original(inference, words, limit)

    monkeypatch.setattr(hr, "validation_attention", slow_attention)
    w.head_roles._busy = False
    w.head_roles.request()
    qtbot.waitUntil(entered.is_set, timeout=WAIT)
    try:
        step = c.history.step
        c.train()  # training goes on while the analysis is still busy
        qtbot.waitUntil(lambda: c.history.step >= step + 5, timeout=10_000)
    finally:
        release.set()
        c.pause()
    qtbot.waitUntil(lambda: w.head_roles.roles is not None, timeout=WAIT)
    assert threads and worker not in threads and gui not in threads
    assert len(w.head_roles.labels()) == 2  # 1 layer x 2 heads


def test_name_sets_are_built_off_the_training_thread(qtbot, make_window, monkeypatch):
    import engine.insights

    threads = []
    original = engine.insights.mean_length

    def recording(docs):
        threads.append(threading.get_ident())
        return original(docs)

    monkeypatch.setattr(engine.insights, "mean_length", recording)
    w = make_window()
    worker, gui = worker_ident(qtbot, w), threading.get_ident()
    qtbot.waitUntil(lambda: bool(w.name_stats._all), timeout=WAIT)
    assert threads and worker not in threads and gui not in threads
    info = w.controller.info
    assert w.name_stats._train == info.train_docs
    assert w.name_stats._all == info.train_docs | set(info.val_docs)
