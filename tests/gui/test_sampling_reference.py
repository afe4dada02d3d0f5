"""Generate and the next-letter bars of a reference-backend model use the numpy
backend's numbers (as the per-letter surprise does): the scalar graph took 2.5 s for 20
names at the default size while training ran, 16 s at 2 layers of width 32."""

from __future__ import annotations

import random

import numpy as np

from engine import preset
from microgpt_gui.sampling_panel import GENERATING
from tests.gui.helpers import WAIT, in_worker, reset, steps


def test_a_reference_models_names_are_drawn_by_the_numpy_backend(qtbot, make_window):
    w = make_window()
    cfg = preset("optimized", backend="reference", num_steps=10)
    cfg.model.n_embd, cfg.model.n_head = 8, 2
    reset(qtbot, w, cfg)
    steps(qtbot, w, 2)
    panel = w.sampling
    panel.generate()
    qtbot.waitUntil(lambda: panel.message.text() != GENERATING, timeout=WAIT)
    assert len(panel.names()) == panel.count.value()
    view = panel.inference
    assert view.backend.name == "numpy"
    # The same names and bars as the reference backend's graph computes.
    ref = in_worker(qtbot, w, lambda t: t.snapshot())
    assert ref.backend.name == "reference"
    assert (view.sample(5, rng=random.Random(3), prefix="a")
            == ref.sample(5, rng=random.Random(3), prefix="a"))
    np.testing.assert_allclose(view.next_token_probs("a"), ref.next_token_probs("a"),
                               rtol=1e-12, atol=1e-15)
