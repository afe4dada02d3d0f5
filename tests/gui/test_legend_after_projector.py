"""The Curves panel's legends are as big as their entries in the current font: after
projector mode (and a text size change) they kept the size their entries had at the
bigger font. The lr legend, wider and taller, then covered the lr schedule and stayed
hidden, and the loss legend's 'validation' ran into the start hint."""

import pytest

from microgpt_gui.plotutil import covers_data, legend_width


def _state(w):
    """Each legend's width, height and visibility, and whether the lr one covers the
    schedule."""
    t = w.curves.titles
    boxes = [(lg.width(), lg.height(), lg.isVisible()) for lg in w.curves.legends]
    return boxes, covers_data(t.legends[2], t.lr_curves)


def _settled(qtbot, ms=400):
    qtbot.wait(ms)  # (the docks, fonts and plots settle in queued events)


def _same_as(qtbot, w, before):
    """The legends as big (within 2 px) and as visible as in `before`."""
    b_boxes, b_covers = before

    def same():
        boxes, covers = _state(w)
        assert covers == b_covers, (boxes, b_boxes)
        for (wa, ha, va), (wb, hb, vb) in zip(boxes, b_boxes, strict=True):
            assert abs(wa - wb) <= 2 and abs(ha - hb) <= 2 and va == vb, (boxes, b_boxes)

    try:
        qtbot.waitUntil(same, timeout=3000)
    except qtbot.TimeoutError:
        same()  # (its assertion says what differs)


def test_legends_lose_their_projector_size_after_projector_mode(qtbot, plain_window):
    """A desktop window (1440x900): projector mode on and off again. The lr legend had
    stayed 340x54 instead of 214x40, over the schedule and so hidden, even when fitted
    again; the loss legend kept its projector width."""
    w = plain_window
    w.resize(1440, 900)
    _settled(qtbot)
    before = _state(w)
    lr_legend = w.curves.legends[2]
    assert lr_legend.isVisible() and not before[1]  # (shown, clear of the schedule)
    w.projector.set_active(True)
    _settled(qtbot)
    projector = _state(w)
    # (bigger text, bigger legends: else this tests nothing)
    assert projector[0][2][0] > before[0][2][0] + 20, (projector, before)
    assert projector[0][0][0] > before[0][0][0] + 20, (projector, before)
    w.projector.set_active(False)
    _settled(qtbot)
    _same_as(qtbot, w, before)
    w.curves.titles.fit_lr_legend()
    assert lr_legend.isVisible()
    # each entry at its own width: the box as wide as its entries and their spacing
    for legend in w.curves.legends:
        need = legend_width(legend, legend.columnCount)
        assert abs(legend.width() - need) <= 2, (legend.width(), need)


@pytest.mark.parametrize("scale", [1.1, 1.5, 0.8])
def test_legends_follow_the_text_size_there_and_back(qtbot, plain_window, scale):
    """Bigger or smaller text and back: the legends as they were. Restyled text did not
    resize a legend: after 110 % and back all three kept their 110 % size (the loss
    legend 154x90 instead of 146x84), after 150 % the lr legend (its columns unchanged)."""
    w = plain_window
    w.resize(1440, 900)
    _settled(qtbot)
    before = _state(w)
    w.text_size.set_factor(scale)
    _settled(qtbot)
    w.text_size.set_factor(1.0)
    _settled(qtbot)
    _same_as(qtbot, w, before)
