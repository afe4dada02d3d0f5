"""Analysis features in the window (issue 6): optimization explorer, run comparison,
checkpoints, export, embedding view, time-lapse. Offscreen, reference backend, tiny model."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from engine import Trainer, load_dataset, preset  # noqa: E402
from engine.analysis import TimeLapse  # noqa: E402
from engine.run_record import read_csv  # noqa: E402
from tests.gui.helpers import WAIT, in_worker, reset, steps, train_to_end  # noqa: E402

pytest.importorskip("pytestqt")

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs.txt"


def tiny(backend="numpy", **kw):
    """A small model; the reference backend (node counts, ~50x slower) only where needed."""
    for key, value in (("num_steps", 40), ("n_embd", 8), ("n_head", 2)):
        kw.setdefault(key, value)
    return preset("optimized", backend=backend, **kw)


@pytest.fixture
def window(plain_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []  # modal boxes would block an offscreen test: record them instead
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda *a, **k: shown.append(a[2] if len(a) > 2 else "") or
            QMessageBox.StandardButton.Ok))
    plain_window.shown_messages = shown
    return plain_window


def test_explorer_variant_trains_with_flag_off_and_counts_nodes(qtbot, window):
    w, ex = window, window.panels["explorer"]
    w.controls.load_config(tiny("reference"), "optimized")
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.act["reset"].trigger()
    base_nodes = [s.nodes for s in steps(qtbot, w, 1)]
    ex.set_change("div_op", False)
    ex.set_change("sum_from_first", False)
    assert ex.pending() and "Reset" in ex.status.text()
    assert w.build_config().train.div_op is False
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.act["reset"].trigger()
    # The trainer itself runs the variant, not just the panel's idea of it.
    flags = in_worker(qtbot, w, lambda t: (t.config.train.div_op, t.config.train.sum_from_first,
                                           t.config.train.fused_ce))
    assert flags == (False, False, True)
    # The status line names the changes as their boxes do, not by their config keys.
    assert "off: Direct __truediv__, sum(losses[1:], losses[0])" in ex.status.text()
    variant_nodes = [s.nodes for s in steps(qtbot, w, 1)]
    assert all(v > b for v, b in zip(variant_nodes, base_nodes, strict=True))
    table = dict((v, m) for v, m, _ in ex.node_table())
    assert table["off: div_op, sum_from_first"] > table["all 14 on"]
    assert ex.table.rowCount() == 2
    assert not ex.pending()
    ex.restore_preset()
    assert w.build_config().train.div_op is True and ex.boxes["div_op"].isChecked()
    ex.set_change("grad_clip", False)
    w.controls.preset.setCurrentText("original")  # another preset: a fresh start
    assert ex.user_choice == {} and not ex.boxes["div_op"].isChecked()
    assert w.build_config().train.grad_clip is None


def test_two_runs_overlay_two_curves_with_legend(qtbot, window):
    w, runs = window, window.panels["runs"]
    reset(qtbot, w, tiny(val_every=2, val_docs=2))
    steps(qtbot, w, 4)
    reset(qtbot, w, tiny(val_every=2, val_docs=2, lr_schedule="linear"))
    steps(qtbot, w, 4)
    reset(qtbot, w, tiny())  # closes the second run too
    assert [r.name for r in runs.records] == ["run 1", "run 2"]
    assert runs.records[1].changes == "off: lr_schedule"
    assert runs.records[0].steps == 4 and runs.records[0].final("val_loss") is not None
    # The previous run is ticked (faded) by default; tick the other one too.
    assert runs.ticked_records() == [runs.records[1]]
    runs.set_ticked(0, True)
    plot = runs.plot.getPlotItem()
    assert runs.overlay_count(plot) == 4  # loss + val for each of two runs
    curves = [i for i in runs.overlays.items(plot) if i.name().endswith("loss")]
    colors = {i.opts["pen"].color().name() for i in curves}
    assert len(curves) == 2 and len(colors) == 2
    legend = [label.text for _, label in plot.legend.items]
    assert not any(t.startswith("run ") for t in legend)  # the table's colours are its key
    # ... and behind the live curve on the Curves panel as well, named once per run.
    curves_plot = w.panels["curves"].loss_plot
    assert runs.overlay_count(curves_plot) == 4
    legend = [label.text for _, label in curves_plot.legend.items]
    assert legend.count("run 1") == 1 and legend.count("run 2") == 1
    assert not any(t.endswith((" loss", " val")) for t in legend)
    runs.set_ticked(0, False)
    assert runs.overlay_count(plot) == 2


def test_checkpoint_save_open_continue_matches_straight_run(qtbot, window, tmp_path):
    w = window
    cfg = tiny(num_steps=8, val_every=2, val_docs=2)
    straight = Trainer(cfg, load_dataset(DOCS))
    want = [straight.step() for _ in range(6)]
    reset(qtbot, w, cfg)
    steps(qtbot, w, 3)
    path = tmp_path / "run.npz"
    with qtbot.waitSignal(w.checkpoints.saved, timeout=WAIT):
        w.checkpoints.save(str(path))
    reset(qtbot, w, tiny(n_embd=4, n_head=1))  # something else entirely
    steps(qtbot, w, 1)
    with qtbot.waitSignal(w.checkpoints.opened, timeout=WAIT):
        w.checkpoints.open(str(path))
    h = w.controller.history
    assert list(h.array("step")) == [1, 2, 3]  # the curves so far came back
    assert list(h.array("loss")) == [s.loss for s in want[:3]]
    assert h.val_steps == [2]
    assert w.controls.fields["n_embd"].value() == 8  # and the settings
    assert w.controller.info.start_step == 3
    # Sampling works on the loaded model without training.
    names = in_worker(qtbot, w, lambda t: t.snapshot().sample(3, top_k=1))
    assert len(names) == 3
    got = steps(qtbot, w, 3)
    assert [s.loss for s in got] == [s.loss for s in want[3:]]
    assert got[-1].val_loss == want[5].val_loss
    # A Reset keeps the checkpoint's validation interval, which the field shows.
    assert w.build_config().train.val_every == 2


def test_bad_checkpoint_is_a_message(qtbot, window, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_text("not a checkpoint")
    with qtbot.waitSignal(window.controller.error, timeout=WAIT) as blocker:
        window.checkpoints.open(str(bad))
    assert "not a microgpt checkpoint" in blocker.args[0]
    assert blocker.args[0].startswith("Could not open the checkpoint: ")
    messages = [m for _, m in getattr(window, "messages", [])] + window.shown_messages
    assert any("not a microgpt checkpoint" in m and str(bad) in m for m in messages)
    assert window.checkpoints._opening is None


def test_csv_export_round_trips_and_plots_export(qtbot, window, tmp_path):
    from microgpt_gui import export

    w, runs = window, window.panels["runs"]
    reset(qtbot, w, tiny(val_every=2, val_docs=2))
    steps(qtbot, w, 3)
    reset(qtbot, w, tiny())
    steps(qtbot, w, 2)
    records = runs.all_records()
    assert [r.name for r in records] == ["run 1", "current run"]
    export.export_csv(tmp_path / "all.csv", records)
    back = read_csv(tmp_path / "all.csv")
    assert [r.name for r in back] == ["run 1", "current run"]
    for a, b in zip(records, back, strict=True):
        for col in a.curves:
            np.testing.assert_array_equal(a.array(col), b.array(col))
    export.export_plot(tmp_path / "curves.png", w.panels["curves"].glw.scene())
    export.export_plot(tmp_path / "curves.svg", w.panels["curves"].glw.scene())
    export.export_widget_png(tmp_path / "window.png", w)
    for name in ("curves.png", "curves.svg", "window.png"):
        assert (tmp_path / name).stat().st_size > 100
    assert (tmp_path / "curves.svg").read_text().lstrip().startswith("<?xml")
    export.export_names(tmp_path / "names.txt", ["emma", "ava"])
    assert (tmp_path / "names.txt").read_text() == "emma\nava\n"
    with pytest.raises(export.ExportError, match="no such folder"):
        export.export_csv(tmp_path / "nope" / "x.csv", records)
    with pytest.raises(export.ExportError, match="no generated names"):
        export.export_names(tmp_path / "n.txt", [])


def test_embedding_view_one_point_per_vocab_entry(qtbot, window):
    w, emb = window, window.panels["embeddings"]
    w.docks["embeddings"].raise_()
    reset(qtbot, w, tiny())
    steps(qtbot, w, 2)
    emb.refresh()
    qtbot.waitUntil(lambda: emb.shown_step == 2, timeout=WAIT)
    info = w.controller.info
    assert emb.plot.point_count() == info.vocab_size
    assert emb.plot.labels() == list(info.vocab)
    kinds = {lab: emb.plot.kind(lab) for lab in info.vocab}
    assert kinds["a"] == "vowel" and kinds["b"] == "consonant"


def test_timelapse_bounded_and_scrubbing_shows_snapshot_step(qtbot, window):
    w, tl = window, window.panels["timelapse"]
    tl.lapse = TimeLapse(every=1, capacity=4)
    reset(qtbot, w, tiny())
    for _ in range(10):
        steps(qtbot, w, 1)
        qtbot.waitUntil(lambda: not tl._pending, timeout=WAIT)
        assert len(tl.lapse) <= 4
    # Thinned to every 2nd, then 4th... snapshot: the first survives, the last is recent.
    assert tl.lapse.steps()[0] == 0 and tl.lapse.steps()[-1] > 10 - tl.lapse.every
    # The slider follows new snapshots at most SHOW_HZ times a second (paced): wait.
    qtbot.waitUntil(lambda: tl.slider.maximum() == len(tl.lapse) - 1, timeout=WAIT)
    tl.slider.setValue(0)
    assert tl.step_label.text().startswith("step 0 ")
    tl.slider.setValue(2)
    snap = tl.lapse.at(2)
    assert tl.step_label.text().startswith(f"step {snap.step} ")
    assert [tl.samples.item(i).text() for i in range(tl.samples.count())] == \
        [name or "(empty)" for name in snap.samples]
    assert len(tl.attention.images) == 2  # 1 layer x 2 heads of the probe word


def test_file_menu_actions_save_open_and_export(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = window
    titles = [a.text() for a in w.menus["file"].actions()]
    assert "&Save checkpoint…" in titles and "Open &checkpoint…" in titles
    reset(qtbot, w, tiny())
    steps(qtbot, w, 2)

    def answer(path):
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            staticmethod(lambda *a, **k: (str(path), "")))
        monkeypatch.setattr(QFileDialog, "getOpenFileName",
                            staticmethod(lambda *a, **k: (str(path), "")))

    answer(tmp_path / "ck")  # the .npz suffix is added
    with qtbot.waitSignal(w.checkpoints.saved, timeout=WAIT):
        w.act["save_checkpoint"].trigger()
    assert (tmp_path / "ck.npz").exists()
    answer(tmp_path / "ck.npz")
    with qtbot.waitSignal(w.checkpoints.opened, timeout=WAIT):
        w.act["open_checkpoint"].trigger()
    assert w.controller.info.start_step == 2 and w.controller.history.step == 2
    w.docks["embeddings"].raise_()  # a view behind a tab is brought forward, not exported
    qtbot.waitUntil(w.panels["embeddings"].on_screen, timeout=WAIT)
    for action, name in (("export_csv", "run.csv"), ("export_plot_timelapse", "tl.png"),
                         ("export_plot_embeddings", "emb.svg"), ("export_window", "w.png")):
        answer(tmp_path / name)
        w.act[action].trigger()
        assert (tmp_path / name).stat().st_size > 100, name
    (run,) = read_csv(tmp_path / "run.csv")
    assert run.curves["step"] == [1.0, 2.0]


def test_timelapse_keeps_exact_steps_at_full_speed(qtbot, window):
    w, tl = window, window.panels["timelapse"]
    if not tl.per_step:
        pytest.skip("this worker has no step_hooks: snapshots follow the GUI's batches")
    tl.lapse = TimeLapse(every=5, capacity=100)
    reset(qtbot, w, tiny(num_steps=40))
    w.controller.set_speed(0)  # max: the GUI sees the steps in batches
    train_to_end(qtbot, w, w.controller.train)
    qtbot.waitUntil(lambda: len(tl.lapse) == 9, timeout=WAIT)
    assert tl.lapse.steps() == list(range(0, 41, 5))


# --- export: every failure is a message naming the file and why; no silent non-export ------
def test_plot_export_that_cannot_save_says_so_even_over_an_existing_file(
        qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtGui import QImage

    from microgpt_gui import export

    w = window
    reset(qtbot, w, tiny())
    steps(qtbot, w, 2)
    target = tmp_path / "curves.png"
    target.write_bytes(b"an older export")  # exists: the old check "p.exists()" passed
    monkeypatch.setattr(QImage, "save", lambda *a, **k: False)  # a failing write
    with pytest.raises(export.ExportError, match="curves.png: could not save the image"):
        export.export_plot(target, w.panels["curves"].glw.scene())
    assert target.read_bytes() == b"an older export"


def test_export_into_a_file_as_folder_names_the_reason(qtbot, window, tmp_path):
    from microgpt_gui import export

    w = window
    reset(qtbot, w, tiny())
    steps(qtbot, w, 2)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    for fn, args in ((export.export_plot, (w.panels["curves"].glw.scene(),)),
                     (export.export_widget_png, (w,))):
        with pytest.raises(export.ExportError) as e:
            fn(blocker / "x.png", *args)
        assert str(blocker / "x.png") in str(e.value) and "Not a directory" in str(e.value)
    with pytest.raises(export.ExportError, match="Not a directory"):
        export.export_plot(blocker / "x.svg", w.panels["curves"].glw.scene())


def test_widget_export_refuses_svg_instead_of_writing_png_bytes(qtbot, window, tmp_path):
    from microgpt_gui import export

    with pytest.raises(export.ExportError, match="only be saved as an image"):
        export.export_widget_png(tmp_path / "window.svg", window)
    assert not (tmp_path / "window.svg").exists()


def test_export_dialog_names_without_suffix_get_the_chosen_type(qtbot, window, tmp_path,
                                                                 monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = window
    reset(qtbot, w, tiny())
    steps(qtbot, w, 2)

    def answer(path, chosen=""):
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            staticmethod(lambda *a, **k: (str(path), chosen)))

    for action, name, chosen, made in (
            ("export_csv", "run", "", "run.csv"),
            ("export_plot_curves", "c1", "", "c1.png"),
            ("export_plot_curves", "c2", "SVG vector image (*.svg)", "c2.svg"),
            ("export_window", "win", "", "win.png")):
        answer(tmp_path / name, chosen)
        w.act[action].trigger()
        assert (tmp_path / made).stat().st_size > 100, made
        assert not (tmp_path / name).exists()
    assert (tmp_path / "c2.svg").read_text().lstrip().startswith("<?xml")
    # A folder is not given a suffix (that would write a file beside it): it is refused.
    before = {p.name for p in tmp_path.parent.iterdir()}
    answer(tmp_path)
    w.act["export_csv"].trigger()
    assert {p.name for p in tmp_path.parent.iterdir()} == before
    kind, text = w.messages[-1]
    assert kind == "Warning" and str(tmp_path) in text and "is a folder" in text


def test_export_failure_is_the_windows_message_and_training_goes_on(qtbot, window, tmp_path,
                                                                     monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = window
    reset(qtbot, w, tiny())
    steps(qtbot, w, 2)
    missing = tmp_path / "gone" / "x.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(missing), "")))
    w.act["export_plot_curves"].trigger()  # returns at once: no modal box to block on
    kind, text = w.messages[-1]
    assert kind == "Warning" and "Export failed" in text and "no such folder" in text
    assert str(missing.parent) in text
    assert not w.shown_messages  # not a blocking QMessageBox
    steps(qtbot, w, 1)
    assert w.controller.history.step == 3


def test_checkpoint_beyond_the_controls_says_so_and_keeps_its_settings(qtbot, window,
                                                                        tmp_path):
    # A command-line run can use values the controls cannot show (seed -1, context 100,
    # 2M steps); the spin boxes clamp them. The run must keep its own, and say so.
    w = window
    cfg = tiny(seed=-1, block_size=100, num_steps=2_000_000, learning_rate=0.00001)
    t = Trainer(cfg, load_dataset(DOCS))
    t.step()
    path = tmp_path / "cli-run.npz"
    t.save(path)
    with qtbot.waitSignal(w.checkpoints.opened, timeout=WAIT):
        w.checkpoints.open(str(path))
    got = w.controller.info.config
    assert (got.train.seed, got.model.block_size, got.train.num_steps) == (-1, 100, 2_000_000)
    notes = [text for kind, text in w.messages if kind == "Information"]
    assert notes, w.messages
    for part in ('"block_size" is 100', '"seed" is -1', '"num_steps" is 2000000',
                 '"learning_rate" is 1e-05', "continues with the checkpoint's own"):
        assert part in notes[-1], notes[-1]
    assert in_worker(qtbot, w, lambda tr: tr.config.train.learning_rate) == 0.00001
    # an ordinary checkpoint opens without a note
    reset(qtbot, w, tiny())
    steps(qtbot, w, 1)
    n = len(w.messages)
    with qtbot.waitSignal(w.checkpoints.saved, timeout=WAIT):
        w.checkpoints.save(str(tmp_path / "plain.npz"))
    with qtbot.waitSignal(w.checkpoints.opened, timeout=WAIT):
        w.checkpoints.open(str(tmp_path / "plain.npz"))
    assert w.messages[n:] == []


def test_a_plain_reset_keeps_the_presets_node_counts(qtbot, window):
    """The preset's measured nodes/step went with every Reset: a variant trained next
    read '-' against the preset."""
    w, ex = window, window.panels["explorer"]
    w.controls.load_config(tiny("reference"), "optimized")
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.act["reset"].trigger()
    steps(qtbot, w, 2)
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.act["reset"].trigger()  # the same model again
    ex.set_change("div_op", False)
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.act["reset"].trigger()
    steps(qtbot, w, 2)
    diffs = [ex.table.item(i, 2).text() for i in range(ex.table.rowCount())]
    assert len(diffs) == 2 and "-" not in diffs, diffs
