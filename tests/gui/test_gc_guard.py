"""The GC guard belongs to the window: while any MainWindow lives, Python's cycle collector
runs on the GUI thread only (a collection on the training thread deadlocked inside
~QObject); when the last window closes, automatic collection is back on."""

from __future__ import annotations

import gc
import threading

import pytest


class Node:
    pass


def make_cycles(n: int = 3000) -> int:
    """Cyclic garbage: enough allocations to cross the generation-0 threshold."""
    for _ in range(n):
        a, b = Node(), Node()
        a.b, b.a = b, a
    return n


@pytest.fixture
def collections():
    """Thread ids of every collection started while the test runs."""
    seen: list[int] = []

    def record(phase, _info):
        if phase == "start":
            seen.append(threading.get_ident())

    gc.callbacks.append(record)
    yield seen
    gc.callbacks.remove(record)


def test_window_collects_on_the_gui_thread_only(qtbot, make_window, collections):
    from microgpt_gui import gc_guard

    assert gc.isenabled()  # no window yet (the check below can fail)
    w = make_window()
    assert not gc.isenabled() and gc_guard.active_guards() == 1
    assert w.gc_guard.active
    gui = threading.get_ident()
    collections.clear()
    # Garbage made on the training thread: with automatic collection on, the worker
    # would collect it itself.
    done = []
    w.controller.call_in_worker(lambda _t: make_cycles(), done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    with qtbot.waitSignal(w.controller.stats_batch, timeout=10_000):
        w.controller.step_once()
    qtbot.waitUntil(lambda: bool(collections), timeout=5_000)  # the GUI timer collects
    assert set(collections) == {gui}
    w.close()
    assert gc.isenabled() and gc_guard.active_guards() == 0


def test_without_the_guard_a_worker_would_collect(collections):
    """The check above can fail: with automatic collection on, a thread that makes
    garbage collects it on that thread."""
    assert gc.isenabled()
    t = threading.Thread(target=make_cycles)
    t.start()
    t.join()
    assert t.ident in collections


def test_several_windows_share_the_guard(make_window):
    from microgpt_gui import gc_guard

    first, second = make_window(), make_window()
    assert gc_guard.active_guards() == 2 and not gc.isenabled()
    first.close()
    assert not gc.isenabled()  # the second window still trains on its own thread
    first.close()  # closing twice does not release twice
    assert gc_guard.active_guards() == 1 and not gc.isenabled()
    second.close()
    assert gc.isenabled() and gc_guard.active_guards() == 0
    third = make_window()  # a window made after the others closed gets its own guard
    assert not gc.isenabled() and gc_guard.active_guards() == 1
    third.close()
    assert gc.isenabled()


def test_a_guard_deleted_without_stop_gives_collection_back(qtbot):
    import shiboken6

    from microgpt_gui.gc_guard import GuiThreadCollector

    guard = GuiThreadCollector()
    assert not gc.isenabled()
    shiboken6.delete(guard)  # e.g. a window destroyed without being closed
    assert gc.isenabled()


def test_collection_stays_off_if_it_was_off_before():
    from microgpt_gui.gc_guard import GuiThreadCollector

    gc.disable()
    try:
        guard = GuiThreadCollector()
        guard.stop()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_no_long_collection_while_a_reference_step_builds_its_graph(qtbot, make_window):
    """A step of the scalar reference backend builds a Value per multiply and add (about a
    million at 2 layers of width 32), alive until the step ends and then freed by
    reference counting. Collecting in the middle only scans it to find it alive: 0.2 to
    1.2 s on the GUI thread each time (the window froze, training ran at half speed)."""
    import time

    from engine import preset
    from tests.gui.helpers import reset, steps

    w = make_window()
    cfg = preset("optimized", backend="reference")
    cfg.model.n_embd, cfg.model.n_layer, cfg.model.block_size = 32, 2, 16
    cfg.train.batch_size, cfg.train.num_steps = 4, 10
    reset(qtbot, w, cfg)
    took, started = [], []

    def record(phase, info):
        if threading.get_ident() != gui:
            return
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            took.append((time.perf_counter() - started.pop(), info["generation"]))

    gui = threading.get_ident()
    gc.callbacks.append(record)
    try:
        steps(qtbot, w, 2)
        qtbot.wait(600)
    finally:
        gc.callbacks.remove(record)
    assert max((t for t, _gen in took), default=0) < 0.1, took


def test_something_big_and_long_lived_is_collected_after_a_while(qtbot, make_window,
                                                                  collections, monkeypatch):
    from microgpt_gui import gc_guard

    w = make_window()
    gc.collect()
    big = [[] for _ in range(gc_guard.BUILDING + 1000)]  # new containers, kept alive
    collections.clear()
    w.gc_guard.check()
    assert collections == []  # being built: not scanned yet
    monkeypatch.setattr(gc_guard, "MAX_WAIT_S", 0.0)
    w.gc_guard.check()
    assert collections  # it stayed: collected after all (no garbage piles up behind it)
    del big
