"""engine.trainer.lr_schedule: lr_at for a whole array of steps (the GUI's planned line)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine import preset
from engine.trainer import lr_at, lr_schedule


@pytest.mark.parametrize("schedule", ["cosine", "linear", "constant"])
def test_lr_schedule_is_lr_at_at_every_step(schedule):
    train = dataclasses.replace(preset("optimized").train, lr_schedule=schedule,
                                num_steps=37, learning_rate=0.02)
    steps = np.arange(train.num_steps)
    want = [lr_at(train, int(k)) for k in steps]
    got = lr_schedule(train, steps)
    assert got.shape == (37,)
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
    if schedule != "constant":
        assert got[0] == 0.02 and got[-1] < got[0]
