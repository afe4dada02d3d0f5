"""Keep NumPy's BLAS to one thread for this model's small matrices.

The matrices here are tiny (16..256 wide, at most a few thousand rows). OpenBLAS still
splits such products over all cores, and when those cores are busy (the GUI thread, other
programs, a shared classroom machine) every product waits for a descheduled helper
thread: measured on a busy 2-core machine, n_embd 64 went from 0.4 to 16 ms per step.
One thread is as fast on an idle machine at these sizes and never has that cliff.

We look for the OpenBLAS that NumPy's wheels bundle (scipy-openblas) and call its
set_num_threads through ctypes. If the user set OPENBLAS_NUM_THREADS or OMP_NUM_THREADS,
we leave their choice alone; with another BLAS (MKL, Accelerate) we do nothing.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")
_GETTERS = tuple(s.replace("set_", "get_") for s in _SETTERS)
_done: bool | None = None  # None: not tried yet; else whether a limit was applied


def _bundled_openblas():
    """ctypes handle of the OpenBLAS shipped inside the numpy wheel, or None."""
    root = os.path.dirname(os.path.dirname(np.__file__))
    here = os.path.dirname(np.__file__)
    patterns = [os.path.join(root, "numpy.libs", "*openblas*"),  # Linux, Windows wheels
                os.path.join(here, ".dylibs", "*openblas*")]  # macOS wheels
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)):
            try:
                return ctypes.CDLL(path)
            except OSError:
                continue
    return None


def _function(lib, names):
    for name in names:
        f = getattr(lib, name, None)
        if f is not None:
            return f
    return None


def blas_threads() -> int | None:
    """Threads the bundled OpenBLAS uses now (None if it cannot be found)."""
    lib = _bundled_openblas()
    get = _function(lib, _GETTERS) if lib is not None else None
    return int(get()) if get is not None else None


def limit_blas_threads(n: int = 1) -> bool:
    """Set the bundled OpenBLAS to n threads once per process, unless the user chose a
    thread count through the environment. Returns True if a limit is in effect."""
    global _done
    if _done is not None:
        return _done
    _done = False
    if os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS"):
        return _done
    lib = _bundled_openblas()
    setter = _function(lib, _SETTERS) if lib is not None else None
    if setter is not None:
        setter.argtypes = [ctypes.c_int]
        setter.restype = None
        setter(int(n))
        _done = True
    return _done
