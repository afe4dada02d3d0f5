"""The app's command line: `microgpt-gui [FILE] [--projector]`.

A teacher's desktop shortcut (`microgpt-gui --projector week3.json`), a double-click on a
lesson in a file manager, or a learner's `microgpt-gui yesterday.npz` opens the file at
once, through the same paths as the File menu (a lesson, a checkpoint, a text file of
documents), instead of a second trip through a file dialog.

Qt's own options (-platform, -style, ...) are Qt's: QApplication takes them out of the
list before this parses what is left. --help and --version are answered before Qt
starts, so they work on a machine with no display.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import APP_NAME, __version__

# What a file's name says it is; anything else is read as a text file of documents.
KIND_BY_SUFFIX = {".json": "lesson", ".npz": "checkpoint"}


class CommandLineError(ValueError):
    """A bad option or too many files: said in one line, the app does not start."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print and exit; the caller decides
        raise CommandLineError(message)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog=APP_NAME, description="Watch a tiny GPT learn: train microgpt live, "
                "see its curves, attention and the names it invents.",
                epilog="Qt's own options (e.g. -platform, -style) are accepted too.")
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="open this at start: a lesson (.json), a checkpoint (.npz) or a "
                        "UTF-8 text file with one document per line")
    p.add_argument("--projector", action="store_true",
                   help="start in projector mode (F11 switches it off and on)")
    p.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return p


def answered_before_qt(args: list[str]) -> int | None:
    """--help / --version: print the answer and give the exit code (no window, no Qt).
    None: nothing to answer, start the app."""
    if not any(a in ("-h", "--help", "--version") for a in args):
        return None
    try:
        parser().parse_args(args)
    except SystemExit as done:  # argparse printed the help or the version
        return int(done.code or 0)
    except CommandLineError:
        pass  # e.g. a Qt option beside --help: the help is what was asked for
    parser().print_help()
    return 0


def parse(args: list[str]) -> argparse.Namespace:
    """What is left of the command line once Qt has taken its own options."""
    return parser().parse_args(args)


def kind_of(path: str) -> str:
    return KIND_BY_SUFFIX.get(Path(path).suffix.lower(), "data")


def apply(window, options: argparse.Namespace) -> None:
    """Act on the options in a shown window: projector mode, then the file."""
    if options.projector:
        window.projector.set_active(True)
    if not options.file:
        return
    path = Path(options.file).expanduser()
    path = path if path.is_absolute() else Path.cwd() / path
    if not path.exists():
        window.show_error(f"{path}: no such file (named on the command line). "
                          "The app starts as usual.")
        return
    if path.is_dir():
        window.show_error(f"{path}: is a folder (named on the command line); give a "
                          "lesson (.json), a checkpoint (.npz) or a text file.")
        return
    kind = kind_of(str(path))
    if options.projector and kind == "lesson":
        # A lesson sets its own display (projector mode on or off) when it opens; asked
        # for on the command line, projector mode stays on.
        def keep_projector(opened: str) -> None:
            window.lessons.opened.disconnect(keep_projector)
            if opened == str(path):
                window.projector.set_active(True)

        window.lessons.opened.connect(keep_projector)
    window.recent.openers[kind](str(path))
