"""The Weights tab: step sizes per kind of matrix while it is shown, any matrix as a map."""

from __future__ import annotations

import numpy as np
import pytest

from engine import preset
from tests.gui.helpers import WAIT, in_worker, reset, steps


def show_weights(qtbot, w):
    panel = w.panels["weights"]
    panel.recorder.min_interval = 0  # every step, however fast this machine is
    w.docks["weights"].show()
    w.docks["weights"].raise_()
    qtbot.waitUntil(panel.on_screen, timeout=5000)
    return panel


def tick_until(qtbot, panel, cond):
    def check():
        panel._tick()
        return cond()
    qtbot.waitUntil(check, timeout=WAIT)


def test_it_is_a_tab_beside_the_attention_maps_with_its_help(make_window):
    from microgpt_gui import help_texts

    w = make_window()
    assert w.docks["weights"] in w.tabifiedDockWidgets(w.docks["attention"])
    assert "Weights" in help_texts.all_html() and "Step sizes" in help_texts.text("weights")


def test_step_sizes_are_measured_only_while_the_tab_is_shown(qtbot, make_window):
    w = make_window()
    panel = w.panels["weights"]
    panel.recorder.min_interval = 0
    w.docks["attention"].raise_()  # the weights tab behind it
    qtbot.waitUntil(lambda: not panel.on_screen(), timeout=5000)
    steps(qtbot, w, 3)
    panel._tick()
    assert not panel.recorder.enabled and len(panel.steps) == 0  # costs nothing hidden
    show_weights(qtbot, w)
    panel._tick()
    assert panel.recorder.enabled
    steps(qtbot, w, 4)  # the first only gives the meter its "before"
    tick_until(qtbot, panel, lambda: len(panel.steps) >= 3)
    assert list(panel.steps) == [5, 6, 7]
    assert panel.kinds[:2] == ["wte", "wpe"] and len(panel.curves) == len(panel.kinds)
    assert "token&nbsp;embedding" in panel.key.text()
    x, y = panel.curves["wte"].getData()
    assert list(x) == [5, 6, 7] and np.all((y < 0) & (y > -4))  # log10 of a step size


def test_a_gap_while_hidden_breaks_the_lines(qtbot, make_window):
    w = make_window()
    panel = show_weights(qtbot, w)
    panel._tick()
    steps(qtbot, w, 3)
    tick_until(qtbot, panel, lambda: len(panel.steps) >= 2)
    w.docks["attention"].raise_()
    qtbot.waitUntil(lambda: not panel.on_screen(), timeout=5000)
    panel._tick()
    steps(qtbot, w, 2)
    show_weights(qtbot, w)
    panel._tick()
    steps(qtbot, w, 2)
    tick_until(qtbot, panel, lambda: panel.steps[-1] == 7)
    gap = np.isnan(panel.ratios).all(axis=1)
    assert list(panel.steps[~gap]) == [2, 3, 7] and gap.sum() == 1
    assert panel.steps[gap][0] == 5  # between the two stretches: not one line across


def test_a_new_model_starts_new_lines(qtbot, make_window):
    w = make_window()
    panel = show_weights(qtbot, w)
    panel._tick()
    steps(qtbot, w, 3)
    tick_until(qtbot, panel, lambda: len(panel.steps) >= 2)
    cfg = preset("optimized")
    cfg.model.n_layer, cfg.train.num_steps = 2, 40
    reset(qtbot, w, cfg)
    assert len(panel.steps) == 0
    steps(qtbot, w, 3)
    tick_until(qtbot, panel, lambda: len(panel.steps) >= 2)
    assert list(panel.steps) == [2, 3]


def test_a_chosen_matrix_is_drawn_as_it_is_in_the_model(qtbot, make_window):
    w = make_window()
    panel = show_weights(qtbot, w)
    steps(qtbot, w, 2)
    tick_until(qtbot, panel, lambda: bool(panel.names))
    names = [panel.matrix.itemText(i) for i in range(1, panel.matrix.count())]
    assert names == in_worker(qtbot, w, lambda t: list(t.params))
    assert panel.pages.currentIndex() == 0  # the step sizes first
    panel.matrix.setCurrentText("wte")
    assert panel.pages.currentIndex() == 1
    tick_until(qtbot, panel, lambda: panel.shown is not None and panel.shown[1] == "wte")
    wte = in_worker(qtbot, w, lambda t: t.params["wte"].copy())
    m = panel.matrix_map
    assert panel.plot is m.plot  # the plot File > Export writes
    np.testing.assert_array_equal(m.image.image, wte.T)  # tokens across: the wider side
    top = np.abs(wte).max()
    assert tuple(m.image.getLevels()) == (-top, top)  # white is exactly zero
    ticks = m.plot.getPlotItem().getAxis("bottom")._tickLevels[0]
    labels = in_worker(qtbot, w, lambda t: t.tokenizer.labels())
    assert {text for _, text in ticks} <= set(labels) and len(ticks) > 1
    r, c = 2, 5
    assert m.cell_text(r + 0.5, c + 0.5).startswith(f"wte[{labels[r]}, {c}] = ")
    assert f"{wte[r, c]:.4g}" in m.cell_text(r + 0.5, c + 0.5)
    assert m.cell_text(-1, 0) == ""
    assert m.caption.text().startswith(f"wte: {wte.shape[0]} × {wte.shape[1]} at step ")

    steps(qtbot, w, 1)  # a step later the map follows the model
    tick_until(qtbot, panel, lambda: panel.shown[0] == 3)
    np.testing.assert_array_equal(m.image.image,
                                  in_worker(qtbot, w, lambda t: t.params["wte"].T.copy()))


