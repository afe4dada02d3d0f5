"""Take docs/screenshot.png: the main window mid-training, as a user would see it.

Run under a display (Xvfb on a headless machine):
    xvfb-run -s "-screen 0 1600x1000x24" python tools/screenshot_gui.py [out.png] [steps]
        [dock dock.png]
With a dock id (e.g. weights), that dock's tab is brought to the front and the dock is
also saved on its own (docs/weights.png). Not a test: it only drives the window (train
to a step, pause, generate) and grabs it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png"
    stop_at = int(sys.argv[2]) if len(sys.argv) > 2 else 320
    dock_id, dock_out = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else (None, None)
    app = QApplication(sys.argv[:1])
    from microgpt_gui.app import app_icon
    from microgpt_gui.main_window import MainWindow
    from microgpt_gui.settings import Settings

    app.setWindowIcon(app_icon())
    settings = Settings(str(Path(tempfile.mkdtemp()) / "screenshot.ini"))  # defaults
    w = MainWindow(settings=settings)
    w.resize(1440, 900)
    w.show()
    c = w.controller
    state = {"phase": "wait-model"}

    def tick():
        if state["phase"] == "wait-model" and c.info is not None:
            if dock_id:
                w.docks[dock_id].raise_()
            w.controls.set_speed(100)  # slow enough to stop near `stop_at`
            c.train()
            state["phase"] = "training"
        elif state["phase"] == "training" and c.history.step >= stop_at:
            c.pause()
            w.sampling.count.setValue(12)
            w.sampling.generate()
            state["phase"] = "sampling"
        elif state["phase"] == "sampling" and w.sampling.results.count():
            w.curves.refresh(force=True)
            state["phase"] = "settle"
            QTimer.singleShot(600, grab)

    def grab():
        w.grab().save(str(out))
        print(f"saved {out} at step {c.history.step}")
        if dock_id:
            w.docks[dock_id].grab().save(dock_out)
            print(f"saved {dock_out}")
        w.close()
        app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(50)
    QTimer.singleShot(120_000, app.quit)  # never hang a build
    return app.exec()


if __name__ == "__main__":
    rc = main()
    from microgpt_gui.app import exit_now  # as the app ends: no teardown of Qt objects

    exit_now(rc)
