"""Attention heatmaps and the sampling panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest

from tests.gui.helpers import train_to_end

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs.txt"

pytest.importorskip("pytestqt")


def wait_capture(qtbot, w, follow=True):
    """The attention panel shows a capture for the current word."""
    qtbot.waitUntil(lambda: w.attention.current is not None
                    and bool(w.attention.current.get("follow")) == follow, timeout=10_000)
    return w.attention.current


def test_attention_grid_has_layers_times_heads_images_whose_rows_sum_to_1(qtbot, make_window):
    w = make_window(n_layer=2, n_head=2, n_embd=8)
    with qtbot.waitSignal(w.controller.stats_batch, timeout=5_000):
        w.act["step"].trigger()
    cap = wait_capture(qtbot, w)
    assert len(w.attention.images) == 2 * 2
    T = len(cap["labels"])
    assert T == min(len(cap["word"]) + 1, 8)  # BOS + letters, cut to block_size
    for img in w.attention.images:
        a = img.image
        assert a.shape == (T, T)
        np.testing.assert_allclose(a.sum(axis=1), 1.0, atol=1e-9)
        assert np.allclose(np.triu(a, 1), 0)  # causal: no looking ahead
        assert tuple(img.getLevels()) == (0.0, 1.0)  # fixed scale, not auto-levels
    bottom_left = w.attention.cells[2]  # row 2, column 1 of the 2 x 2 grid: both axes
    tokens = ["·"] + list(cap["word"][: T - 1])  # BOS shown as a symbol
    for name in ("bottom", "left"):
        ticks = bottom_left.getAxis(name)._tickLevels[0]
        assert ticks[0] == (0.5, "·")
        # Each letter at its cell's centre; small maps show every k-th (test_layout.py).
        assert all(t == tokens[int(pos)] and pos % 1 == 0.5 for pos, t in ticks)


def test_attention_for_a_typed_word_and_bad_characters(qtbot, make_window):
    w = make_window()
    w.attention.word.setText("emma")
    assert not w.attention.follow.isChecked()
    qtbot.waitUntil(lambda: w.attention.current is not None
                    and w.attention.current["word"] == "emma", timeout=5_000)
    assert w.attention.images[0].image.shape == (5, 5)
    w.attention.word.setText("em#")
    assert "#" in w.attention.caption.text()


def test_attention_hover_reads_query_key_weight(qtbot, make_window):
    from PySide6.QtCore import QPointF

    w = make_window()
    w.attention.word.setText("ava")
    qtbot.waitUntil(lambda: w.attention.current is not None
                    and w.attention.current["word"] == "ava", timeout=5_000)
    cell = w.attention.cells[0]
    scene_pos = cell.getViewBox().mapViewToScene(QPointF(0.5, 1.5))  # query 1, key 0
    w.attention._hover(scene_pos)
    text = w.attention.readout.text()
    assert "a (pos 1) → · (pos 0)" in text
    weight = w.attention.current["attention"][0, 0, 1, 0]
    assert f"{weight:.3f}" in text


def greedy(inference, prefix=""):
    """What top-k = 1 must produce: always the single likeliest next token."""
    tok = inference.tokenizer
    out = prefix
    for _ in range(inference.cfg.model.block_size - len(prefix)):
        probs = inference.next_token_probs(out, temperature=1.0, top_k=None)
        nxt = int(np.argmax(probs))
        if nxt == tok.bos_id:
            break
        out += tok.token_str(nxt)
    return out


def test_top_k_1_sampling_is_deterministic_and_greedy(qtbot, make_window):
    w = make_window(num_steps=60)
    c = w.controller
    train_to_end(qtbot, w)
    s = w.sampling
    s.set_top_k(1)
    s.count.setValue(5)
    assert s.top_k_value() == 1 and "1" in s.top_k_label.text()
    runs = []
    for _ in range(2):
        with qtbot.waitSignal(s.samples_ready, timeout=10_000) as blocker:
            w.act["generate"].trigger()
        runs.append([name for name, _new in blocker.args[0]])
    assert runs[0] == runs[1] and len(set(runs[0])) == 1
    assert runs[0][0] == greedy(c.snapshot())
    assert s.names() == runs[1]
    assert s.results.count() == 5


def test_samples_are_marked_new_or_in_training_data(qtbot, make_window):
    w = make_window()
    s = w.sampling
    train = sorted(w.controller.info.train_docs)[0]
    s._show_samples([train, "zzzqx"])
    items = [s.results.item(i).text() for i in range(2)]
    assert "in training data" in items[0] and "new" in items[1]


def test_next_token_bars_sum_to_1_and_grey_out_the_top_k_cut(qtbot, make_window):
    w = make_window()
    s = w.sampling
    qtbot.waitUntil(lambda: s.inference is not None, timeout=5_000)
    vocab = w.controller.info.vocab_size
    s.set_top_k(None)
    assert s.top_k_label.text() == "Top-k: off"
    heights = s.bars.opts["height"]
    assert len(heights) == vocab and np.sum(heights) == pytest.approx(1.0)
    s.set_top_k(3)
    heights = np.asarray(s.bars.opts["height"])
    assert np.sum(heights) == pytest.approx(1.0) and np.count_nonzero(heights) == 3
    assert len(s.muted_bars.opts["height"]) == vocab - 3  # the cut, shown grey
    before = heights.copy()
    s.set_temperature(2.0)  # the bars follow the sliders
    assert not np.allclose(before, s.bars.opts["height"])
    s.prefix.setText("em")
    assert np.sum(s.bars.opts["height"]) == pytest.approx(1.0)
    s.prefix.setText("e#")
    assert "#" in s.message.text()


def test_sampling_while_training_leaves_the_training_numbers_alone(qtbot, make_window):
    """A snapshot sampler has its own RNG: the run's losses match a run without sampling."""
    from engine import Trainer, load_dataset

    w = make_window(num_steps=20)
    c = w.controller
    with qtbot.waitSignal(w.sampling.samples_ready, timeout=10_000):
        w.act["generate"].trigger()
    train_to_end(qtbot, w)
    ref = Trainer(c.info.config, load_dataset(str(DOCS)))
    expected = [ref.step().loss for _ in range(20)]
    np.testing.assert_allclose(c.history.array("loss"), expected, rtol=1e-12)


