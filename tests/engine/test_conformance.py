"""Both backends reproduce the figures the seed and Karpathy's original script printed on
tests/data/docs.txt (see ../shared/conformance/README.md): every step's loss and learning
rate (and, for the seed, gradient norm), the validation losses, the parameter count, the
vocabulary size, and the 20 samples drawn after training, exactly.

The reference backend takes ~10 s per preset here (60 steps of a scalar autograd graph);
the numpy backend a few tens of milliseconds.
"""

import json
from pathlib import Path

import pytest

from engine import Trainer, load_dataset, preset

DATA = Path(__file__).resolve().parent.parent / "data"
REL = 1e-9  # the scripts' own reruns differ around 1e-16 (gradient summation order)


def run(name: str, backend: str):
    expected = json.loads((DATA / f"{name}-60.json").read_text(encoding="utf-8"))
    cfg = preset(name, num_steps=60, backend=backend)
    if name == "optimized":
        cfg.train.val_every = 20  # the seed data was produced validating every 20 steps
    trainer = Trainer(cfg, load_dataset(DATA / "docs.txt"))
    stats = [trainer.step() for _ in expected["steps"]]
    return expected, trainer, stats


@pytest.mark.parametrize("backend", ["numpy", "reference"])
@pytest.mark.parametrize("name", ["optimized", "original"])
def test_matches_the_scripts(name, backend):
    expected, trainer, stats = run(name, backend)
    conf = expected["config"]
    assert trainer.num_params == conf["num_params"]
    assert trainer.tokenizer.vocab_size == conf["vocab_size"]
    assert trainer.tokenizer.bos_id == conf["bos_id"]
    keys = ("loss", "lr", "grad_norm") if name == "optimized" else ("loss", "lr")
    for st, want in zip(stats, expected["steps"], strict=True):
        for key in keys:
            assert getattr(st, key) == pytest.approx(want[key], rel=REL), (st.step, key)
    vals = [st.val_loss for st in stats if st.val_loss is not None]
    assert vals == pytest.approx([v["val_loss"] for v in expected["val"]], rel=REL)
    assert len(vals) == len(expected["val"])
    # Sampling continues the training RNG (never reseeded): exact strings, in order.
    assert trainer.sample(20) == expected["samples"]


def test_tolerance_is_tight_enough_to_fail():
    """A 1e-6 nudge of one weight must break the comparison (the test can fail)."""
    expected = json.loads((DATA / "optimized-60.json").read_text(encoding="utf-8"))
    cfg = preset("optimized", num_steps=60, backend="numpy")
    trainer = Trainer(cfg, load_dataset(DATA / "docs.txt"))
    trainer.params["wte"][1, 0] += 1e-6
    losses = [trainer.step().loss for _ in range(5)]
    want = [s["loss"] for s in expected["steps"][:5]]
    assert losses != pytest.approx(want, rel=REL)
