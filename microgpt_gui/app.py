"""Entry point: `microgpt-gui` / `python -m microgpt_gui`.

Start-up is kept under ~1.5 s by importing only what the first frame needs; the dataset
is loaded and the first model built on background threads after the window is shown.
"""

from __future__ import annotations

import os
import sys

from . import APP_NAME, __version__


def app_icon():
    from PySide6.QtGui import QIcon

    from engine.data import bundled_path  # resources/ lookup that also works installed

    for name in ("icon.svg", "icon.png"):
        path = bundled_path(name)
        if path.is_file():
            icon = QIcon(str(path))
            if not icon.isNull():
                return icon
    return QIcon()


def tune_interpreter() -> None:
    """Hand the GIL over every 1 ms instead of 5 ms. The training worker and the loaders
    are CPU-bound Python threads; each time the GUI thread comes back from Qt it must win
    the GIL back, and at 5 ms a time one repaint could wait for seconds (a 50 MB file
    loading froze the window for ~5 s; with 1 ms it keeps ticking every few ms)."""
    sys.setswitchinterval(0.001)


def exit_now(rc: int = 0) -> None:
    """End a process that ran a window, skipping the interpreter's teardown. A step,
    file load or sampling job that could not be interrupted may still be running (a
    QThread destroyed while running aborts), and Python destroys Qt objects in an
    arbitrary order at exit: a window closed and left to the teardown segfaulted about
    one run in eight (issue 7's lifecycle tests; tests/gui/projector_probe.py). Output
    is flushed first; nothing else needs to run at exit (settings are saved on close)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from . import command_line

    argv = sys.argv if argv is None else argv
    answered = command_line.answered_before_qt(argv[1:])  # --help, --version: no display
    if answered is not None:
        return answered
    tune_interpreter()

    app = QApplication.instance() or QApplication(argv)
    try:  # what Qt left of the command line: FILE, --projector
        options = command_line.parse(app.arguments()[1:])
    except command_line.CommandLineError as e:
        print(f"{APP_NAME}: {e} (see {APP_NAME} --help)", file=sys.stderr)
        return 2
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setWindowIcon(app_icon())
    from .main_window import MainWindow

    window = MainWindow()  # owns the GC guard: no collection on a worker thread
    window.fast_exit = True  # closing must not wait for a long step (see below)
    window.show()
    QTimer.singleShot(0, lambda: command_line.apply(window, options))  # in the event loop
    exit_now(app.exec())  # settings were saved by closeEvent


if __name__ == "__main__":
    sys.exit(main())
