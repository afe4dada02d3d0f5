"""Layout checks a screenshot review found worth keeping: every heatmap of a head is in
view (or the view scrolls to it), big enough to read, and its letter labels do not sit
on top of each other. Offscreen, numpy backend, the window at its default size."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from engine import preset  # noqa: E402
from tests.gui.helpers import WAIT, reset  # noqa: E402

pytest.importorskip("pytestqt")


def model(n_layer=1, n_head=4, n_embd=16):
    return preset("optimized", backend="numpy", num_steps=20, n_layer=n_layer,
                  n_head=n_head, n_embd=n_embd)


def viewport_rect(scroll, item):
    """`item`'s rectangle in the coordinates of `scroll`'s viewport (its visible part)."""
    view = item.scene().views()[0]
    rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    return rect.translated(view.viewport().mapTo(scroll.viewport(), rect.topLeft())
                           - rect.topLeft())


def tick_gaps_px(plot, axis="left") -> list[float]:
    """Pixel distances between neighbouring tick labels of `plot`'s axis."""
    from PySide6.QtCore import QPointF

    vb = plot.getViewBox()
    ticks = plot.getAxis(axis)._tickLevels[0]
    if axis == "left":
        pos = [vb.mapViewToScene(QPointF(0, v)).y() for v, _ in ticks]
    else:
        pos = [vb.mapViewToScene(QPointF(v, 0)).x() for v, _ in ticks]
    return [abs(b - a) for a, b in zip(pos, pos[1:])]


def show_timelapse(qtbot, w, cfg):
    w.docks["timelapse"].show()
    w.docks["timelapse"].raise_()
    tl = w.panels["timelapse"]
    reset(qtbot, w, cfg)  # the reset takes the step-0 snapshot
    n = cfg.model.n_layer * cfg.model.n_head
    qtbot.waitUntil(lambda: len(tl.attention.images) == n and tl.attention.map_size > 0,
                    timeout=WAIT)
    qtbot.wait(50)  # let the dock layout settle (queued resize events)
    tl.attention.fit()
    return tl.attention


def test_plotutil_thinned_ticks_keep_labels_a_line_apart():
    from microgpt_gui.plotutil import thinned_ticks

    labels = list("·olivia·")
    assert thinned_ticks(labels, 20, 12) == [(i + 0.5, t) for i, t in enumerate(labels)]
    thin = thinned_ticks(labels, 5, 12)  # 5 px rows, 12 px text: every 3rd
    assert [p for p, _ in thin] == [0.5, 3.5, 6.5]
    assert all(b - a >= 12 / 5 for (a, _), (b, _) in zip(thin, thin[1:]))
    assert thinned_ticks([], 5, 12) == []


def test_timelapse_strip_shows_every_head_at_the_default_window_size(qtbot, plain_window):
    from microgpt_gui.plotutil import row_label_spacing, tick_font

    w = plain_window
    strip = show_timelapse(qtbot, w, model(n_head=4))
    view = strip.viewport().rect()
    assert not strip.horizontalScrollBar().isVisible()
    for img in strip.images:  # all four in view, not cut off at the dock's edge
        rect = viewport_rect(strip, img)
        assert view.contains(rect.adjusted(1, 1, -1, -1)), (rect, view)
        assert rect.width() >= strip.MIN_MAP - 1 and rect.height() >= strip.MIN_MAP - 1
    gaps = tick_gaps_px(strip.plots[0])
    assert gaps and min(gaps) >= row_label_spacing(tick_font(strip.font_size)) - 0.5


