"""The training thread steps aside while the GUI thread is behind (gui_priority.py)."""

from __future__ import annotations

import time

from microgpt_gui import gui_priority
from microgpt_gui.gui_priority import GuiPriority


class FakeTime:
    """A clock and a sleep that advances it; after `stamp_after` naps the GUI thread
    (priority.stamp) is back, if given."""

    def __init__(self):
        self.t = 100.0
        self.naps = 0
        self.priority = None
        self.stamp_after = None

    def clock(self):
        return self.t

    def sleep(self, s):
        self.t += s
        self.naps += 1
        if self.stamp_after is not None and self.naps == self.stamp_after:
            self.priority.stamp()


def fake(qtbot):
    ft = FakeTime()
    p = GuiPriority(clock=ft.clock, sleep=ft.sleep)
    p.timer.stop()  # only the fake clock moves the stamp here
    ft.priority = p
    return p, ft


def test_no_waiting_while_the_gui_thread_keeps_up(qtbot):
    p, ft = fake(qtbot)
    ft.t += gui_priority.STALE_S / 2
    assert p.step_aside() == 0.0
    assert ft.naps == 0 and p.spells == 0


def test_waits_until_the_gui_thread_is_back(qtbot):
    p, ft = fake(qtbot)
    ft.t += 0.2  # the GUI thread has not stamped for 200 ms
    ft.stamp_after = 5
    slept = p.step_aside()
    assert ft.naps == 5
    assert abs(slept - 5 * gui_priority.NAP_S) < 1e-9
    assert p.spells == 1 and p.slept == slept
    assert p.step_aside() == 0.0  # fresh again: no more waiting


def test_a_spell_ends_after_max_spell_and_training_runs_on_until_a_fresh_stamp(qtbot):
    p, ft = fake(qtbot)
    ft.t += 0.2  # the GUI thread is held up (in C++, say) and never comes back here
    slept = p.step_aside()
    assert gui_priority.MAX_SPELL_S <= slept < gui_priority.MAX_SPELL_S + 2 * gui_priority.NAP_S
    naps = ft.naps
    for _ in range(3):  # the same spell: no more waiting
        assert p.step_aside() == 0.0
    assert ft.naps == naps
    p.stamp()  # back: the next spell may wait again
    ft.t += 0.2
    ft.stamp_after = naps + 2
    assert p.step_aside() > 0.0
    assert p.spells == 2


def test_cancel_ends_the_wait_at_once(qtbot):
    p, ft = fake(qtbot)
    ft.t += 0.2
    assert p.step_aside(cancelled=lambda: True) == 0.0
    assert ft.naps == 0


def test_stopped_never_waits(qtbot):
    p, ft = fake(qtbot)
    p.stop()
    ft.t += 10.0
    assert p.step_aside() == 0.0


def test_the_event_loop_stamps(qtbot):
    p = GuiPriority()
    p.beat = 0.0
    qtbot.waitUntil(lambda: time.monotonic() - p.beat < gui_priority.STALE_S, timeout=2000)


def test_a_busy_gui_thread_gets_the_interpreter_while_the_reference_backend_trains(
        qtbot, make_window):
    """Pure Python work on the GUI thread (as a layout change calling Python thousands of
    times is) competed with the reference backend's thread for the GIL, each getting
    about half: projector mode took 2-3 s to switch. Now the training thread sleeps
    while the GUI thread is behind, so it builds few graph nodes in the meantime."""
    from engine import preset
    from engine.reference import Value
    from tests.gui.helpers import reset

    w = make_window()
    reset(qtbot, w, preset("optimized", backend="reference", num_steps=10**6, val_every=0))
    w.controller.train()
    qtbot.waitUntil(lambda: w.controller.history.step >= 1, timeout=20_000)

    def nodes_built(during):
        n0 = Value.created
        during()
        return Value.created - n0

    def busy_gui_thread(seconds=0.8):
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            sum(range(200))  # Python work, no event loop

    idle = nodes_built(lambda: qtbot.wait(800))
    busy = nodes_built(busy_gui_thread)
    w.controller.pause()
    # Before: busy ≈ half of idle. Now the training thread runs only until the GUI
    # thread's stamp is STALE_S old (25 ms of the 800), then waits.
    assert idle > 0
    assert busy < 0.25 * idle, (busy, idle)
