"""Shared by tests/engine and tests/gui: `from tests.helpers import ...` (pytest's
--import-mode=importlib makes `tests` a namespace package). Qt-free: engine tests use it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
BAD = DATA / "bad"  # the committed bad-input corpus
DOCS = DATA / "docs.txt"


def load_tool(name: str):
    """A script in tools/ as a module, e.g. load_tool("make_bad_inputs") (tools/ is not a
    package; its scripts also run on their own)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
