"""A data file the settings cannot train on (one document: nothing left to validate on)
is refused as it loads: the Data box, the cost line and the Reset note stay on the data
in use. It used to show in the Data box while the old data went on training."""

from __future__ import annotations

from tests.gui.helpers import steps
from tests.helpers import DOCS

SPLIT = "need at least 2 documents for a train/validation split, got 1"


def one_line(tmp_path):
    f = tmp_path / "one_line.txt"
    f.write_text("hello\n", encoding="utf-8")
    return str(f)


def refused(qtbot, w, path):
    """Open path as File > Open does; the message that says why it cannot be used."""
    shown = len(w.messages)
    w.datasets.load_path(path)
    qtbot.waitUntil(lambda: not w.datasets.busy and not w.controller.busy, timeout=10_000)
    qtbot.waitUntil(lambda: len(w.messages) > shown, timeout=10_000)
    return w.messages[-1][1]


def test_a_file_too_small_to_split_is_refused_and_nothing_claims_it(
        qtbot, make_window, tmp_path):
    w = make_window()
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):  # the Data box shows it
        w.datasets.load_path(str(DOCS))
    before = w.datasets.dataset
    box, cost = w.controls.dataset_label.text(), w.controls.cost.text()
    path = one_line(tmp_path)
    message = refused(qtbot, w, path)  # at step 0: a first model on it was tried
    assert w.controls.dataset_label.text() == box and "docs.txt" in box
    assert SPLIT in message and path in message and "Could not load" in message
    assert w.datasets.dataset is before
    assert w.controls.cost.text() == cost
    assert w.controls.needs_reset.isHidden()

    steps(qtbot, w, 2)  # mid-run: still the data in use, and Reset still works
    message = refused(qtbot, w, path)
    assert SPLIT in message
    w.refresh_needs_reset()
    assert w.controls.needs_reset.isHidden()
    assert w.controls.dataset_label.text() == box
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):
        w.reset()
    assert w.controller.info.dataset_source == before.source
    assert w.controls.needs_reset.isHidden()


def test_the_original_preset_trains_on_one_document(qtbot, make_window, tmp_path):
    """It holds back no validation documents: one line is data it can use."""
    w = make_window()
    w.controls.preset.setCurrentText("original")
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):  # nothing trained yet
        w.datasets.load_path(one_line(tmp_path))
    assert w.controller.info.num_docs == 1
    assert "1 doc, 5 chars, 4 distinct characters" in w.controls.dataset_label.text()
    # Back to the seed's preset, which holds back 10%: one document leaves none. Said in
    # the fields' red line, and Reset waits, rather than a Reset that fails each time.
    w.controls.preset.setCurrentText("optimized")
    assert SPLIT in w.controls.problem_text()
    assert not w.act["reset"].isEnabled()
    w.controls.preset.setCurrentText("original")
    assert w.controls.problem_text() == "" and w.act["reset"].isEnabled()
