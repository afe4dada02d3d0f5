"""The first window fits the screen it opens on (window_state.first_size / fit).

The default size is 1360x860: on a 1366x768 laptop or a 1280x720 projector the window
opened taller than the screen, its status bar and lowest controls below the edge."""

from __future__ import annotations

from PySide6.QtCore import QRect

from microgpt_gui.main_window import DEFAULT_SIZE
from microgpt_gui.window_state import FRAME_ALLOWANCE, fit


def test_a_small_screen_gets_a_window_that_fits_centred(plain_window):
    w = plain_window
    assert (w.width(), w.height()) == DEFAULT_SIZE
    fit(w, QRect(0, 0, 1366, 768))  # a 1366x768 laptop
    assert w.width() <= 1366 - FRAME_ALLOWANCE[0]
    assert w.height() <= 768 - FRAME_ALLOWANCE[1]
    assert w.x() >= 0 and w.y() >= 0
    assert w.x() + w.width() <= 1366 and w.y() + w.height() + FRAME_ALLOWANCE[1] <= 768


def test_never_below_what_the_docks_need(plain_window):
    w = plain_window
    fit(w, QRect(0, 0, 800, 480))  # smaller than the window can be: as small as it goes
    assert w.width() == max(w.minimumWidth(), 800 - FRAME_ALLOWANCE[0])
    assert w.height() == max(w.minimumHeight(), 480 - FRAME_ALLOWANCE[1])


def test_a_big_screen_keeps_the_default_size(plain_window):
    w = plain_window
    fit(w, QRect(0, 0, 1920, 1080))
    assert (w.width(), w.height()) == DEFAULT_SIZE

