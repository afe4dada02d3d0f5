"""The per-letter surprise scores words with the numpy backend's numbers on the GUI
thread, also for a model trained with the scalar reference backend.

It re-scores the typed (or last) word on every weight snapshot, and snapshots arrive
about once a second while training runs (the sampling panel asks for them), even with
the panel out of sight. With the reference backend each scoring was a scalar-autograd
forward pass on the GUI thread: at 2 layers of width 32 the window froze for 3 to 15
seconds at a time (projector mode, which shows the surprise view, made it constant).
"""

from __future__ import annotations

import time

import numpy as np

from engine import preset
from tests.gui.helpers import in_worker, reset, steps


def test_a_reference_models_word_is_scored_without_freezing_the_window(qtbot, make_window):
    w = make_window()
    cfg = preset("optimized", backend="reference")
    cfg.model.n_embd, cfg.model.n_layer, cfg.model.block_size = 32, 2, 32
    cfg.train.num_steps = 10
    reset(qtbot, w, cfg)
    steps(qtbot, w, 1)
    view = w.panels["surprise"].view
    word = "abcdefghijklmnopqrstuvwxyzabcd"  # 30 letters
    view.entry.setText(word)
    snapshot = in_worker(qtbot, w, lambda t: t.snapshot())
    t0 = time.perf_counter()
    view.set_inference(snapshot)
    assert time.perf_counter() - t0 < 0.3  # the reference backend: seconds
    assert view.word == word and len(view.losses) == len(word) + 1
    short = "abc"  # the same numbers as the reference backend's
    view.entry.setText(short)
    want = snapshot.position_losses(short)[0]
    np.testing.assert_allclose(view.losses, want, rtol=1e-9)


def test_the_colour_key_shows_every_colour_the_boxes_run_through(qtbot):
    from microgpt_gui.surprise_view import STOPS, SurpriseView, surprise_colour

    view = SurpriseView()
    qtbot.addWidget(view)
    key = view.legend.text()
    # green, the yellow in the middle (a key of two squares left it out), vermillion
    assert [c.name() for _, c in STOPS] == [surprise_colour(x).name() for x in (0, 0.5, 1)]
    positions = [key.find(c.name()) for _, c in STOPS]
    assert all(p > key.find("expected") for p in positions), key
    assert positions == sorted(positions) and max(positions) < key.find("surprised"), key
    assert view.legend_below.text() == key
