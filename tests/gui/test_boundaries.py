"""The GUI reaches the model only through engine.Trainer and its plain data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[2] / "microgpt_gui"
# Backends and their building blocks: the GUI must go through Trainer / Inference.
FORBIDDEN = ("engine.reference", "engine.numpy_backend", "engine.backends", "engine.layers")


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            if node.module == "engine":
                for alias in node.names:
                    yield f"engine.{alias.name}"
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield arg.value


@pytest.mark.parametrize("path", sorted(GUI.glob("*.py")), ids=lambda p: p.name)
def test_gui_never_imports_engine_internals(path):
    bad = [m for m in imported_modules(path) if m.startswith(FORBIDDEN)]
    assert not bad, f"{path.name} imports {bad}: go through engine.Trainer instead"


def test_the_check_can_fail(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("from engine import reference\nimport engine.numpy_backend\n")
    assert [m for m in imported_modules(f) if m.startswith(FORBIDDEN)] == [
        "engine.reference", "engine.numpy_backend"]
