"""`microgpt-gui [FILE] [--projector]` (command_line.py): a file named on the command line
opens at start through the File menu's own paths; --help and --version need no display."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from microgpt_gui import __version__, command_line
from tests.gui.conftest import DOCS, ROOT
from tests.gui.helpers import WAIT, train_to_end


def run_app(*args, tmp_path, display=True):
    env = dict(os.environ, MICROGPT_GUI_SETTINGS=str(tmp_path / "s.ini"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    if display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:  # no display and no platform: Qt could not start at all
        for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
            env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "microgpt_gui", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)


def test_help_and_version_need_no_display(tmp_path):
    r = run_app("--help", tmp_path=tmp_path, display=False)
    assert r.returncode == 0, r.stderr
    assert "usage: microgpt-gui" in r.stdout and "--projector" in r.stdout
    assert "lesson (.json), a checkpoint (.npz)" in r.stdout
    r = run_app("--version", tmp_path=tmp_path, display=False)
    assert (r.returncode, r.stdout.strip()) == (0, f"microgpt-gui {__version__}")


def test_a_bad_option_is_one_line_and_exit_code_2(tmp_path):
    r = run_app("--projecter", tmp_path=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "microgpt-gui: unrecognized arguments: --projecter (see microgpt-gui --help)"]


def test_qt_options_are_left_to_qt():
    """QApplication takes out -platform, -style etc.; what is left is ours."""
    options = command_line.parse(["lesson.json", "--projector"])
    assert (options.file, options.projector) == ("lesson.json", True)
    options = command_line.parse([])
    assert (options.file, options.projector) == (None, False)
    with pytest.raises(command_line.CommandLineError):
        command_line.parse(["a.json", "b.json"])


@pytest.mark.parametrize("name, kind", [("week3.json", "lesson"), ("RUN.NPZ", "checkpoint"),
                                        ("names.txt", "data"), ("names", "data")])
def test_the_file_name_says_how_it_opens(name, kind):
    assert command_line.kind_of(name) == kind


def test_a_lesson_named_on_the_command_line_opens_in_projector_mode(qtbot, plain_window,
                                                                    tmp_path, monkeypatch):
    w = plain_window
    lesson = tmp_path / "class.json"
    w.controls.fields["num_steps"].setValue(123)
    w.lessons.save(str(lesson))
    w.controls.fields["num_steps"].setValue(500)
    monkeypatch.chdir(tmp_path)  # a relative name is taken from where the app started
    with qtbot.waitSignal(w.lessons.opened, timeout=WAIT) as opened:
        command_line.apply(w, command_line.parse(["class.json", "--projector"]))
    assert opened.args == [str(lesson)]
    assert w.projector.active
    qtbot.waitUntil(lambda: w.controller.info is not None
                    and w.controller.info.num_steps == 123, timeout=WAIT)


def test_a_checkpoint_or_text_file_opens_as_the_file_menu_would(qtbot, make_window,
                                                                tmp_path):
    w = make_window(num_steps=10)
    train_to_end(qtbot, w)
    ckpt = tmp_path / "run.npz"
    with qtbot.waitSignal(w.checkpoints.saved, timeout=WAIT):
        w.checkpoints.save(str(ckpt))
    with qtbot.waitSignal(w.checkpoints.opened, timeout=WAIT) as opened:
        command_line.apply(w, command_line.parse([str(ckpt)]))
    assert opened.args == [str(ckpt)]
    with qtbot.waitSignal(w.datasets.loaded, timeout=WAIT) as loaded:
        command_line.apply(w, command_line.parse([str(DOCS)]))
    assert loaded.args[0].source == str(DOCS)
    assert not w.projector.active  # only when asked


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_a_missing_file_or_a_folder_is_said_and_the_app_starts_as_usual(qtbot, plain_window,
                                                                        tmp_path, what):
    w = plain_window
    path = tmp_path / "gone.json" if what == "missing" else tmp_path
    command_line.apply(w, command_line.parse([str(path)]))
    kind, text = w.messages[-1]
    assert kind == "Warning" and text.startswith(f"{path}: ")
    assert ("no such file" if what == "missing" else "is a folder") in text
    assert "command line" in text