def test_attention_is_captured_only_while_the_view_is_visible(qtbot, make_window):
    w = make_window(num_steps=100_000, speed=100)
    c = w.controller
    calls = []
    real = c.request_capture
    c.request_capture = lambda word="", attention=True, positions=False: (
        calls.append(attention), real(word, attention, positions))
    view_menu_entry = w.docks["attention"].toggleViewAction()
    view_menu_entry.trigger()  # View ▸ Attention: hidden
    w.act["train"].trigger()
    qtbot.wait(600)
    assert not any(calls)  # hidden: no attention maps computed
    view_menu_entry.trigger()  # shown again, and in front of its tab group
    assert w.panels["attention"].on_screen()
    qtbot.waitUntil(lambda: any(calls), timeout=5_000)
    qtbot.wait(1000)
    assert 2 <= sum(calls) <= 12  # about 5 a second, not one per step
    w.act["train"].trigger()


def test_curves_log_axis_follow_and_hover(qtbot, make_window):
    w = make_window(num_steps=50)
    c = w.controller
    train_to_end(qtbot, w)
    cv = w.curves
    cv.refresh(force=True)
    lo, hi = cv.loss_plot.getViewBox().viewRange()[0]
    assert lo <= 0 and hi >= 50  # following: the whole run in view
    cv.log_y.setChecked(True)
    assert cv.loss_plot.getAxis("left").logMode
    cv.loss_plot.getViewBox().sigRangeChangedManually.emit([True, True])
    assert not cv.follow.isChecked()  # the user zoomed: stop following
    from PySide6.QtCore import QPointF

    vb = cv.loss_plot.getViewBox()
    pos = vb.mapViewToScene(QPointF(25, vb.viewRect().center().y()))
    cv.marks.hover(pos)
    assert cv.readout.text().startswith("step 25") and "loss" in cv.readout.text()
    cv.smoothing.setValue(0.0)
    assert np.allclose(c.history.array("smooth"), c.history.array("loss"))


