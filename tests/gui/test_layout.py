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
    from microgpt_gui.plotutil import line_height, tick_font

    w = plain_window
    strip = show_timelapse(qtbot, w, model(n_head=4))
    view = strip.viewport().rect()
    assert not strip.horizontalScrollBar().isVisible()
    for img in strip.images:  # all four in view, not cut off at the dock's edge
        rect = viewport_rect(strip, img)
        assert view.contains(rect.adjusted(1, 1, -1, -1)), (rect, view)
        assert rect.width() >= strip.MIN_MAP - 1 and rect.height() >= strip.MIN_MAP - 1
    gaps = tick_gaps_px(strip.plots[0])
    assert gaps and min(gaps) >= line_height(tick_font(strip.font_size)) - 0.5


@pytest.mark.parametrize("n_layer", [2, 4])
def test_timelapse_strip_scrolls_rather_than_squash_big_models(qtbot, plain_window, n_layer):
    from microgpt_gui.plotutil import line_height, tick_font

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
    assert not gaps or min(gaps) >= line_height(tick_font(strip.font_size)) - 0.5
