"""The engine must never import Qt or pyqtgraph (DESIGN.md: the model layer is Qt-free)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_engine_imports_no_qt():
    code = (
        "import sys, engine, engine.trainer, engine.reference, engine.sampling, "
        "engine.checkpoint, engine.data, engine.config\n"
        "import importlib.util\n"
        "for m in ('engine.numpy_backend', 'engine.cli', 'engine.download', 'engine.ablate',"
        " 'engine.analysis', 'engine.run_record', 'engine.insights'):\n"
        "    if importlib.util.find_spec(m): __import__(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'PyQt5', 'PyQt6', 'PySide2', 'pyqtgraph', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "", f"engine imported: {out.stdout}"


def test_no_qt_import_statements_in_engine_sources():
    for path in (ROOT / "engine").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for lib in ("PySide6", "PyQt5", "PyQt6", "pyqtgraph"):
            assert f"import {lib}" not in text and f"from {lib}" not in text, path
