"""The cost line under the Controls fields gives the exact parameter count of the model
a Reset builds, also for a file whose later lines bring new characters (it counted the
characters of the first 1,000 documents only)."""

from __future__ import annotations

from tests.helpers import DOCS


def test_cost_line_counts_the_parameters_of_the_model_built(qtbot, make_window, tmp_path):
    w = make_window()
    names = DOCS.read_text(encoding="utf-8").split()
    lower = (names * 6)[:1500]
    f = tmp_path / "mixed.txt"
    f.write_text("\n".join(lower + [n.capitalize() for n in names]) + "\n", encoding="utf-8")
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):  # nothing trained yet
        w.datasets.load_path(str(f))
    built = w.controller.info.num_params
    assert w.controls.cost.text().startswith(f"{built:,} parameters ·")
