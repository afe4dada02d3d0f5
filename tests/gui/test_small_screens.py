"""Layout on the screens people have: laptops at 125-200 % scaling (a 1280x720 or
1366x768 logical screen), 1024x768, and projector mode on 4:3 and 16:9 projectors.
Found by a screenshot hunt under Xvfb; offscreen here, numpy backend."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")


def test_shortcuts_dialog_wraps_its_text_within_the_screen(qtbot, plain_window):
    """Projector mode (slide-sized fonts): the dialog's opening paragraph was one line,
    1,626 px wide on a 1280x720 projector, its end cut off at the screen's edge."""
    from PySide6.QtWidgets import QDialog, QLabel

    w = plain_window
    w.projector.set_active(True)
    w.act["shortcuts"].trigger()
    dialog = w.findChild(QDialog, "shortcuts_dialog")
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    qtbot.wait(50)  # queued layout
    room = w.screen().availableGeometry().width()
    assert dialog.sizeHint().width() <= room, (dialog.sizeHint(), room)
    for label in dialog.findChildren(QLabel):  # every line of the text shown
        need = label.sizeHint()
        if label.wordWrap():
            need.setHeight(label.heightForWidth(label.width()))
        assert label.height() >= need.height() - 1, label.text()
        assert label.width() >= label.minimumSizeHint().width(), label.text()
        assert label.geometry().right() < dialog.width(), label.text()
    dialog.close()


def test_window_fits_the_width_of_a_1024x768_screen(qtbot, plain_window):
    """The Per-letter surprise tab (beside Attention) put its question and the word field
    on one line: 412 px, which made the window at least 1,086 px wide, the Attention and
    Sampling docks cut off by a 1024x768 screen's right edge. The question now wraps."""
    from PySide6.QtCore import QRect

    from microgpt_gui.window_state import FRAME_ALLOWANCE, fit

    w = plain_window
    qtbot.wait(50)
    assert w.minimumSizeHint().width() <= 1024 - FRAME_ALLOWANCE[0], w.minimumSizeHint()
    fit(w, QRect(0, 0, 1024, 768))
    w.docks["surprise"].raise_()
    qtbot.wait(100)
    view = w.panels["surprise"].view
    assert view.width() >= view.minimumSizeHint().width()
    title = view.title  # the question whole, on as many lines as it needs
    assert title.height() >= title.heightForWidth(title.width()) - 1
    assert title.geometry().right() < view.entry.geometry().left()


@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)])
def test_window_fits_the_height_of_a_laptop_screen_at_150_percent(qtbot, plain_window,
                                                                   size):
    """A 1920x1080 laptop at 150 % is a 1280x720 screen: the Sampling panel's contents
    held the window at least 714 px tall, so with its title bar its bottom (status bar,
    progress, the names) was below the screen. They scroll now; the window fits."""
    from PySide6.QtCore import QRect

    from microgpt_gui.window_state import FRAME_ALLOWANCE, fit
    from tests.gui.helpers import reset
    from tests.gui.test_layout import model

    w = plain_window
    reset(qtbot, w, model())
    qtbot.wait(50)
    room = size[1] - FRAME_ALLOWANCE[1]
    assert w.minimumSizeHint().height() <= room, w.minimumSizeHint()
    fit(w, QRect(0, 0, *size))
    qtbot.waitUntil(lambda: w.height() <= room, timeout=2000)
    sampling = w.panels["sampling"]
    scroll, body = sampling.scroll, sampling.scroll.body
    qtbot.wait(50)
    # Every part of the panel whole (it scrolls, nothing is squeezed) and reachable.
    assert body.height() >= body.minimumSizeHint().height()
    assert body.width() <= scroll.viewport().width()
    for part in (sampling.generate_button, sampling.bars_plot, sampling.results):
        assert part.height() >= part.minimumSizeHint().height() - 1
    if body.height() > scroll.viewport().height():
        bar = scroll.verticalScrollBar()
        assert bar.isVisible() and bar.maximum() >= body.height() - scroll.viewport().height()


def test_projector_mode_shows_the_sampling_panel_without_scrolling(qtbot, plain_window):
    w = plain_window
    sampling = w.panels["sampling"]
    w.projector.set_active(True)
    qtbot.wait(100)
    assert sampling.scroll.minimumHeight() >= sampling.scroll.body.minimumSizeHint().height()
    w.projector.set_active(False)
    qtbot.wait(100)
    assert sampling.scroll.minimumHeight() < sampling.scroll.body.minimumSizeHint().height()


