"""View ▸ Larger text / Smaller text / Normal text size (text_size.py): one factor for
every font, in desktop and projector mode, remembered between sessions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from microgpt_gui import text_size
from microgpt_gui.projector import projector_theme
from microgpt_gui.theme import DEFAULT
from tests.gui.conftest import new_window


@pytest.fixture
def w(qtbot, plain_window):
    base = QApplication.font().pointSizeF()
    yield plain_window
    plain_window.projector.set_active(False)
    plain_window.close()  # puts the application font back for the next test
    assert QApplication.font().pointSizeF() == base


def sizes(w):
    t = w.themes.theme
    return (QApplication.font().pointSizeF(), t.font_size, t.plot_font_size,
            t.title_font_size, t.bar_font_size)


def test_keys_step_every_font_up_and_down_and_back(qtbot, w):
    base_pt = QApplication.font().pointSizeF()
    assert w.text_size.factor == 1.0 and w.themes.theme == DEFAULT
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)  # Ctrl+=
    assert w.text_size.factor == 1.15
    qtbot.keyClick(w, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)  # Ctrl++
    assert w.text_size.factor == 1.3
    assert sizes(w) == (base_pt * 1.3, round(DEFAULT.font_size * 1.3),
                        round(DEFAULT.plot_font_size * 1.3),
                        round(DEFAULT.title_font_size * 1.3),
                        round(DEFAULT.bar_font_size * 1.3))
    # the plots follow (they read the theme): the curves' tick font
    tick = w.curves.loss_plot.getAxis("left").style["tickFont"].pointSize()
    assert tick == round(DEFAULT.plot_font_size * 1.3)
    qtbot.keyClick(w, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert w.text_size.factor == 1.15
    qtbot.keyClick(w, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert w.text_size.factor == 1.0
    assert sizes(w)[0] == base_pt and w.themes.theme == DEFAULT


def test_the_ends_of_the_range_disable_their_command(qtbot, w):
    act = w.act
    assert not act["text_normal"].isEnabled()
    for _ in range(10):
        act["text_larger"].trigger()
    assert w.text_size.factor == text_size.STEPS[-1]
    assert not act["text_larger"].isEnabled() and act["text_smaller"].isEnabled()
    for _ in range(10):
        act["text_smaller"].trigger()
    assert w.text_size.factor == text_size.STEPS[0]
    assert act["text_larger"].isEnabled() and not act["text_smaller"].isEnabled()
    assert act["text_normal"].isEnabled()


def test_the_size_is_remembered_for_the_next_window(qtbot, w, tmp_path):
    w.text_size.set_factor(1.3)
    w.save_settings()
    w.close()
    w2 = new_window(tmp_path / "settings.ini")
    qtbot.addWidget(w2)
    try:
        assert w2.text_size.factor == 1.3
        assert w2.themes.theme.font_size == round(DEFAULT.font_size * 1.3)
        assert w2.act["text_normal"].isEnabled()
    finally:
        w2.close()


@pytest.mark.parametrize("saved, factor", [(2.7, 1.5), ("huge", 1.0), (True, 1.0)])
def test_a_damaged_saved_size_is_said_and_a_valid_one_used(qtbot, tmp_path, saved, factor):
    from microgpt_gui.settings import Settings

    path = tmp_path / "s.ini"
    s = Settings(str(path))
    s.set(text_size.KEY, saved)
    s.sync()
    w = new_window(path)
    qtbot.addWidget(w)
    try:
        assert w.text_size.factor == factor
        assert "the text size" in w.restore_problems
    finally:
        w.close()


def test_projector_mode_scales_its_slide_sized_text_and_leaves_to_the_new_size(qtbot, w):
    w.text_size.set_factor(1.15)
    desktop = w.themes.theme
    w.projector.set_active(True)
    height = w.screen().geometry().height()
    assert w.themes.theme == projector_theme(height, desktop, 1.15)
    assert w.themes.theme.font_size == round(max(14, round(height / 45)) * 1.15)
    assert QApplication.font().pointSize() == w.themes.theme.font_size
    w.text_size.smaller()
    w.text_size.smaller()  # 0.9: a deeper model's maps, a small room
    assert w.themes.theme == projector_theme(height, desktop, 0.9)
    assert QApplication.font().pointSize() == w.themes.theme.font_size
    w.projector.set_active(False)
    assert w.themes.theme == text_size.scaled(DEFAULT, 0.9)
    assert QApplication.font().pointSizeF() == pytest.approx(
        w.text_size.base_font.pointSizeF() * 0.9)


def test_a_plot_too_short_for_its_scaled_title_shows_the_scale_in_a_corner(qtbot, w):
    """Big text and a short plot: 'lr (x0.001)' ran into the plot above, and once
    shrunk to fit it was ~8 pt, unreadable on a projector. Now the title keeps its size
    and the scale goes to a corner of the plot clear of the curve; the ticks keep it."""
    from engine import preset
    from microgpt_gui.plotutil import covers_data
    from tests.gui.helpers import WAIT, reset, steps

    reset(qtbot, w, preset("optimized"))
    steps(qtbot, w, 3)
    cv = w.curves
    lr_plot = cv.plots[2]
    axis, note, vb = lr_plot.getAxis("left"), cv.titles.lr_scale, lr_plot.getViewBox()
    qtbot.waitUntil(lambda: axis.autoSIPrefixScale == 1000, timeout=WAIT)  # "(x0.001)"
    assert "(x0.001)" in axis.label.toPlainText() and not note.isVisible()  # room for it
    w.text_size.set_factor(1.5)
    lr_plot.setMaximumHeight(100)
    qtbot.waitUntil(lambda: vb.rect().height() < 90, timeout=WAIT)
    cv.titles.fit()
    assert axis.scale_apart and axis.label.toPlainText().strip() == "lr"
    assert axis.autoSIPrefixScale == 1000  # the ticks still count in 0.001s
    assert int(axis.labelStyle["font-size"].removesuffix("pt")) == w.themes.theme.plot_font_size
    label = axis.label
    text_len = label.boundingRect().width() - 2 * label.document().documentMargin()
    assert text_len <= vb.rect().height()
    assert note.isVisible() and note.text == "x0.001"
    assert vb.sceneBoundingRect().contains(note.sceneBoundingRect())
    assert not covers_data(note, (cv.lr, cv.lr_plan.line))
    lr_plot.setMaximumHeight(10_000)  # room again: the scale goes back into the title
    w.text_size.set_factor(1.0)
    w.resize(1400, 1300)
    qtbot.waitUntil(lambda: not axis.scale_apart and not note.isVisible(), timeout=WAIT)
    assert "(x0.001)" in axis.label.toPlainText()


def test_a_title_without_a_scale_keeps_its_size_where_it_fits(qtbot, w):
    """Room was kept for a '(x0.001)' that the loss and grad norm axes never show, so at
    big text a short grad plot's 'grad' shrank although it fitted at full size."""
    from PySide6.QtGui import QFont, QFontMetrics

    from engine import preset
    from tests.gui.helpers import WAIT, reset, steps

    reset(qtbot, w, preset("optimized"))
    steps(qtbot, w, 3)
    w.text_size.set_factor(1.5)
    size = w.themes.theme.plot_font_size
    font = QFont()
    font.setPointSize(size)
    metrics = QFontMetrics(font)
    # Tall enough for 'grad', not for 'grad (x0.001)'.
    room = (metrics.horizontalAdvance("grad") + metrics.horizontalAdvance("grad (x0.001)")) / 2
    grad_plot = w.curves.grad_plot
    grad_plot.setMaximumHeight(int(room))
    qtbot.waitUntil(lambda: grad_plot.getViewBox().rect().height() <= room, timeout=WAIT)
    assert metrics.horizontalAdvance("grad") < grad_plot.getViewBox().rect().height()
    w.curves.titles.fit()
    axis = grad_plot.getAxis("left")
    assert axis.labelText == "grad" and not axis.autoSIPrefix
    assert axis.labelStyle["font-size"] == f"{size}pt"


@pytest.mark.parametrize("factor", [1.0, 1.3])
def test_closing_in_projector_mode_puts_the_desktop_font_back(qtbot, plain_window, factor):
    """A window closed in projector mode left its fonts to the next window of the process
    (tests, benches): at 1.0 nothing put them back, and with a text size the projector,
    left after the text size's own close handling, scaled them again (9 pt became 17)."""
    base = QApplication.font().pointSizeF()
    w = plain_window
    w.text_size.set_factor(factor)
    w.projector.set_active(True)
    assert QApplication.font().pointSizeF() > base
    w.close()
    assert QApplication.font().pointSizeF() == base
