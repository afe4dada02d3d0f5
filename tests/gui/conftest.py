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


@pytest.fixture(autouse=True)
def _collect_on_gui_thread(qapp):
    """Run every GUI test under the app's own garbage-collector guard: collections happen
    only on the GUI thread. An automatic collection on a training thread destroys QObjects
    there and can deadlock (seen: the worker waiting for the GIL inside a collection, the
    GUI thread inside a Qt call); microgpt_gui.app.main installs the same guard."""
    import gc

    from microgpt_gui.gc_guard import GuiThreadCollector

    gc.collect()  # earlier tests' windows, here on the GUI thread
    guard = GuiThreadCollector()
    yield
    guard.stop()
    guard.deleteLater()


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Factory: a shown MainWindow with a first model built on tests/data/docs.txt.
    Every window it made is closed afterwards, and its training thread must be gone."""
    made = []

    def make(num_steps=40, speed=0, **fields):
        from engine import load_dataset
        from microgpt_gui.main_window import MainWindow
        from microgpt_gui.settings import Settings

        w = MainWindow(settings=Settings(str(tmp_path / f"s{len(made)}.ini")), autostart=False)
        made.append(w)
        w.show()
        w.datasets.dataset = load_dataset(str(DOCS))
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
