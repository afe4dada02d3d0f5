"""GUI tests run offscreen, with settings in a temporary file (never the user's)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault(
    "MICROGPT_GUI_SETTINGS", os.path.join(tempfile.mkdtemp(prefix="microgpt-gui-"), "s.ini"))

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # --import-mode=importlib does not add the checkout
    sys.path.insert(0, str(ROOT))

DOCS = ROOT / "tests" / "data" / "docs.txt"


@pytest.fixture(autouse=True, scope="session")
def _interpreter_as_the_app_tunes_it():
    """The GIL switch interval app.main() sets (1 ms): the window's threads are tested
    as they run for users."""
    from microgpt_gui.app import tune_interpreter

    old = sys.getswitchinterval()
    tune_interpreter()
    yield
    sys.setswitchinterval(old)


@pytest.fixture(autouse=True)
def _collect_earlier_garbage(qapp):
    """Earlier tests' windows are cyclic garbage: collect it here, on the GUI thread and
    between tests, rather than in the middle of the next one. (Every MainWindow runs the
    app's GC guard itself: while one lives, collections happen on the GUI thread only.)"""
    import gc

    gc.collect()
    yield


def new_window(settings_path):
    """A shown MainWindow with no model yet (autostart off), its settings in
    settings_path and tests/data/docs.txt as the dataset the next Reset trains on."""
    from engine import load_dataset
    from microgpt_gui.main_window import MainWindow
    from microgpt_gui.settings import Settings

    dataset = load_dataset(str(DOCS))  # first: a window is never left half made
    w = MainWindow(settings=Settings(str(settings_path)), autostart=False)
    w.show()
    w.datasets.dataset = dataset
    return w


@pytest.fixture
def plain_window(qtbot, tmp_path, monkeypatch):
    """new_window() for one test; closed afterwards (settings never the user's)."""
    monkeypatch.setenv("MICROGPT_GUI_SETTINGS", str(tmp_path / "settings.ini"))
    w = new_window(tmp_path / "settings.ini")
    qtbot.addWidget(w)
    yield w
    w.close()


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Factory: a shown MainWindow with a first model built on tests/data/docs.txt.
    Every window it made is closed afterwards, and its training thread must be gone."""
    made = []

    def make(num_steps=40, speed=0, **fields):
        w = new_window(tmp_path / f"s{len(made)}.ini")
        made.append(w)
        w.controls.fields["num_steps"].setValue(num_steps)
        for name, value in fields.items():
            w.controls.fields[name].setValue(value)
        w.controls.set_speed(speed)
        with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):
            w.reset()
        return w

    yield make
    for w in made:
        w.close()
        assert not w.controller.worker_thread.isRunning()
