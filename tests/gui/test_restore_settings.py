"""Settings from last time that cannot be restored (window_state.restore): a file edited
by hand, damaged, or a dataset file gone. The window must open, say what it could not
restore, and start on sensible values."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings

from microgpt_gui.main_window import MainWindow
from microgpt_gui.settings import Settings
from tests.gui.conftest import DOCS

CONTROLS = {"preset": "optimized", "speed": 0, "n_embd": 16, "n_head": 4, "n_layer": 1,
            "block_size": 8, "num_steps": 500, "learning_rate": 0.01, "seed": 7,
            "batch_size": 1, "backend": "numpy"}
SAMPLING = {"temperature": 0.6, "top_k": 5, "count": 20, "prefix": ""}


def write(path, **values) -> None:
    q = QSettings(str(path), QSettings.Format.IniFormat)
    for key, raw in values.items():
        q.setValue(key.replace("__", "/"), raw)
    q.sync()


def open_window(qtbot, path, autostart=False) -> MainWindow:
    w = MainWindow(Settings(str(path)), autostart=autostart)
    qtbot.addWidget(w)
    w.show()
    return w


def restore_message(qtbot, w) -> str:
    qtbot.waitUntil(lambda: any("could not be restored" in t for _k, t in w.messages),
                    timeout=5_000)
    return next(t for _k, t in w.messages if "could not be restored" in t)


def gone_message(qtbot, w) -> str:
    """Last time's data file is missing: said on its own, not as a damaged setting."""
    qtbot.waitUntil(lambda: any("is not there" in t for _k, t in w.messages), timeout=5_000)
    assert not any("could not be restored" in t for _k, t in w.messages)
    return next(t for _k, t in w.messages if "is not there" in t)


@pytest.mark.parametrize("panel, values, bad", [
    ("controls", CONTROLS | {"num_steps": 10**12}, "num_steps"),  # OverflowError
    ("controls", CONTROLS | {"seed": 2**40}, "seed"),
    ("controls", CONTROLS | {"learning_rate": float("nan")}, "learning_rate"),  # was 10
    ("sampling", SAMPLING | {"temperature": float("nan")}, "temperature"),  # round(nan)
    ("sampling", SAMPLING | {"temperature": float("inf")}, "temperature"),
    ("sampling", SAMPLING | {"count": 10**12}, "count"),
    ("sampling", SAMPLING | {"top_k": 10**12}, "top_k"),  # raised at the first Reset
    ("timelapse", {"every": 10**12}, "every"),
    ("curves", {"smoothing": float("nan"), "log_y": True}, "smoothing"),  # was 0.999
])
def test_a_bad_number_is_named_and_the_rest_restored(qtbot, tmp_path, panel, values, bad):
    path = tmp_path / "s.ini"
    write(path, **{f"panels__{panel}": json.dumps(values)})  # (json writes NaN, Infinity)
    w = open_window(qtbot, path)
    assert f"{panel}: {bad}" in restore_message(qtbot, w)
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):
        w.datasets.load_path(str(DOCS))  # the first model (a saved top_k raised here)
    state = w.panels[panel].save_state()
    for key, value in values.items():
        if key != bad and key in state:
            assert state[key] == value, key  # the good values are restored
    if panel == "controls":
        assert w.controls.values()["learning_rate"] == 0.01  # (never NaN -> 10)
    w.close()


def test_damaged_values_and_layout_are_named(qtbot, tmp_path):
    path = tmp_path / "s.ini"
    write(path, panels__controls='{"preset": "optim', window__state="hello",
          recent_files="[{")
    w = open_window(qtbot, path)
    text = restore_message(qtbot, w)
    assert "controls" in text and "window layout" in text and "Open recent" in text
    assert str(path) in text
    w.close()


def test_good_settings_say_nothing(qtbot, tmp_path):
    path = tmp_path / "s.ini"
    w = open_window(qtbot, path)
    w.controls.fields["seed"].setValue(9)
    w.close()
    w2 = open_window(qtbot, path)
    qtbot.wait(50)
    assert w2.controls.fields["seed"].value() == 9 and w2.messages == []
    w2.close()


def test_a_dataset_file_gone_since_is_said_and_the_bundled_names_load(qtbot, tmp_path):
    path = tmp_path / "s.ini"
    gone = tmp_path / "class names.txt"
    write(path, dataset_source=json.dumps(str(gone)))
    w = open_window(qtbot, path, autostart=True)
    qtbot.waitUntil(lambda: w.controller.info is not None, timeout=20_000)
    assert str(gone) in gone_message(qtbot, w)
    assert w.datasets.dataset.source.startswith("bundled")
    w.close()


def test_an_unreadable_dataset_file_falls_back_to_the_bundled_names(qtbot, tmp_path):
    path = tmp_path / "s.ini"
    binary = tmp_path / "b.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    write(path, dataset_source=json.dumps(str(binary)))
    w = open_window(qtbot, path, autostart=True)
    qtbot.waitUntil(lambda: w.controller.info is not None, timeout=20_000)
    assert w.datasets.dataset.source.startswith("bundled")
    assert any("last time's dataset" in t and "bundled names" in t for _k, t in w.messages)
    w.close()


