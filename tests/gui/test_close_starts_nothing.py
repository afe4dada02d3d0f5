"""Closing the window while a job is still on its way starts no thread after it.

Generate asks the training thread for a snapshot and starts the sampling job when the
snapshot arrives. Closed in between, the snapshot arrived after the window had stopped
its threads, and the job started anyway: a thread outliving the window, which an
embedding process (the tests, the benchmarks) aborts on ("QThread: Destroyed while
thread is still running"), against closeEvent's promise that none does.
"""

from __future__ import annotations

from microgpt_gui.tasks import TaskThread


def test_generate_then_close_starts_no_sampling_job(qtbot, make_window, monkeypatch):
    w = make_window()
    started = []
    original = TaskThread.start
    monkeypatch.setattr(TaskThread, "start",
                        lambda self, *a: (started.append(self), original(self, *a))[1])
    w.sampling.count.setValue(200)
    w.act["generate"].trigger()  # the snapshot it waits for arrives after the close
    w.close()
    qtbot.wait(300)
    assert started == [] and not w.threads_running()