def test_a_step_sits_at_the_same_x_in_the_three_curve_plots(qtbot, make_window):
    """Each plot's left axis took the width of its own tick labels ('2.5' for the loss,
    '0.995' for the grad norm before the first step, '4' for lr in units of 0.001), so
    the plots' step axes started up to ~20 px apart; now they share one width. The grad
    norm runs from 0, which keeps its labels short before there is any data."""
    from PySide6.QtCore import QPointF

    w = make_window(num_steps=300)
    cv = w.curves

    def lefts():
        qtbot.wait(100)
        return [p.getViewBox().sceneBoundingRect().left() for p in cv.plots]

    at_reset = lefts()
    assert max(at_reset) - min(at_reset) < 1, at_reset
    assert cv.grad_plot.getViewBox().viewRange()[1][0] == 0  # from 0
    train_to_end(qtbot, w)
    cv.refresh(force=True)
    trained = lefts()
    assert max(trained) - min(trained) < 1, trained
    x = cv.loss_plot.getViewBox().mapViewToScene(QPointF(150, 0)).x()
    for plot in cv.plots[1:]:  # linked x ranges too: step 150 at one pixel in each
        assert abs(plot.getViewBox().mapViewToScene(QPointF(150, 0)).x() - x) < 1
    cv.log_y.setChecked(True)  # other tick labels on the loss axis
    logged = lefts()
    assert max(logged) - min(logged) < 1, logged
    w.projector.set_active(True)
    qtbot.wait(300)
    big = lefts()
    assert max(big) - min(big) < 1, big


def test_opening_a_text_file_trains_on_it(qtbot, make_window, tmp_path):
    w = make_window()
    f = tmp_path / "pets.txt"
    f.write_text("rex\nfido\nbella\nmax\nluna\nkitty\ncoco\nmilo\nnala\nzeus\n",
                 encoding="utf-8")
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):  # nothing trained yet
        w.datasets.load_path(str(f))
    assert w.controller.info.num_docs == 10
    assert "pets.txt" in w.controls.dataset_label.text()
    with qtbot.waitSignal(w.controller.stats_batch, timeout=5_000):
        w.act["step"].trigger()
    with qtbot.waitSignal(w.datasets.loaded, timeout=5_000):
        w.datasets.load_path(str(DOCS))  # after training: kept for the next Reset
    assert "the data" in w.controls.needs_reset.text()


def test_next_token_bars_with_the_slow_reference_backend_stay_correct(qtbot, make_window):
    w = make_window()
    w.controls.backend.setCurrentText("reference")
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):
        w.reset()
    s = w.sampling
    qtbot.waitUntil(lambda: s.inference is not None and len(s.probs) > 0, timeout=10_000)
    for k in (7, 6, 5, 4, 3):  # a slider drag: only the latest value must win
        s.set_top_k(k)
    qtbot.waitUntil(lambda: np.count_nonzero(s.bars.opts["height"]) == 3, timeout=10_000)
    assert np.sum(s.bars.opts["height"]) == pytest.approx(1.0)


def test_clip_threshold_is_in_the_legend_only_while_clipping(qtbot, make_window):
    from tests.gui.helpers import reset

    w = make_window()
    legend = w.curves.legends[1]

    def names():
        return [label.text for _, label in legend.items]

    assert "clip threshold" in names()
    cfg = w.controls.config()
    cfg.train.grad_clip = None
    reset(qtbot, w, cfg)
    assert "clip threshold" not in names() and "grad norm" in names()
    cfg.train.grad_clip = 1.0
    reset(qtbot, w, cfg)
    assert names().count("clip threshold") == 1


def test_a_live_change_is_marked_across_the_three_curve_plots(qtbot, make_window):
    from tests.gui.helpers import steps

    w = make_window()
    cv, c = w.curves, w.controller
    steps(qtbot, w, 5)
    c.set_learning_rate(0.02)
    steps(qtbot, w, 1)
    cv.refresh(force=True)

    def markers(plot):
        return [i for i in plot.items if isinstance(i, pg.InfiniteLine)
                and i not in cv.marks.cursors and i.value() == 5]

    assert [len(markers(p)) for p in cv.plots] == [1, 1, 1]
    (label_line,) = markers(cv.lr_plot)
    assert label_line.label.toPlainText() == "lr 0.02"
    assert not any(hasattr(m, "label") for p in cv.plots[:2] for m in markers(p))
    w.text_size.larger()  # a new theme draws them again, once
    cv.refresh(force=True)
    assert [len(markers(p)) for p in cv.plots] == [1, 1, 1]
