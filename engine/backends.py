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
"""

from __future__ import annotations

import importlib
import math
import random

import numpy as np

from .config import ConfigError, GPTConfig

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


# --- rng.gauss in bulk -------------------------------------------------------------------
# A big model has millions of weights, and rng.gauss costs ~0.4 µs a call (n_embd 256 and
# 8 layers: ~3 s). gauss_array gives the very same numbers faster: CPython's gauss turns
# two random() calls (two 32-bit Mersenne Twister words each) into two normals,
# cos(2πx)·r and sin(2πx)·r with r = sqrt(-2·log(1 - y)), keeping the second for the next
# call (rng.gauss_next). The words come from one getrandbits call, the arithmetic from
# NumPy (IEEE: the same results as Python's float operations), and log/cos/sin from the
# math module itself, so every bit matches. _bulk_gauss_matches() checks this on the
# running interpreter once, and the plain loop is used if it ever differs.

_BULK_MIN = 64  # fewer draws than this: the plain loop is as fast
_bulk_ok: bool | None = None


def gauss_array(rng: random.Random, n: int, std: float) -> np.ndarray:
    """[n] float64: exactly [rng.gauss(0, std) for _ in range(n)], rng left the same."""
    global _bulk_ok
    if n >= _BULK_MIN and _bulk_ok is None:
        _bulk_ok = _bulk_gauss_matches()
    if n < _BULK_MIN or not _bulk_ok:
        gauss = rng.gauss
        return np.array([gauss(0, std) for _ in range(n)], dtype=np.float64)
    return 0.0 + _bulk_gauss(rng, n) * std  # gauss returns mu + z*sigma


def _bulk_gauss(rng: random.Random, n: int) -> np.ndarray:
    """n standard normals, as n calls of rng.gauss() would give them."""
    z = np.empty(n)
    i = 0
    if rng.gauss_next is not None:  # the second normal of the last pair, not used yet
        z[0], rng.gauss_next, i = rng.gauss_next, None, 1
    pairs = (n - i + 1) // 2
    if pairs:
        words = np.frombuffer(rng.getrandbits(128 * pairs).to_bytes(16 * pairs, "little"),
                              dtype="<u4").reshape(pairs, 4).astype(np.float64)
        # random() = (a·2^26 + b) / 2^53 with a = word >> 5, b = next word >> 6.
        u = (np.floor(words[:, 0::2] / 32.0) * 67108864.0 + np.floor(words[:, 1::2] / 64.0)
             ) * (1.0 / 9007199254740992.0)  # [pairs, 2]: x, y of each pair
        x2pi = u[:, 0] * (2.0 * math.pi)
        g2rad = np.sqrt(-2.0 * np.fromiter(map(math.log, (1.0 - u[:, 1]).tolist()),
                                           np.float64, pairs))
        both = np.empty((pairs, 2))
        both[:, 0] = np.fromiter(map(math.cos, x2pi.tolist()), np.float64, pairs) * g2rad
        both[:, 1] = np.fromiter(map(math.sin, x2pi.tolist()), np.float64, pairs) * g2rad
        flat = both.reshape(-1)
        z[i:] = flat[: n - i]
        if len(flat) > n - i:  # an odd count: the last sine waits for the next call
            rng.gauss_next = float(flat[-1])
    return z


def _bulk_gauss_matches() -> bool:
    """Does _bulk_gauss reproduce this interpreter's random.gauss bit for bit, and leave
    the generator in the same state? (Checked on odd and even counts, with a pending
    second normal, before it is trusted.)"""
    try:
        for seed, counts in ((7, (5, 8, 3)), (42, (1, 2, 97))):
            slow, fast = random.Random(seed), random.Random(seed)
            for n in counts:
                want = np.array([slow.gauss(0, 1) for _ in range(n)])
                if not np.array_equal(_bulk_gauss(fast, n), want):
                    return False
            if slow.getstate() != fast.getstate():
                return False
        return True
    except Exception:  # an interpreter without gauss_next or getrandbits: plain loop
        return False


def num_params(cfg: GPTConfig) -> int:
    return sum(r * c for r, c in param_shapes(cfg).values())
