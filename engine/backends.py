"""The one interface every backend implements, the registry, and weight initialisation.

A backend is pure computation on weights it is handed (a dict name -> float64 array in
state-dict order); it owns no parameters and no optimizer. The Trainer owns those, so the
Trainer, CLI and GUI never care which backend runs.

    class Backend:
        name: str
        def __init__(self, model: GPTConfig, train: TrainConfig): ...
        def loss_and_grads(self, params, batch: list[list[int]])
            -> (loss: float, grads: dict like params, nodes: int | None)
            # batch: token lists BOS+chars+BOS; loss = mean over docs of each doc's
            # mean next-token NLL over its first min(block_size, len-1) positions.
            # nodes: graph nodes built this step (reference), None where no graph.
        def logits(self, params, tokens: list[int]) -> np.ndarray   # [T, vocab]
        def attention(self, params, tokens: list[int]) -> np.ndarray  # [L, H, T, T]
        should_stop: Callable[[], bool] | None  # set by the app; while it returns True,
            # loss_and_grads raises StepCancelled at its next safe point (long steps only)
"""

from __future__ import annotations

import importlib
import random

import numpy as np

from .config import ConfigError, GPTConfig
from .seed_rng import gauss_array

BACKENDS = {
    "numpy": "engine.numpy_backend:NumpyBackend",
    "reference": "engine.reference:ReferenceBackend",
}


def make_backend(name: str, model, train):
    try:
        module_name, cls_name = BACKENDS[name].split(":")
    except KeyError:
        raise ConfigError(
            f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})"
        ) from None
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(model, train)


def param_shapes(cfg: GPTConfig) -> dict[str, tuple[int, int]]:
    """(rows, cols) of every weight matrix in state-dict order (the order of RNG draws)."""
    n, v = cfg.n_embd, cfg.vocab_size
    shapes = {"wte": (v, n), "wpe": (cfg.block_size, n)}
    if not cfg.weight_tying:
        shapes["lm_head"] = (v, n)
    for i in range(cfg.n_layer):
        shapes[f"layer{i}.attn_wq"] = (n, n)
        shapes[f"layer{i}.attn_wk"] = (n, n)
        shapes[f"layer{i}.attn_wv"] = (n, n)
        shapes[f"layer{i}.attn_wo"] = (n, n)
        shapes[f"layer{i}.mlp_fc1"] = (4 * n, n)
        shapes[f"layer{i}.mlp_fc2"] = (n, 4 * n)
    return shapes


class StepCancelled(Exception):
    """A backend abandoned loss_and_grads because its should_stop() said so. Raised before
    the Trainer touches weights or optimizer: the step can simply be run again."""


def stop_if_asked(should_stop) -> None:
    """StepCancelled if should_stop (a backend's, or None) returns True: called at the safe
    points of a step, before anything has changed."""
    if should_stop is not None and should_stop():
        raise StepCancelled


ZERO_INIT = ("attn_wo", "mlp_fc2")  # the seed starts these at zero: each block is identity


def init_params(cfg: GPTConfig, rng: random.Random) -> dict[str, np.ndarray]:
    """Draw every weight with rng.gauss(0, std), matrix by matrix, row-major, exactly as the
    seed does. Zero-initialised matrices still consume their draws (std 0), so switching
    zero_init leaves every other matrix's starting values unchanged."""
    params = {}
    for name, (rows, cols) in param_shapes(cfg).items():
        std = 0.0 if cfg.zero_init and name.endswith(ZERO_INIT) else cfg.init_std
        params[name] = gauss_array(rng, rows * cols, std).reshape(rows, cols)
    return params


def num_params(cfg: GPTConfig) -> int:
    return sum(r * c for r, c in param_shapes(cfg).values())