def test_validate_every_is_remembered_like_the_other_training_fields(qtbot, tmp_path):
    path = tmp_path / "s.ini"
    w = open_window(qtbot, path)
    w.controls.fields["num_steps"].setValue(300)
    w.live_changes.val_every.setValue(50)
    w.close()
    w2 = open_window(qtbot, path)
    assert w2.controls.fields["num_steps"].value() == 300
    assert w2.live_changes.val_every.value() == 50
    assert w2.build_config().train.val_every == 50  # what the first Reset uses
    w2.close()
    write(path, validate_every="-3")
    w3 = open_window(qtbot, path)
    assert "Validate every" in restore_message(qtbot, w3)
    assert w3.build_config().train.val_every == 100  # the preset's
    w3.close()


def test_settings_that_cannot_be_saved_are_said_at_start(qtbot, tmp_path):
    """A settings 'file' that is a folder (or unwritable): closing lost the session's
    settings without a word. The window says so when it opens."""
    from tests.gui.conftest import new_window

    folder = tmp_path / "settings.ini"
    folder.mkdir()
    w = new_window(folder)
    qtbot.addWidget(w)
    try:
        qtbot.waitUntil(lambda: any("cannot be saved" in text for _k, text in w.messages),
                        timeout=5000)
        assert any(str(folder) in text for _k, text in w.messages)
    finally:
        w.close()


@pytest.mark.parametrize("content", [
    bytes(range(256)) * 8,  # junk: Qt reads it as keys without complaint
    b"\x00" * 300,  # a file zeroed by a crash
    b"[panels\ncontrols=\"{}\"\n[window]\nstate=x\n",  # broken syntax: Qt's FormatError
    b"hello\nthis is not a settings file\n",  # text, but no settings in it
], ids=["junk", "zeros", "syntax", "text"])
def test_a_settings_file_that_cannot_be_read_is_kept_and_said(qtbot, tmp_path, content):
    """A settings file that cannot be parsed at all started with the defaults without a
    word, and closing the window wrote over it: now the window says so, names the file,
    and a copy of it is kept beside it as <name>.bad."""
    path = tmp_path / "s.ini"
    path.write_bytes(content)
    w = open_window(qtbot, path)
    qtbot.waitUntil(lambda: any(str(path) in t for _k, t in w.messages), timeout=5_000)
    text = next(t for _k, t in w.messages if str(path) in t)
    assert "cannot be read" in text and "defaults" in text and f"{path}.bad" in text
    assert (tmp_path / "s.ini.bad").read_bytes() == content
    assert w.controls.fields["seed"].value() == 42  # the defaults
    w.controls.fields["seed"].setValue(9)
    w.close()  # saves over the damaged file: a good one now
    w2 = open_window(qtbot, path)
    qtbot.wait(50)
    assert w2.controls.fields["seed"].value() == 9 and w2.messages == []
    w2.close()


def test_a_dataset_file_gone_today_is_tried_again_next_time(qtbot, tmp_path):
    """Last time's data on a drive not connected today: the bundled names stand in, but
    the path was forgotten (closing saved the bundled names). Now it is kept while the
    stand-in is the data, so the next start loads it again; it is in Open recent too; and
    opening another dataset replaces it as usual."""
    path = tmp_path / "s.ini"
    data = tmp_path / "class names.txt"
    write(path, dataset_source=json.dumps(str(data)))
    w = open_window(qtbot, path, autostart=True)
    qtbot.waitUntil(lambda: w.controller.info is not None, timeout=20_000)
    assert "tried again" in gone_message(qtbot, w)
    assert w.datasets.dataset.source.startswith("bundled")
    assert any(e["path"] == str(data) for e in w.recent.entries)
    w.close()
    assert json.loads(QSettings(str(path), QSettings.Format.IniFormat)
                      .value("dataset_source")) == str(data)
    data.write_text(DOCS.read_text())  # the drive is back
    w2 = open_window(qtbot, path, autostart=True)
    qtbot.waitUntil(lambda: w2.controller.info is not None, timeout=20_000)
    assert w2.datasets.dataset.source == str(data) and w2.messages == []
    w2.close()
    data.unlink()  # gone again; this time the user opens another file
    w3 = open_window(qtbot, path, autostart=True)
    qtbot.waitUntil(lambda: w3.controller.info is not None, timeout=20_000)
    with qtbot.waitSignal(w3.datasets.loaded, timeout=20_000):
        w3.datasets.load_path(str(DOCS))
    w3.close()
    assert json.loads(QSettings(str(path), QSettings.Format.IniFormat)
                      .value("dataset_source")) == str(DOCS)


def test_a_first_start_trains_at_100_steps_a_second_and_a_saved_speed_wins(qtbot, tmp_path):
    """At max (the old first speed) the default 500 steps were over in a blink: nothing
    to watch. A speed chosen last time is kept, max included."""
    w = open_window(qtbot, tmp_path / "first.ini")
    assert w.controls.speed.currentData() == 100 and w.controller.speed == 100
    write(tmp_path / "again.ini", panels__controls=json.dumps({**CONTROLS, "speed": 0}))
    w2 = open_window(qtbot, tmp_path / "again.ini")
    assert w2.controls.speed.currentData() == 0 and w2.controller.speed == 0
