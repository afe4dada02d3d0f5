"""Delayed layout fixes die with the window (projector mode, the default dock layout).

Entering and leaving projector mode lay the window out again once the new fonts have
settled (timers of 0 and 100 ms), and a window without a saved layout gets the default one
once built. A window closed and deleted before they fired had them run on a deleted
MainWindow ("Internal C++ object already deleted"), e.g. F11 then quitting at once, or a
test closing its window right after leaving projector mode."""

from __future__ import annotations


def test_closing_just_after_projector_mode_runs_no_timer_on_the_dead_window(qtbot,
                                                                             tmp_path):
    from microgpt_gui.main_window import MainWindow
    from microgpt_gui.settings import Settings

    w = MainWindow(settings=Settings(str(tmp_path / "s.ini")), autostart=False)
    w.show()
    w.projector.set_active(True)
    w.projector.refit()
    w.close()  # leaves projector mode first (closeEvent), then saves the layout
    assert not w.projector.active
    w.deleteLater()
    qtbot.wait(300)  # pytest-qt fails the test on an exception raised in a timer


def test_a_window_deleted_at_once_runs_no_timer_on_the_dead_window(qtbot, tmp_path):
    # (window_state.restore lays out the docks once the window is built, on a timer)
    import shiboken6

    from microgpt_gui.main_window import MainWindow
    from microgpt_gui.settings import Settings

    w = MainWindow(settings=Settings(str(tmp_path / "s.ini")), autostart=False)
    w.close()
    shiboken6.delete(w)
    qtbot.wait(300)
