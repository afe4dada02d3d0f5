"""Take the projector-mode screenshots in docs/ (run under a virtual X server):

    xvfb-run -s "-screen 0 1920x1080x24" python tools/projector_screenshots.py 1920x1080
    xvfb-run -s "-screen 0 1280x720x24"  python tools/projector_screenshots.py 1280x720
    ... projector_screenshots.py 1280x720 1.3 /tmp/big-text.png   (View > Larger text)

Opens the bundled lesson "the seed", switches projector mode on, trains STEPS steps, generates a
batch of names, then saves docs/projector-WxH.png. Uses a throw-away settings file.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = 300


def wait(app, cond, timeout=60.0):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    size = sys.argv[1] if len(sys.argv) > 1 else "1920x1080"
    text_scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    os.environ["MICROGPT_GUI_SETTINGS"] = str(Path(tempfile.mkdtemp()) / "settings.ini")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from microgpt_gui.lesson import bundled_lessons
    from microgpt_gui.main_window import MainWindow

    w = MainWindow(autostart=False)
    w.show()
    lesson = next(p for p in bundled_lessons() if p.name == "the-seed.json")
    w.lessons.open(str(lesson))
    wait(app, lambda: w.controller.info is not None and not w.controller.busy)
    w.projector.set_active(True)
    w.text_size.set_factor(text_scale)  # View > Larger text: 1.0 = as the room gets it
    w.controller.set_speed(100)
    w.controller.train()
    wait(app, lambda: w.controller.history.step >= STEPS)
    w.controller.pause()
    wait(app, lambda: w.controller.state != "running")
    w.act["generate"].trigger()
    wait(app, lambda: w.name_stats.quality is not None)
    w.panels["surprise"].view.entry.setText("olivia")
    end = time.monotonic() + 2.0  # let the views catch up (5 Hz captures, roles)
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    out = Path(sys.argv[3]) if len(sys.argv) > 3 else ROOT / "docs" / f"projector-{size}.png"
    w.grab().save(str(out))
    print(f"saved {out} ({w.width()}x{w.height()}, fullscreen={w.isFullScreen()})")
    w.close()
    return 0


if __name__ == "__main__":
    rc = main()
    from microgpt_gui.app import exit_now  # as the app ends: no teardown of Qt objects

    exit_now(rc)
