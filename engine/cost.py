"""What a model will cost before it is built: parameters, memory, time per step.

The GUI's spin boxes and the CLI's flags allow sizes at which a step takes minutes, or
needs more memory than the computer has: the reference backend builds a Python object
for every multiply and add (about 2.2 graph nodes per multiply-accumulate, ~320 bytes
and ~2.5 µs each), so a model that the numpy backend trains in milliseconds can need
hundreds of gigabytes there. Building such a model would freeze the machine and lose
the work open in the app, so the Trainer refuses it up front (check_fits) and the
controls show the estimate while the sizes are being chosen.

The figures are estimates, good to about 2-3x on a current laptop. The constants were
measured on an x86_64 machine with Python 3.11 and NumPy 2.4 (RSS peaks and step times
of both backends at several sizes, n_embd 16..256, batch 1..64); they are meant to
tell 1 ms from 1 s and 1 GB from 100 GB, not to be quoted.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import sys
from dataclasses import dataclass

from .backends import num_params
from .config import ConfigError, RunConfig
from .data import Dataset, distinct_chars

# reference backend (Value graph)
NODES_PER_MAC = 2.2  # graph nodes built per multiply-accumulate, forward
BYTES_PER_NODE = 320  # a Value with its children and local gradients, at the step's peak
SECONDS_PER_NODE = 2.5e-6  # building it, sorting it, and the backward pass
BYTES_PER_REF_PARAM = 120  # a parameter as a Value, plus its Adam moments
# numpy backend
NUMPY_VECTORS = 6  # params, Adam m and v, gradient, Adam's scratch, one snapshot
NUMPY_FLOOR_S = 6e-5  # fixed cost of a step (NumPy calls), plus per layer:
NUMPY_LAYER_S = 4e-5
NUMPY_FLOPS_PER_ROW = 0.7e9  # matmul throughput per row (token) in a step ...
NUMPY_MAX_FLOPS = 25e9  # ... up to this (one BLAS thread)
BASE_BYTES = 150 * 2**20  # the interpreter, NumPy, Qt: there before any model

DEFAULT_MEMORY_SHARE = 0.6  # check_fits refuses models estimated to need more of the RAM


@dataclass(frozen=True)
class Cost:
    params: int
    memory_bytes: int  # the model's estimated peak while a step runs (weights, optimizer,
    # activations or graph), without the ~150 MB the program itself takes
    seconds_per_step: float
    nodes_per_step: int | None  # reference backend only

    def describe(self) -> str:
        """'3,632 parameters · ≈0.1 ms per step · ≈2 MB'."""
        memory = format_bytes(self.memory_bytes)
        return (f"{self.params:,} parameters · ≈{format_seconds(self.seconds_per_step)} per "
                f"step · {'' if memory.startswith('<') else '≈'}{memory}")


def format_seconds(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e3:.1f} ms"
    if s < 1:
        return f"{s * 1e3:.0f} ms"
    if s < 120:
        return f"{s:.0f} s" if s >= 10 else f"{s:.1f} s"
    if s < 2 * 3600:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.0f} h"


def format_bytes(n: float) -> str:
    for unit, size in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return "<1 MB"


def estimate(cfg: RunConfig, vocab_size: int | None = None,
             mean_doc_chars: float | None = None, longest_doc_chars: int | None = None) -> Cost:
    """The cost of training cfg. vocab_size defaults to cfg.model.vocab_size (or 27, the
    bundled names, when the data is not known yet). The data's mean document length sets
    the time, its longest the memory (a step's peak); None: documents fill the context."""
    m, tr = cfg.model, cfg.train
    C, L, H, B = m.n_embd, m.n_layer, m.n_head, tr.batch_size
    V = vocab_size or m.vocab_size or 27

    def positions(chars):  # BOS + characters, cut at the context
        return m.block_size if chars is None else max(1, min(m.block_size, round(chars) + 1))

    def macs(T):  # forward multiply-accumulates of a step: per position the output head,
        # per layer q, k, v, o (4C²) and the MLP (8C²), and attention over ~T positions
        return B * T * (V * C + L * (12 * C * C + T * C))

    T_time, T_peak = positions(mean_doc_chars), positions(longest_doc_chars)
    params = num_params(dataclasses.replace(m, vocab_size=V))
    if cfg.backend == "reference":
        nodes = int(NODES_PER_MAC * macs(T_time))
        memory = params * BYTES_PER_REF_PARAM + NODES_PER_MAC * macs(T_peak) * BYTES_PER_NODE
        return Cost(params, int(memory), nodes * SECONDS_PER_NODE, nodes)
    rows = B * T_time
    flops = 6 * macs(T_time)  # forward and backward, 2 flops per multiply-accumulate
    seconds = NUMPY_FLOOR_S + NUMPY_LAYER_S * L + flops / min(
        NUMPY_MAX_FLOPS, NUMPY_FLOPS_PER_ROW * rows)
    # activations kept for the backward pass, per position and layer: ~16 vectors of
    # width C (norms, q/k/v, MLP) and 4 of every head's scores over T positions
    activations = 8 * B * T_peak * (L * (16 * C + 4 * H * T_peak) + 4 * V)
    memory = 8 * NUMPY_VECTORS * params + activations
    return Cost(params, int(memory), seconds, None)


def physical_memory() -> int | None:
    """Bytes of RAM in this computer, or None where the OS does not say (then nothing is
    refused). Windows has no sysconf: GlobalMemoryStatusEx tells there. Linux and macOS
    have _SC_PHYS_PAGES (macOS only the name SC_PAGESIZE, not SC_PAGE_SIZE; old OS X
    releases answered -1)."""
    if sys.platform == "win32":
        return windows_memory()
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGESIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return pages * size if pages > 0 and size > 0 else None


class MemoryStatusEx(ctypes.Structure):
    """Windows' MEMORYSTATUSEX (64 bytes; a DWORD is 32 bits on every Windows)."""

    _fields_ = [("dwLength", ctypes.c_uint32), ("dwMemoryLoad", ctypes.c_uint32)] + [
        (name, ctypes.c_uint64) for name in (
            "ullTotalPhys", "ullAvailPhys", "ullTotalPageFile", "ullAvailPageFile",
            "ullTotalVirtual", "ullAvailVirtual", "ullAvailExtendedVirtual")]


def windows_memory() -> int | None:
    """ullTotalPhys from GlobalMemoryStatusEx, or None if it fails (or off Windows)."""
    try:
        status = MemoryStatusEx()
        status.dwLength = ctypes.sizeof(status)
        if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return None
    except (AttributeError, OSError):  # no windll: not Windows
        return None
    return int(status.ullTotalPhys) or None


def memory_problem(cost: Cost, cfg: RunConfig, limit: int | None = None) -> str:
    """Why this model cannot be trained on this computer ('' if it fits). limit: bytes
    allowed (default DEFAULT_MEMORY_SHARE of the RAM)."""
    if limit is None:
        ram = physical_memory()
        if ram is None:
            return ""
        limit = int(DEFAULT_MEMORY_SHARE * ram)
    else:
        ram = None
    if BASE_BYTES + cost.memory_bytes <= limit:
        return ""
    have = (f"this computer has {format_bytes(ram)}" if ram
            else f"the limit is {format_bytes(limit)}")
    advice = ("use the numpy backend (same numbers, no graph) or a smaller model"
              if cfg.backend == "reference" else "use a smaller model or batch size")
    return (f"too big: training this model needs about {format_bytes(cost.memory_bytes)} of "
            f"memory and {have}; {advice}")


def estimate_on(cfg: RunConfig, data: Dataset | list[str] | None) -> Cost:
    """estimate() for training cfg on data (a Dataset or its documents). The parameter
    count is exact: the vocabulary is cfg's when it knows it (a built model), else every
    character of the data (a Dataset gathered them once, as it loaded: no rescan of a big
    file at each edit of the controls). Only the time and memory estimates read a sample:
    the lengths of the first 1,000 documents."""
    docs = data.docs if isinstance(data, Dataset) else data or []
    sample = docs[:1000]
    if not sample:
        return estimate(cfg)
    lengths = list(map(len, sample))
    if cfg.model.vocab_size:
        vocab = cfg.model.vocab_size
    else:  # + BOS
        chars = data.chars if isinstance(data, Dataset) else distinct_chars(docs)
        vocab = len(chars) + 1
    return estimate(cfg, vocab, sum(lengths) / len(lengths), max(lengths))


def check_fits(cfg: RunConfig, docs: list[str] | None = None) -> Cost:
    """estimate_on(cfg, docs), or ConfigError when the model would not fit in memory."""
    cost = estimate_on(cfg, docs)
    problem = memory_problem(cost, cfg)
    if problem:
        raise ConfigError(problem)
    return cost
