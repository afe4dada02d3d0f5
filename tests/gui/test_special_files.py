"""A named pipe opened as a lesson, a runs CSV, a checkpoint or a data file is refused
at once, in one message naming it, and the window and training carry on.

Nothing writes to the pipe, so reading it waits for ever (even open() does): the lesson
and CSV readers froze the window, the checkpoint reader stopped the training thread for
good, and the data loader never finished. A pipe stands in for every special file; a
test must never touch /dev/zero or /dev/null.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from tests.gui.helpers import WAIT, steps

RESCUE_S = 3.0  # a reader blocked this long is let go (the test then fails, not hangs)


@pytest.fixture
def pipe(tmp_path):
    """A named pipe with no writer. Every RESCUE_S a writer opens and closes it, which
    lets a reader stuck in open() go on (to an empty file), so a window that blocks on
    it fails the test instead of hanging the suite."""
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    stop = threading.Event()

    def rescue():
        while not stop.wait(RESCUE_S):
            try:  # O_NONBLOCK: fails at once (ENXIO) while nobody is reading
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass

    threading.Thread(target=rescue, daemon=True).start()
    yield path
    stop.set()


@pytest.mark.parametrize("what", ["lesson", "runs csv", "checkpoint", "data"])
def test_a_named_pipe_is_refused_at_once(qtbot, make_window, pipe, what):
    w = make_window()
    before = len(w.messages)
    t0 = time.monotonic()
    if what == "lesson":
        w.lessons.open(str(pipe))
    elif what == "runs csv":
        w.panels["runs"].import_csv(str(pipe))
    elif what == "checkpoint":
        w.checkpoints.open(str(pipe))
    else:
        w.datasets.load_path(str(pipe))
    assert time.monotonic() - t0 < 1.0  # the window was not blocked
    qtbot.waitUntil(lambda: len(w.messages) > before, timeout=WAIT)
    assert time.monotonic() - t0 < RESCUE_S  # refused, not read once a writer came
    message = w.messages[-1][1]
    assert str(pipe) in message and "named pipe" in message
    assert len(steps(qtbot, w, 1)) == 1  # training goes on