def test_the_chosen_view_is_remembered(qtbot, make_window):
    w = make_window()
    panel = show_weights(qtbot, w)
    tick_until(qtbot, panel, lambda: bool(panel.names))
    panel.matrix.setCurrentText("layer0.mlp_fc1")
    state = panel.save_state()
    assert state == {"matrix": "layer0.mlp_fc1"}
    panel.restore_state({"matrix": ""})
    assert panel.pages.currentIndex() == 0 and panel.save_state() == {"matrix": ""}
    panel.restore_state(state)
    assert panel.matrix.currentText() == "layer0.mlp_fc1" and panel.pages.currentIndex() == 1
    panel.restore_state({"matrix": 7})  # junk in a settings file changes nothing
    assert panel.save_state() == state


def drawn_labels(widget, axis):
    """The tick labels `axis` draws, as rects in `widget`'s pixels."""
    from PySide6.QtGui import QImage, QPainter

    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [widget.mapFromScene(axis.mapRectToScene(rect)).boundingRect()
            for rect, _flags, _text in texts]


@pytest.mark.parametrize("name, projector_font", [("layer0.mlp_fc1", False),
                                                   ("layer0.mlp_fc1", True), ("wte", False)])
def test_the_maps_tick_labels_never_touch(qtbot, make_window, name, projector_font):
    """Indices up to 1023 across (a wide model's MLP matrix) and 255 down, or letters
    across and 16 dimensions down, in the theme's tick font, and again after the window
    shrinks while paused (no new step redraws the map); no label cut by the panel's edge."""
    from PySide6.QtGui import QFontMetrics

    from microgpt_gui.plotutil import label_spacing
    from tests.gui.test_layout import tick_gaps_px

    w = make_window()
    if projector_font:
        w.ctx.themes.set_theme(w.ctx.theme.with_(plot_font_size=16))
    panel = show_weights(qtbot, w)
    tick_until(qtbot, panel, lambda: bool(panel.names))
    panel.matrix.setCurrentText(name)
    tick_until(qtbot, panel, lambda: panel.shown is not None)
    if name == "wte":
        labels = in_worker(qtbot, w, lambda t: t.tokenizer.labels())
        matrix = in_worker(qtbot, w, lambda t: t.params["wte"].copy())
    else:  # a model of n_embd 256: 4 x 256 rows
        labels, matrix = [], np.random.default_rng(0).normal(size=(1024, 256))
    m = panel.matrix_map
    m.show_matrix(0, name, matrix, labels)
    plot = m.plot.getPlotItem()
    for size in ((1440, 900), (1000, 640)):
        w.resize(*size)
        qtbot.wait(200)
        for side in ("bottom", "left"):
            axis = plot.getAxis(side)
            font = axis.style["tickFont"]
            assert font is not None and font.pointSize() == w.ctx.theme.plot_font_size
            labels = [text for _, text in axis._tickLevels[0]]
            need = (label_spacing(font, labels) if side == "bottom" else
                    QFontMetrics(font).height())  # stacked digits: a line apart
            gaps = tick_gaps_px(plot, side)
            assert len(gaps) >= 2 and min(gaps) >= need - 0.5, (size, side, min(gaps), need)
            inside = m.plot.rect()
            assert all(inside.contains(r) for r in drawn_labels(m.plot, axis))


def test_the_step_size_axis_title_fits_its_plot(qtbot, make_window):
    """At the window's smallest the plot is ~120 px tall: 'log₁₀(update ÷ weight)' was cut
    to 'log₁₀(update ÷ we'; a short plot gets a short title, as the curves do."""
    w = make_window()
    panel = show_weights(qtbot, w)
    plot = panel.ratio_plot.getPlotItem()
    for size in ((1440, 900), (200, 150)):
        w.resize(*size)
        qtbot.wait(200)
        label = plot.getAxis("left").label  # vertical: its text runs along the height
        text_len = label.boundingRect().width() - 2 * label.document().documentMargin()
        assert 0 < text_len <= plot.getViewBox().rect().height(), size
    w.resize(1440, 900)
    qtbot.wait(200)
    assert "weight" in plot.getAxis("left").labelText  # the full title when it fits


def test_file_export_writes_the_weights_plot_on_screen(qtbot, make_window, tmp_path,
                                                       monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = make_window()
    panel = show_weights(qtbot, w)
    steps(qtbot, w, 3)
    tick_until(qtbot, panel, lambda: bool(panel.names) and len(panel.steps) >= 1)
    for view, name in (("", "sizes.svg"), ("wte", "wte.svg")):
        panel.matrix.setCurrentIndex(panel.matrix.findText(view) if view else 0)
        if view:
            tick_until(qtbot, panel, lambda: panel.shown is not None)
        path = tmp_path / name
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            staticmethod(lambda *a, p=path, **k: (str(p), "")))
        w.act["export_plot_weights"].trigger()
        text = path.read_text("utf-8")
        # the plot on screen: the step sizes' axis title, or the map's token axis
        assert ("ratio" in text or "update" in text) if not view else "token" in text


def test_the_key_breaks_lines_between_entries_only(qtbot, make_window):
    w = make_window()
    panel = show_weights(qtbot, w)
    steps(qtbot, w, 3)
    tick_until(qtbot, panel, lambda: bool(panel.kinds))
    text = panel.key.text()
    assert "MLP&nbsp;in&nbsp;(fc1)" in text and "MLP in" not in text