@pytest.mark.parametrize("n_layer", [2, 4])
def test_timelapse_strip_scrolls_rather_than_squash_big_models(qtbot, plain_window, n_layer):
    from microgpt_gui.plotutil import row_label_spacing, tick_font

    w = plain_window
    strip = show_timelapse(qtbot, w, model(n_layer=n_layer, n_head=8, n_embd=16))
    view = strip.viewport().rect()
    rects = [viewport_rect(strip, img) for img in strip.images]
    for rect in rects:  # never squashed below a readable size, never on top of another
        assert rect.width() >= strip.MIN_MAP - 1 and rect.height() >= strip.MIN_MAP - 1
    for i, a in enumerate(rects):
        assert not any(a.intersects(b.adjusted(1, 1, -1, -1)) for b in rects[i + 1:])
    hidden = [r for r in rects if not view.contains(r.adjusted(1, 1, -1, -1))]
    if hidden:  # what is out of view can be scrolled to
        bars = (strip.horizontalScrollBar(), strip.verticalScrollBar())
        assert any(bar.isVisible() and bar.maximum() > 0 for bar in bars)
        last = rects[-1]  # content and viewport coordinates agree before scrolling
        strip.ensureVisible(last.center().x(), last.center().y(),
                            last.width() // 2 + 2, last.height() // 2 + 2)
        last = viewport_rect(strip, strip.images[-1])
        assert view.contains(last.adjusted(1, 1, -1, -1))
    gaps = tick_gaps_px(strip.plots[0])
    assert not gaps or min(gaps) >= row_label_spacing(tick_font(strip.font_size)) - 0.5


def show_attention(qtbot, w, cfg):
    w.docks["attention"].show()
    w.docks["attention"].raise_()
    panel = w.panels["attention"]
    reset(qtbot, w, cfg)
    n = cfg.model.n_layer * cfg.model.n_head
    qtbot.waitUntil(lambda: panel.current is not None and len(panel.cells) == n,
                    timeout=WAIT)
    qtbot.waitUntil(lambda: w.head_roles.roles is not None, timeout=WAIT)  # the labels
    qtbot.wait(50)  # let the dock layout settle (queued resize events)
    return panel


def assert_ticks_apart(panel):
    """Every head's letters are a letter apart, and the same on every head."""
    from microgpt_gui.plotutil import label_spacing, row_label_spacing

    font = panel._tick_font()
    for cell in panel.cells:
        rows, cols = tick_gaps_px(cell, "left"), tick_gaps_px(cell, "bottom")
        assert rows and min(rows) >= row_label_spacing(font) - 0.5
        assert cols and min(cols) >= label_spacing(font, panel._labels) - 0.5
    shown = {tuple(cell.getAxis("left")._tickLevels[0]) for cell in panel.cells}
    assert len(shown) == 1, shown


def assert_maps_alike(scroll, images):
    sides = [viewport_rect(scroll, img).width() for img in images]
    assert max(sides) - min(sides) <= 2, sides


def test_attention_grid_fits_the_dock_with_four_heads(qtbot, plain_window):
    from microgpt_gui.attention_grid import MIN_MAP

    w = plain_window
    panel = show_attention(qtbot, w, model(n_head=4))
    scroll = panel.scroll
    view = scroll.viewport().rect()
    assert not scroll.horizontalScrollBar().isVisible()
    items = list(panel.images) + [panel.colorbar]
    for item in items:  # every head and the colour bar in view
        rect = viewport_rect(scroll, item)
        assert view.contains(rect.adjusted(1, 1, -1, -1)), (rect, view)
    for img in panel.images:
        assert viewport_rect(scroll, img).width() >= MIN_MAP - 1
    assert_ticks_apart(panel)
    assert_maps_alike(scroll, panel.images)


@pytest.mark.parametrize("n_layer", [2, 4])
def test_attention_grid_scrolls_rather_than_overlap_for_many_heads(qtbot, plain_window,
                                                                    n_layer):
    from microgpt_gui.attention_grid import MIN_MAP

    w = plain_window
    panel = show_attention(qtbot, w, model(n_layer=n_layer, n_head=8, n_embd=16))
    scroll = panel.scroll
    view = scroll.viewport().rect()
    maps = [viewport_rect(scroll, img) for img in panel.images]
    for rect in maps:
        assert min(rect.width(), rect.height()) >= MIN_MAP - 1
    # The head-role labels under the maps never run into each other.
    roles = [viewport_rect(scroll, cell.getAxis("bottom").label) for cell in panel.cells]
    for i, a in enumerate(roles):
        assert not any(a.adjusted(1, 1, -1, -1).intersects(b) for b in roles[i + 1:])
    if any(not view.contains(r.adjusted(1, 1, -1, -1)) for r in maps):
        bars = (scroll.horizontalScrollBar(), scroll.verticalScrollBar())
        assert any(bar.isVisible() and bar.maximum() > 0 for bar in bars)
        # The last head can be scrolled into view.
        last = maps[-1]
        scroll.ensureVisible(last.center().x(), last.center().y(),
                             last.width() // 2 + 2, last.height() // 2 + 2)
        assert view.contains(viewport_rect(scroll, panel.images[-1]).adjusted(1, 1, -1, -1))
    assert_ticks_apart(panel)
    assert_maps_alike(scroll, panel.images)


@pytest.mark.parametrize("size", [(1280, 720), (1360, 860)])
def test_curve_axis_titles_are_no_longer_than_their_plots(qtbot, plain_window, size):
    w = plain_window
    w.resize(*size)
    reset(qtbot, w, model())
    curves = w.curves
    qtbot.waitUntil(lambda: all(p.getViewBox().rect().height() > 0 for p in curves.plots),
                    timeout=WAIT)
    qtbot.wait(50)  # queued resizes
    for plot in curves.plots:
        axis = plot.getAxis("left")
        label = axis.label  # vertical: its text runs along the plot's height
        text_len = label.boundingRect().width() - 2 * label.document().documentMargin()
        assert text_len <= plot.getViewBox().rect().height(), (axis.labelText, size)


def test_window_fits_a_1280x720_screen_and_runs_plot_keeps_its_height(qtbot, plain_window):
    w = plain_window
    assert w.minimumSizeHint().height() <= 720 and w.minimumSizeHint().width() <= 1280
    w.docks["runs"].show()
    w.docks["runs"].raise_()
    w.resize(1280, 720)
    qtbot.waitUntil(lambda: w.panels["runs"].plot.isVisible(), timeout=WAIT)
    qtbot.wait(50)
    # A short dock: the loss plot still gets room for its ticks (it had ~50 px).
    assert w.panels["runs"].plot.height() >= 100


@pytest.mark.parametrize("screen_height", [720, 1080])
def test_letter_axes_have_room_for_descenders_at_projector_sizes(qtbot, plain_window,
                                                                screen_height):
    from PySide6.QtGui import QFontMetrics

    from microgpt_gui.projector import projector_theme

    w = plain_window
    reset(qtbot, w, model())
    w.themes.set_theme(projector_theme(screen_height))
    panel = w.panels["attention"]
    qtbot.waitUntil(lambda: bool(panel.cells), timeout=WAIT)
    axes = [w.sampling.bars_plot.getAxis("bottom")]
    axes += [cell.getAxis("bottom") for cell in panel.cells]
    for axis in axes:  # g, j, p, q, y whole, not cut at the axis' lower edge
        line = QFontMetrics(axis.style["tickFont"]).height()
        label = axis.label.boundingRect().height() * 0.8 if axis.label.isVisible() else 0
        assert axis.minimumHeight() >= line + axis.style["tickTextOffset"][1] + label - 0.5


def test_a_smaller_model_after_a_big_one_fits_again(qtbot, plain_window):
    """Row and column sizes set for 2 x 8 maps must not linger once there are 1 x 4."""
    w = plain_window
    show_attention(qtbot, w, model(n_layer=2, n_head=8, n_embd=16))
    show_timelapse(qtbot, w, model(n_layer=2, n_head=8, n_embd=16))
    strip = show_timelapse(qtbot, w, model(n_head=4))
    panel = show_attention(qtbot, w, model(n_head=4))
    for scroll, items in ((panel.scroll, list(panel.images) + [panel.colorbar]),
                          (strip, strip.images)):
        view = scroll.viewport().rect()
        assert not scroll.horizontalScrollBar().isVisible()
        for item in items:
            assert view.contains(viewport_rect(scroll, item).adjusted(1, 1, -1, -1))


def test_colour_bar_has_one_label_in_the_theme_size(qtbot, plain_window):
    from microgpt_gui.projector import projector_theme

    w = plain_window
    reset(qtbot, w, model())
    theme = projector_theme(720)
    w.themes.set_theme(theme)
    bar = w.panels["attention"].colorbar
    labelled = [name for name in ("left", "right", "top", "bottom")
                if bar.getAxis(name).label.isVisible()]
    assert labelled == ["left"]
    assert f"{theme.plot_font_size}pt" in bar.getAxis("left").labelStyle.get("font-size", "")


def test_a_long_word_in_the_surprise_view_fits_a_1280_window(qtbot, plain_window):
    w = plain_window
    cfg = preset("optimized", backend="numpy", num_steps=20, n_embd=8, n_head=2,
                 block_size=16)
    w.docks["surprise"].show()
    w.docks["surprise"].raise_()
    w.resize(1280, 720)
    reset(qtbot, w, cfg)
    view = w.panels["surprise"].view
    with qtbot.waitSignal(w.controller.snapshot_ready, timeout=WAIT):
        w.controller.request_snapshot()
    view.entry.setText("maximilianoalejandro")  # 16 positions: boxes, no room for a key
    qtbot.waitUntil(lambda: len(view.boxes) == 16, timeout=WAIT)
    qtbot.wait(50)  # queued layout
    assert w.minimumSizeHint().width() <= 1280  # the word does not widen the window
    for box in view.boxes:  # every letter whole, inside the view
        assert box.width() >= box.sizeHint().width() - 1, (box.text(), box.width())
        assert box.geometry().right() <= view.width()
    assert view.legend.isVisible() or view.legend_below.isVisible()


def test_next_letter_bars_thin_their_labels_for_a_big_vocabulary(qtbot, plain_window,
                                                                  tmp_path):
    import string

    from engine import load_dataset
    from microgpt_gui.plotutil import label_spacing

    chars = string.ascii_letters + string.digits + ".,;:-'!?()"
    words = ["".join(chars[(i * 7 + j * 3) % len(chars)] for j in range(6))
             for i in range(400)]
    (tmp_path / "big.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    w = plain_window
    w.datasets.dataset = load_dataset(str(tmp_path / "big.txt"))
    reset(qtbot, w, model())
    bars = w.sampling.bars_plot
    n = w.controller.info.vocab_size
    assert n > 70
    qtbot.waitUntil(lambda: len(bars._labels) == n, timeout=WAIT)
    qtbot.wait(50)
    gaps = tick_gaps_px(bars.getPlotItem(), "bottom")
    font = bars.getAxis("bottom").style["tickFont"]
    assert gaps and min(gaps) >= label_spacing(font, bars._labels) - 0.5


# --- projector mode on a real screen size (a process of its own: projector_probe.py) ---

def projector_probe(tmp_path, width, height, n_layer):
    """What projector_probe.py measures, on an offscreen screen of width x height."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "projector", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpiX": 96, "logicalDpiY": 96}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    probe = Path(__file__).with_name("projector_probe.py")
    done = subprocess.run([sys.executable, str(probe), str(n_layer)], env=env,
                          capture_output=True, text=True, timeout=180)
    lines = [x for x in done.stdout.splitlines() if x.startswith("PROBE ")]
    assert done.returncode == 0 and lines, done.stderr[-2000:]
    return json.loads(lines[-1][len("PROBE "):])


def inside(r, outer, slack=1):
    x, y, w, h = r
    ox, oy, ow, oh = outer
    return x >= ox - slack and y >= oy - slack and x + w <= ox + ow + slack \
        and y + h <= oy + oh + slack


def overlap(a, b, slack=1):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax + aw - slack > bx and bx + bw - slack > ax and \
        ay + ah - slack > by and by + bh - slack > ay


@pytest.mark.parametrize("width, height, n_layer", [(1280, 720, 2), (1920, 1080, 2),
                                                    (1280, 720, 1), (1024, 768, 1)])
def test_projector_side_column_fits_every_layer_without_overlap(tmp_path, width, height,
                                                                n_layer):
    """Projector mode, the heatmaps over the names: every layer's maps and head roles in
    view without scrolling (a 4:3 projector too: its fourth head and the colour bar were
    cut off), maps of one size and big enough to read; the sampling panel's
    parts (sliders, bars, quality lines, names) each whole and clear of one another.
    (Giving the heatmaps more height once squeezed the quality line into the names.)"""
    got = projector_probe(tmp_path, width, height, n_layer)
    assert got["window"] == [0, 0, width, height]
    # the heatmaps
    assert got["scrollbars"] == [False, False]
    view = got["viewport"]
    for r in got["maps"] + got["roles"]:
        assert inside(r, view), (r, view)
    sides = [r[2] for r in got["maps"]] + [r[3] for r in got["maps"]]
    assert max(sides) - min(sides) <= 2, sides
    assert min(sides) >= 0.09 * height, sides  # 65 px at 720p, 97 px at 1080p
    items = got["maps"] + got["roles"]
    for i, a in enumerate(items):
        assert not any(overlap(a, b) for b in items[i + 1:]), a
    if n_layer == 1:  # no empty band under the maps: the names below have the room
        under = view[1] + view[3] - max(r[1] + r[3] for r in got["roles"])
        assert under <= 24, (under, view, got["roles"])
    # the names under them
    parts = got["parts"]
    for name, r in parts.items():
        assert inside(r, got["sampling"]) and inside(r, got["window"]), (name, r)
    names = list(parts)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not overlap(parts[a], parts[b]), (a, b, parts[a], parts[b])
    for name, (have, need) in got["wrapped"].items():
        assert have >= need, (name, have, need)  # every line of the text shown
    assert parts["bars"][3] >= got["bars_min"]
    for have, hint in got["sliders"]:  # not squeezed to a stub (60 px at 1024x768)
        assert have >= hint, got["sliders"]
    if height >= 1080:  # a big screen: the bars keep more than the desktop's 120 px
        assert parts["bars"][3] >= 150, parts["bars"]


def test_a_short_loss_plot_lays_its_legend_out_in_a_row(qtbot, plain_window):
    """In a 1280x720 window the loss plot is ~130 px tall and its three-line legend
    covered the right third of the curves: a short plot gets the entries side by side."""
    w = plain_window
    cv = w.curves
    w.resize(1360, 860)
    qtbot.wait(100)
    loss_legend = cv.legends[0]
    assert loss_legend.columnCount == 1  # room enough: one entry a line
    w.docks["timelapse"].setMinimumHeight(500)  # squeeze the curves (a small screen)
    qtbot.waitUntil(lambda: cv.loss_plot.getViewBox().rect().height() < 140, timeout=5000)
    qtbot.waitUntil(lambda: loss_legend.columnCount == 3, timeout=5000)
    w.docks["timelapse"].setMinimumHeight(0)
    w.docks["timelapse"].setMaximumHeight(120)
    qtbot.waitUntil(lambda: loss_legend.columnCount == 1, timeout=5000)


def test_attention_letters_stay_under_their_maps_in_a_tall_dock(qtbot, plain_window):
    """Square maps in a dock taller than they need: the spare height goes below the
    grid, not between each map and its letters (which drifted to the row's bottom), and
    is the panel's, not an empty white band of the grid's."""
    from PySide6.QtCore import Qt

    w = plain_window
    w.resize(1440, 1000)
    panel = show_attention(qtbot, w, model(n_head=4))
    w.resizeDocks([w.docks["attention"]], [700], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: panel.scroll.viewport().height() > 300, timeout=WAIT)
    qtbot.wait(50)  # queued resizes
    scroll = panel.scroll
    for img, cell in zip(panel.images, panel.cells):
        image = viewport_rect(scroll, img)
        letters = viewport_rect(scroll, cell.getAxis("bottom"))
        assert abs(letters.top() - image.bottom()) <= 3, (image, letters)
        assert image.width() >= 60  # still as big as the width allows
    # The grid's white background ends under the maps, not at the dock's bottom.
    assert panel.glw.height() < scroll.viewport().height() - 100
    roles = max(viewport_rect(scroll, cell.getAxis("bottom")).bottom() for cell in panel.cells)
    assert panel.glw.height() - roles < 20


def test_timelapse_embedding_map_is_put_away_rather_than_squeezed(qtbot, plain_window):
    """In a 1024x700 window the time-lapse's embedding map got ~20 px: letters in a blob
    and an axis reading '-10'. It is put away there (the heatmaps take the room) and
    comes back when the window is wide again."""
    from microgpt_gui.timelapse_panel import EMBEDDING_LEAST_PX

    w = plain_window
    w.resize(1900, 1000)
    strip = show_timelapse(qtbot, w, model(n_head=4))
    panel = w.panels["timelapse"]
    qtbot.waitUntil(lambda: panel.embedding.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: panel.embedding.width() >= EMBEDDING_LEAST_PX, timeout=WAIT)
    w.resize(1024, 700)
    qtbot.waitUntil(lambda: not panel.embedding.isVisible(), timeout=WAIT)
    assert strip.isVisible()
    w.resize(1900, 1000)
    qtbot.waitUntil(lambda: panel.embedding.isVisible(), timeout=WAIT)
    qtbot.wait(50)
    assert panel.embedding.width() >= EMBEDDING_LEAST_PX