def test_projector_sliders_share_a_line_only_when_it_has_room(qtbot, plain_window):
    """A narrow side column (1024x768 projector, F1 help pane open): the two sliders on
    one line were squeezed to 10 px stubs. The temperature then gets a line of its own."""
    w = plain_window
    s = w.panels["sampling"]
    w.projector.set_active(True)
    dock = w.docks["sampling"]

    def sliders_whole():
        return all(x.width() >= x.sizeHint().width() for x in (s.top_k, s.temperature))

    dock.setMaximumWidth(360)  # squeezed, as by the help pane
    qtbot.waitUntil(lambda: dock.width() <= 360, timeout=3000)
    qtbot.waitUntil(sliders_whole, timeout=3000)
    assert not s.slider_row.shared
    row = s.slider_row  # a column wide enough for both: one line
    row.fit(row.need())
    assert row.shared
    row.fit(row.need() - 1)
    assert not row.shared
    row.fit(row.need())
    w.projector.set_active(False)
    qtbot.waitUntil(lambda: not s.slider_row.shared, timeout=3000)


def test_curve_lines_keep_their_width_at_200_percent_scaling(qtbot, plain_window,
                                                            monkeypatch):
    """pyqtgraph's pens are cosmetic: their width is in device pixels. At 200 % display
    scaling (2560x1440 laptops) the 2 px curves were drawn 1 logical px wide beside text
    twice the size, the raw loss and the reference lines as 1-device-pixel hairlines."""
    from microgpt_gui import theme as theme_module

    w = plain_window
    monkeypatch.setattr(theme_module, "screen_ratio", lambda: 2.0)
    t = w.themes.theme
    w.themes.set_theme(t.with_(name="scaled"))  # every panel restyles its pens
    cv = w.curves
    for curve in (cv.smooth, cv.grad, cv.lr):
        assert curve.opts["pen"].widthF() == 2 * t.line_width
    assert cv.raw.opts["pen"].widthF() == 2 * t.thin_width
    assert cv.clip.opts["pen"].widthF() == 2 * t.thin_width
    assert w.baselines.guessing.pen.widthF() == 2 * t.thin_width


def test_lines_follow_the_pixel_ratio_of_the_screen_the_window_is_on(qtbot, plain_window,
                                                                   monkeypatch):
    """Line widths used the highest pixel ratio of all screens: a window on a 100 %
    projector beside a 200 % laptop drew every line twice as thick. Now they follow the
    window's own screen, and are drawn again when it moves to another one."""
    from microgpt_gui import theme as theme_module

    monkeypatch.setattr(theme_module, "_window_ratio", theme_module._window_ratio)  # undo
    w = plain_window
    assert theme_module._window_ratio == w.windowHandle().screen().devicePixelRatio()

    class Screen:  # what the window's QWindow.screenChanged passes
        def __init__(self, ratio):
            self.ratio = ratio

        def devicePixelRatio(self):  # noqa: N802 (Qt name)
            return self.ratio

    t = w.themes.theme
    w.screen_follower.moved(Screen(2.0))  # dragged onto the laptop's screen
    assert theme_module.px(1) == 2.0
    assert w.curves.smooth.opts["pen"].widthF() == 2 * t.line_width
    assert w.baselines.guessing.pen.widthF() == 2 * t.thin_width
    w.screen_follower.moved(Screen(1.0))  # and back onto the projector
    assert w.curves.smooth.opts["pen"].widthF() == t.line_width


def test_curves_at_the_smallest_window_keep_their_legends_and_step_axis(qtbot,
                                                                       plain_window):
    """The window can now be as short as a 1280x720 screen allows: the loss plot's
    three-entry legend laid out in a row ran off the plot's left edge ('ep)' of 'loss
    (each step)'), and the curves' fixed 300 px minimum cut off the step axis once the
    plots kept room for their legends and the baselines' labels."""
    w = plain_window
    cv = w.curves
    w.resize(200, 150)  # as small as it goes
    qtbot.wait(200)
    assert w.height() <= 720 - 48  # (a 1280x720 screen with its title bar)
    for plot, legend in zip(cv.plots, cv.legends, strict=True):
        view = plot.getViewBox().sceneBoundingRect()
        box = legend.sceneBoundingRect()
        assert view.left() <= box.left() and box.right() <= view.right(), (box, view)
    assert cv.glw.height() >= cv.glw.minimumHeight()
    axis = cv.lr_plot.getAxis("bottom").sceneBoundingRect()
    assert axis.bottom() <= cv.glw.viewport().height() + 1  # the step axis in view


