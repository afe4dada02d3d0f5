"""The seed's random draws, in bulk, bit for bit.

Everything random in a run comes from one random.Random(seed), in the seed's order
(DESIGN.md §2): shuffle the documents, then draw every weight with gauss. Calling
rng.gauss once per weight is exact but slow for big models (n_embd 256 with 8 layers:
2.9 s). gauss_array gives the very same numbers and leaves the generator in the very
same state, faster (1.2 s):

- gauss consumes 32-bit Mersenne Twister words, four per pair of normals. One
  rng.getrandbits(32·w) call returns w words at once, least significant first (CPython
  fills its digits from the first word up), so they can be drawn in bulk.
- The floating-point arithmetic is done by NumPy (IEEE: the same results as Python's own
  float operations) and log/cos/sin by the math module itself.

It checks itself against the running interpreter once (_bulk_gauss_matches), and the
plain per-weight loop is used if anything ever differs. (The same idea for rng.shuffle
was measured slower than CPython's own loop, so the documents are shuffled by rng.shuffle.)
"""

from __future__ import annotations

import math
import random

import numpy as np

_BULK_MIN = 64  # fewer draws than this: the plain loop is as fast
_bulk_ok: bool | None = None  # _bulk_gauss_matches() on this interpreter, once asked


def _bulk_trusted() -> bool:
    global _bulk_ok
    if _bulk_ok is None:
        try:
            _bulk_ok = _bulk_gauss_matches()
        except Exception:  # an interpreter without gauss_next or getrandbits
            _bulk_ok = False
    return _bulk_ok


def _words(rng: random.Random, count: int) -> list[int]:
    """The next `count` 32-bit outputs of rng's Mersenne Twister, in order."""
    if count <= 0:
        return []
    raw = rng.getrandbits(32 * count).to_bytes(4 * count, "little")
    return np.frombuffer(raw, dtype="<u4").tolist()


# --- gauss -------------------------------------------------------------------------------


def gauss_array(rng: random.Random, n: int, std: float) -> np.ndarray:
    """[n] float64: exactly [rng.gauss(0, std) for _ in range(n)], rng left the same."""
    if n < _BULK_MIN or not _bulk_trusted():
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
        words = np.array(_words(rng, 4 * pairs), dtype=np.float64).reshape(pairs, 4)
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
    for seed, counts in ((7, (5, 8, 3)), (42, (1, 2, 97))):
        slow, fast = random.Random(seed), random.Random(seed)
        for n in counts:
            want = np.array([slow.gauss(0, 1) for _ in range(n)])
            if not np.array_equal(_bulk_gauss(fast, n), want):
                return False
        if slow.getstate() != fast.getstate():
            return False
    return True

