"""Loading a dataset: a slow load shows a progress dialog with Cancel; Cancel stops the
load and leaves the current run as it was; a small file never flashes the dialog."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.gui.helpers import steps
from tests.helpers import DOCS, load_tool

make_bad = load_tool("make_bad_inputs")


def open_file(w, monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    w.act["open_dataset"].trigger()


@pytest.fixture
def slow_disk(monkeypatch):
    """Every MiB read takes 50 ms more (a slow disk), so a 20 MB file loads for more than
    a second whatever the machine; the (done, total) reports are recorded."""
    import engine

    real, reports = engine.load_dataset, []

    def load_dataset(source, progress=None):
        def slowed(done, total):
            reports.append((done, total))
            time.sleep(0.05)
            if progress is not None:
                progress(done, total)  # raises Cancelled once the load was cancelled

        return real(source, progress=slowed)

    monkeypatch.setattr(engine, "load_dataset", load_dataset)
    return reports


def test_cancel_stops_a_big_load_and_the_run_is_intact(qtbot, make_window, monkeypatch,
                                                       tmp_path, slow_disk):
    path = make_bad.big_file(tmp_path / "big.txt", size=20 * 1024 * 1024)
    w = make_window()
    steps(qtbot, w, 2)
    c, dialog = w.controller, w.load_progress
    before = (w.datasets.dataset, c.info, c.history, c.history.step)
    open_file(w, monkeypatch, path)
    assert w.datasets.busy and not dialog.isVisible()  # not at once: maybe it is quick
    qtbot.waitUntil(dialog.isVisible, timeout=10_000)
    assert "big.txt" in dialog.text.text()
    qtbot.waitUntil(lambda: dialog.bar.value() > 0, timeout=10_000)  # it shows how far
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not w.datasets.busy and not dialog.isVisible()
    assert w.statusBar().currentMessage() == "Loading cancelled"
    qtbot.waitUntil(lambda: not w.tasks.active, timeout=5_000)  # the loader has stopped
    done, total = slow_disk[-1]
    assert done < total  # ... before the end of the file
    qtbot.wait(300)  # nothing arrives later either
    assert (w.datasets.dataset, c.info, c.history, c.history.step) == before
    assert not w.messages  # no error box
    assert len(steps(qtbot, w, 1)) == 1  # and training goes on


def test_closing_the_dialog_cancels_too(qtbot, make_window, monkeypatch, tmp_path,
                                        slow_disk):
    path = make_bad.big_file(tmp_path / "big.txt", size=20 * 1024 * 1024)
    w = make_window()
    dataset = w.datasets.dataset
    open_file(w, monkeypatch, path)
    qtbot.waitUntil(w.load_progress.isVisible, timeout=10_000)
    w.load_progress.reject()  # Escape, or the dialog's close button
    assert not w.datasets.busy and w.statusBar().currentMessage() == "Loading cancelled"
    qtbot.waitUntil(lambda: not w.tasks.active, timeout=5_000)
    assert w.datasets.dataset is dataset and not w.messages


def test_a_small_file_loads_without_showing_the_dialog(qtbot, make_window, monkeypatch):
    from microgpt_gui.datasets import SHOW_AFTER_MS

    w = make_window()
    qtbot.wait(200)  # the first paint of every panel done: it shares the GIL with loading
    open_file(w, monkeypatch, DOCS)
    qtbot.waitUntil(lambda: not w.datasets.busy, timeout=10_000)
    qtbot.wait(SHOW_AFTER_MS + 200)  # past the moment it would have appeared
    assert w.load_progress.shown_count == 0 and not w.load_progress.isVisible()
    assert w.datasets.dataset.source == str(DOCS) and not w.messages


def test_a_failing_load_closes_the_dialog_and_explains(qtbot, make_window, monkeypatch,
                                                       tmp_path, slow_disk):
    path = tmp_path / "late_binary.txt"  # text for 10 MiB, then a NUL byte
    path.write_bytes(b"emma\n" * (10 * 1024 * 1024 // 5) + b"\0\n")
    w = make_window()
    open_file(w, monkeypatch, path)
    qtbot.waitUntil(w.load_progress.isVisible, timeout=10_000)
    qtbot.waitUntil(lambda: not w.datasets.busy, timeout=10_000)
    assert not w.load_progress.isVisible()
    assert len(w.messages) == 1 and "NUL" in w.messages[0][1] and str(path) in w.messages[0][1]