def test_runs_plot_is_whole_in_a_short_dock(qtbot, plain_window):
    """1280x720 at its shortest: the Runs dock's least height did not count the second
    line of the note beside its buttons, so the splitter below got less than its table
    and plot need and the plot's step axis was cut off at the dock's bottom. Now the
    panel's contents are whole and scroll when the dock is shorter than they are (the
    window then fits a 1280x720 screen less a taskbar)."""
    w = plain_window
    w.docks["runs"].show()
    w.docks["runs"].raise_()
    runs = w.panels["runs"]
    w.resize(1264, 200)  # as short as it goes, at the width it has on that screen
    qtbot.waitUntil(lambda: runs.plot.isVisible(), timeout=3000)
    qtbot.wait(100)
    assert w.height() <= 672 - 40  # (a 1280x720 screen less a taskbar and title bar)
    body, scroll, plot = runs.scroll.body, runs.scroll, runs.plot
    bottom = plot.mapTo(body, plot.rect().bottomLeft()).y()
    assert bottom <= body.height(), (bottom, body.height())
    assert plot.height() >= plot.minimumHeight()
    note = runs.note
    assert note.height() >= note.heightForWidth(note.width()) - 1  # its lines whole
    if body.height() > scroll.viewport().height():  # what is below can be scrolled to
        bar = scroll.verticalScrollBar()
        assert bar.isVisible() and bar.maximum() >= body.height() - scroll.viewport().height()


def test_a_150_percent_laptop_window_keeps_the_baseline_labels_off_the_curves(
        qtbot, plain_window):
    """1280x720 at 150 % (the window 672 px tall): the loss plot's legend, one entry a
    line, reached below the guessing line, so its label moved left of the legend, onto
    the curves ('guessing 3.30' over the raw loss; in projector mode at 1280x720 too).
    The legend takes a row once it would fill a third of the plot."""
    from tests.gui.helpers import reset
    from tests.gui.test_layout import model

    w = plain_window
    reset(qtbot, w, model())
    w.resize(1264, 672)
    lines = w.baselines
    qtbot.waitUntil(lambda: lines.guessing.isVisible(), timeout=10_000)
    plot = w.curves.loss_plot
    w.curves.follow.setChecked(False)
    plot.setYRange(2.0, 4.0, padding=0)  # guessing (3.3) a third of the way down
    qtbot.wait(200)
    view = plot.getViewBox().sceneBoundingRect()
    for line in (lines.guessing, lines.bigram):  # at the right end of their lines
        label = line.label.mapRectToScene(line.label.boundingRect())
        assert label.right() >= view.right() - 0.2 * view.width(), (label, view)
        assert not label.intersects(plot.legend.sceneBoundingRect())


@pytest.mark.parametrize("scale", [1.0, 1.3, 1.5])
def test_projector_legends_stay_inside_their_plots_at_every_text_size(qtbot, plain_window,
                                                                      scale):
    """The legend's row was judged by its text at the widget font's size, not the legend's
    own (set in its style: 9 pt against 14-21 pt in projector mode), and pyqtgraph keeps a
    legend as wide as its entries were in the previous layout: in projector mode with big
    text the loss legend's row ran off the plot's left edge ('ss (each step)')."""
    from engine import preset
    from tests.gui.helpers import reset

    w = plain_window
    reset(qtbot, w, preset("optimized"))
    w.projector.set_active(True)
    w.text_size.set_factor(scale)
    qtbot.wait(300)
    for width in (1000, 800, 650):
        w.resize(width, 700)
        qtbot.wait(200)
        for plot, legend in zip(w.curves.plots, w.curves.legends, strict=True):
            view = plot.getViewBox().sceneBoundingRect()
            box = legend.sceneBoundingRect()
            assert view.left() <= box.left() + 1 and box.right() <= view.right() + 1, (
                width, legend.columnCount, box, view)
