"""Runs ▸ Import CSV: problems arrive as the window's non-blocking message, in one line
naming the file; the app's own CSV exports import back exactly."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from engine import preset  # noqa: E402
from tests.gui.helpers import reset, steps  # noqa: E402

pytest.importorskip("pytestqt")

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs.txt"


def tiny(**kw):
    for key, value in (("num_steps", 40), ("n_embd", 8), ("n_head", 2)):
        kw.setdefault(key, value)
    return preset("optimized", backend="numpy", **kw)


@pytest.fixture
def window(plain_window, monkeypatch):
    """Modal boxes are recorded (and fail the test): they would block an offscreen run."""
    from PySide6.QtWidgets import QMessageBox

    modal = []
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda *a, **k: modal.append(a) or QMessageBox.StandardButton.Ok))
    plain_window.modal = modal
    return plain_window


def answer_dialogs(monkeypatch, path):
    from PySide6.QtWidgets import QFileDialog

    for name in ("getSaveFileName", "getOpenFileName"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(lambda *a, **k: (str(path), "")))


def test_import_problems_are_one_non_blocking_message(qtbot, window, tmp_path):
    w, runs = window, window.panels["runs"]
    png = tmp_path / "runs.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    bad = tmp_path / "bad.csv"
    bad.write_text("step,loss,val_loss,grad_norm,lr,ms\n1,2,,3,4,5\nx,2,,3,4,5\n")
    cases = ((png, "Import failed: runs.csv: not a CSV text file (it looks like a PNG image)"),
             (bad, "Import failed: bad.csv, line 3: column 'step' must be a whole number, "
                   "got 'x'"),
             (tmp_path / "gone.csv", f"Import failed: gone.csv: no such file (in {tmp_path})"))
    for path, wanted in cases:
        assert runs.import_csv(str(path)) is False
        assert w.messages[-1] == ("Warning", wanted)
        assert w.statusBar().currentMessage() == wanted
    assert w.modal == [] and runs.records == []


def test_runs_export_then_import_round_trips(qtbot, window, tmp_path, monkeypatch):
    w, runs = window, window.panels["runs"]
    reset(qtbot, w, tiny(val_every=2, val_docs=2))
    steps(qtbot, w, 3)
    reset(qtbot, w, tiny())
    steps(qtbot, w, 2)
    reset(qtbot, w, tiny())
    runs.set_ticked(0, True)
    runs.set_ticked(1, True)
    for r in runs.records:  # renamed alike: still two runs after the round trip
        r.name = "same"
    originals = list(runs.records)
    answer_dialogs(monkeypatch, tmp_path / "ticked.csv")
    runs.export_btn.click()
    assert runs.import_csv(str(tmp_path / "ticked.csv")) is True
    back = runs.records[len(originals):]
    # told apart from the runs already here by the file's name
    assert [r.name for r in back] == ["same (ticked)", "same (ticked) 2"]
    for a, b in zip(originals, back, strict=True):
        for col in a.curves:
            np.testing.assert_array_equal(a.array(col), b.array(col))
        # what the list shows besides the curves comes back too (it used to say
        # "imported", with no changes, and the time of the kept rows only)
        assert (b.preset, b.changes, b.seconds) == (a.preset, a.changes, a.seconds)
    assert [r.preset for r in back] == ["optimized", "optimized"]
    assert back[0].changes == "all 14 on"
    assert "Imported same (ticked), same (ticked) 2 from ticked.csv" in runs.note.text()
    assert w.modal == [] and not getattr(w, "messages", [])


def test_file_export_curves_imports_into_runs(qtbot, window, tmp_path, monkeypatch):
    """File ▸ Export ▸ Curves of this run / of all runs write the same CSV: both import."""
    w, runs = window, window.panels["runs"]
    reset(qtbot, w, tiny())
    steps(qtbot, w, 2)
    reset(qtbot, w, tiny())
    steps(qtbot, w, 3)
    current = runs.current_record()
    for action, name in (("export_csv", "run.csv"), ("export_csv_all", "all.csv")):
        # their names (one run too: it was named after the file), told apart by the
        # file's name from the same names already in the list
        # ('current run' is the live run's own name: never an imported one's)
        exported = ["run 1 (all)", "current run (run) (all)", "current run (all)"] \
            if action == "export_csv_all" else ["current run (run)"]
        answer_dialogs(monkeypatch, tmp_path / name)
        w.act[action].trigger()
        before = len(runs.records)
        answer_dialogs(monkeypatch, tmp_path / name)
        runs.import_btn.click()
        assert [r.name for r in runs.records[before:]] == exported, name
    assert [r.name for r in runs.records] == ["run 1", "current run (run)", "run 1 (all)",
                                              "current run (run) (all)", "current run (all)"]
    legend = [label.text for _sample, label in w.curves.loss_plot.legend.items]
    assert legend.count("current run") <= 1  # only the live run goes by that name
    for rec in (runs.records[1], runs.records[-1]):
        np.testing.assert_array_equal(rec.array("loss"), current.array("loss"))
    assert w.modal == [] and not getattr(w, "messages", [])


def test_an_older_csv_without_the_preset_column_imports_as_imported(qtbot, window, tmp_path):
    runs = window.panels["runs"]
    old = tmp_path / "old.csv"
    old.write_text("step,loss,val_loss,grad_norm,lr,ms\n1,3.3,,0.5,0.01,2\n2,3.1,,0.5,0.01,2\n")
    assert runs.import_csv(str(old)) is True
    (rec,) = runs.records
    assert (rec.name, rec.preset, rec.changes, rec.steps) == ("old", "imported", "", 2)
    assert runs.table.item(0, 2).text() == "imported"


def test_imported_runs_keep_their_names_unless_taken_and_new_runs_skip_them(
        qtbot, window, tmp_path):
    from engine.run_record import RunRecord, write_csv

    w, runs = window, window.panels["runs"]
    path = tmp_path / "yesterday.csv"
    recs = []
    for name in ("run 1", "best lr"):
        r = RunRecord(name=name, preset="optimized", changes="all 14 on")
        r.curves = {c: [1.0, 2.0, 3.0] for c in r.curves}
        recs.append(r)
    write_csv(path, recs)
    assert runs.import_csv(str(path))
    assert [r.name for r in runs.records] == ["run 1", "best lr"]  # nothing taken here
    reset(qtbot, w, tiny())
    steps(qtbot, w, 2)
    reset(qtbot, w, tiny())  # today's first run is kept: not a second "run 1"
    assert [r.name for r in runs.records] == ["run 1", "best lr", "run 2"]
    assert runs.import_csv(str(path))  # again: both names are taken now
    assert [r.name for r in runs.records][-2:] == ["run 1 (yesterday)", "best lr (yesterday)"]
