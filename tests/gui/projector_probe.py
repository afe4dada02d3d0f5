"""Run by test_layout.py in a process of its own, on an offscreen screen of a given size
(projector mode fills the screen, and the test session's offscreen screen is 800x800):

    QT_QPA_PLATFORM=offscreen:configfile=screen.json python projector_probe.py N_LAYER

Builds an N_LAYER model on tests/data/docs.txt, switches projector mode on, trains a
few steps, generates names, and prints, as JSON, the window-coordinate rectangles
(x, y, w, h) of what the side column shows: heatmaps, head-role labels, the attention
view, the sampling panel's parts, plus the heights wrapped labels need at their width.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


sys.path.insert(0, str(ROOT / "tools"))
from projector_screenshots import wait  # noqa: E402  (the screenshot tool's own wait)


def settle(app, seconds=0.5):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    n_layer = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    os.environ["MICROGPT_GUI_SETTINGS"] = str(Path(tempfile.mkdtemp()) / "settings.ini")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from engine import load_dataset
    from microgpt_gui.main_window import MainWindow

    w = MainWindow(autostart=False)
    w.show()
    w.datasets.dataset = load_dataset(str(ROOT / "tests" / "data" / "docs.txt"))
    for name, value in (("n_embd", 32), ("n_layer", n_layer), ("block_size", 16)):
        w.controls.fields[name].setValue(value)
    w.panels["attention"].word.setText("olivia")
    w.reset()
    wait(app, lambda: w.controller.info is not None and not w.controller.busy)
    w.projector.set_active(True)
    w.controller.set_speed(0)
    w.controller.train()
    wait(app, lambda: w.controller.history.step >= 30)
    w.controller.pause()
    wait(app, lambda: w.controller.state != "running")
    w.act["generate"].trigger()
    wait(app, lambda: w.name_stats.quality is not None and w.head_roles.roles is not None)
    settle(app)

    def rect(widget_or_rect, widget=None):
        if widget is None:
            widget = widget_or_rect
            r = widget.rect()
        else:
            r = widget_or_rect
        top_left = widget.mapTo(w, r.topLeft())
        return [top_left.x(), top_left.y(), r.width(), r.height()]

    att = w.panels["attention"]
    view = att.glw

    def scene_rect(item, text=False):
        box = item.boundingRect()
        if text:  # the text itself, not the empty margin its document keeps around it
            m = item.document().documentMargin()
            box = box.adjusted(m, m, -m, -m)
        r = view.mapFromScene(item.mapRectToScene(box)).boundingRect()
        return rect(QRect(r), view)

    s, stats = w.sampling, w.name_stats
    labels = {"numbers": stats.numbers, "verdict": stats.verdict, "names": stats.names,
              "summary": w.panels["surprise"].view.summary}
    out = {
        "window": [w.x(), w.y(), w.width(), w.height()],
        "maps": [scene_rect(img) for img in att.images],
        "roles": [scene_rect(cell.getAxis("bottom").label, text=True) for cell in att.cells],
        "viewport": rect(att.scroll.viewport()),
        "scrollbars": [bar.isVisible() for bar in (att.scroll.horizontalScrollBar(),
                                                   att.scroll.verticalScrollBar())],
        "sampling": rect(s),
        "parts": {"top_k": rect(s.top_k), "temperature": rect(s.temperature),
                  "bars": rect(s.bars_plot), "numbers": rect(stats.numbers),
                  "verdict": rect(stats.verdict), "names": rect(stats.names)},
        "bars_min": s.bars_plot.minimumHeight(),
        "sliders": [[x.width(), x.sizeHint().width()] for x in (s.top_k, s.temperature)],
        "wrapped": {k: [x.height(), x.heightForWidth(x.width())] for k, x in labels.items()},
        "names_shown": stats.names.text().count("<span"),
    }
    print("PROBE " + json.dumps(out))
    w.close()
    return 0


if __name__ == "__main__":
    rc = main()
    from microgpt_gui.app import exit_now  # as the app ends: no teardown of Qt objects

    exit_now(rc)
