"""The makemore download from the window (issue 4): through engine.download's cache,
served by a throwaway server on 127.0.0.1 (tests never touch the internet)."""

from __future__ import annotations

import json
import socket

import pytest

from tests.helpers import NO_PROXY_VARS, local_server

NAMES = "\n".join(["emma", "olivia", "ava", "isabella", "sophia", "mia", "charlotte",
                   "amelia", "harper", "evelyn"] * 3).encode()
WAIT = 20_000


@pytest.fixture
def offline_safe(monkeypatch, tmp_path):
    for var in NO_PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MICROGPT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_download_menu_loads_makemore_names_once_and_then_from_the_cache(
        qtbot, plain_window, offline_safe, monkeypatch):
    srv = local_server({"/names.txt": (200, NAMES, None)})
    try:
        monkeypatch.setenv("MICROGPT_MAKEMORE_URL", srv.base + "/names.txt")
        w = plain_window
        with qtbot.waitSignal(w.datasets.loaded, timeout=WAIT) as got:
            w.act["download_makemore"].trigger()
        ds = got.args[0]
        assert ds.name == "makemore names.txt" and w.datasets.dataset is ds
        assert sorted(set(ds.docs)) == sorted(set(NAMES.decode().split()))
        assert srv.hits == ["/names.txt"]
        assert "makemore names.txt" in w.controls.dataset_label.text()
        with qtbot.waitSignal(w.datasets.loaded, timeout=WAIT):  # again: from the cache
            w.act["download_makemore"].trigger()
        assert srv.hits == ["/names.txt"]
    finally:
        srv.stop()


def test_download_while_offline_says_so_and_keeps_the_current_data(
        qtbot, plain_window, offline_safe, monkeypatch):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there: connection refused, like being offline
    monkeypatch.setenv("MICROGPT_MAKEMORE_URL", f"http://127.0.0.1:{port}/names.txt")
    w = plain_window
    before = w.datasets.dataset
    with qtbot.waitSignal(w.datasets.failed, timeout=WAIT) as got:
        w.act["download_makemore"].trigger()
    message = got.args[0]
    assert f"127.0.0.1:{port}" in message and "Traceback" not in message
    assert w.datasets.dataset is before
    assert any("Could not load the dataset" in text for _icon, text in w.messages)
    assert not offline_safe.exists() or not any(offline_safe.iterdir())  # nothing half-saved


# --- lessons that use the makemore names ------------------------------------------------

TINY = {"n_embd": 8, "n_head": 2, "num_steps": 20}


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there: connection refused, like being offline
    return f"http://127.0.0.1:{port}/names.txt"


def write_lesson(path, **fields):
    path.write_text(json.dumps({"microgpt_lesson": 1, **fields}), encoding="utf-8")
    return str(path)


def state(w):
    """What opening a lesson changes, to compare before and after."""
    return {"config": w.build_config().to_dict(), "title": w.windowTitle(),
            "dataset": w.datasets.dataset, "lesson": w.lessons.lesson,
            "speed": w.controls.speed.currentData(), "info": w.controller.info,
            "history": w.controller.history, "step": w.controller.history.step}


def settle(qtbot, w):
    qtbot.waitUntil(lambda: w.lessons._pending is None and not w.datasets.busy
                    and not w.controller.busy, timeout=WAIT)


def test_lesson_saved_after_the_makemore_download_records_makemore(
        qtbot, plain_window, offline_safe, monkeypatch, tmp_path):
    w = plain_window
    before = tmp_path / "before.json"
    w.lessons.save(str(before))  # docs.txt: a path (the check below can fail)
    assert json.loads(before.read_text())["dataset"].endswith("docs.txt")
    srv = local_server({"/names.txt": (200, NAMES, None)})
    try:
        monkeypatch.setenv("MICROGPT_MAKEMORE_URL", srv.base + "/names.txt")
        with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
            w.act["download_makemore"].trigger()
    finally:
        srv.stop()
    path = tmp_path / "makemore-lesson.json"
    w.lessons.save(str(path))
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["dataset"] == "makemore"
    assert str(offline_safe) not in text  # no trace of this machine's cache


@pytest.mark.parametrize("dataset", [
    "makemore",
    # an older lesson, saved with the cache path of the machine it was made on
    "/home/teacher/.cache/microgpt/makemore-names.txt",
])
def test_makemore_lesson_uses_the_cached_copy(qtbot, plain_window, offline_safe,
                                              monkeypatch, tmp_path, dataset):
    cached = ["ann", "bob", "cleo", "dora", "eve", "finn", "gus", "hal", "ida", "jo"] * 2
    offline_safe.mkdir()
    (offline_safe / "makemore-names.txt").write_text("\n".join(cached), encoding="utf-8")
    srv = local_server({"/names.txt": (200, NAMES, None)})  # must not be asked
    try:
        monkeypatch.setenv("MICROGPT_MAKEMORE_URL", srv.base + "/names.txt")
        w = plain_window
        path = write_lesson(tmp_path / "l.json", title="cached", dataset=dataset,
                            settings=TINY)
        with qtbot.waitSignal(w.lessons.opened, timeout=WAIT):
            assert w.lessons.open(path)
        assert srv.hits == []
    finally:
        srv.stop()
    assert sorted(w.datasets.dataset.docs) == sorted(cached)
    assert w.controller.info.dataset_source == str(offline_safe / "makemore-names.txt")
    assert w.controller.info.config.model.n_embd == 8 and "cached" in w.windowTitle()


def test_makemore_lesson_downloads_the_names_where_there_is_no_copy(
        qtbot, plain_window, offline_safe, monkeypatch, tmp_path):
    srv = local_server({"/names.txt": (200, NAMES, None)})
    try:
        monkeypatch.setenv("MICROGPT_MAKEMORE_URL", srv.base + "/names.txt")
        w = plain_window
        progress = []
        w.datasets.progress.connect(lambda done, total: progress.append((done, total)))
        path = write_lesson(tmp_path / "l.json", title="downloaded", dataset="makemore",
                            settings=TINY)
        with qtbot.waitSignal(w.lessons.opened, timeout=WAIT):
            assert w.lessons.open(path)
        assert srv.hits == ["/names.txt"]
    finally:
        srv.stop()
    ds = w.datasets.dataset
    assert ds.name == "makemore names.txt"
    assert sorted(set(ds.docs)) == sorted(set(NAMES.decode().split()))
    assert (offline_safe / "makemore-names.txt").read_bytes() == NAMES
    assert progress and progress[-1] == (len(NAMES), len(NAMES))  # the load's progress bar
    assert w.controller.info.dataset_source == ds.source
    again = tmp_path / "again.json"  # saved on this machine: still "makemore"
    w.lessons.save(str(again))
    assert json.loads(again.read_text())["dataset"] == "makemore"


@pytest.mark.parametrize("how", ["offline", "cancelled"])
def test_makemore_lesson_that_cannot_get_its_names_leaves_the_window_as_it_was(
        qtbot, plain_window, offline_safe, monkeypatch, tmp_path, how):
    from engine import preset
    from tests.gui.helpers import reset, steps

    w = plain_window
    reset(qtbot, w, preset("optimized", n_embd=8, n_head=2, num_steps=60),
          show_in_controls=True)
    steps(qtbot, w, 2)
    before = state(w)
    srv = local_server({"/names.txt": (200, NAMES, None)})
    url = closed_port_url() if how == "offline" else srv.base + "/names.txt"
    monkeypatch.setenv("MICROGPT_MAKEMORE_URL", url)
    path = write_lesson(tmp_path / "l.json", title="makemore lesson", dataset="makemore",
                        settings={"n_embd": 16, "n_head": 4, "seed": 5}, speed=1)
    try:
        assert w.lessons.open(path)  # the file is fine; the names come later
        assert w.datasets.busy
        if how == "cancelled":
            w.load_progress.cancel_button.click()  # before the reply is handled
        settle(qtbot, w)
    finally:
        srv.stop()
    assert state(w) == before
    assert "not opened" in w.statusBar().currentMessage()
    if how == "offline":
        errors = [text for kind, text in w.messages if kind == "Warning"]
        assert errors and "are you offline" in errors[-1], w.messages
        assert not offline_safe.exists() or not any(offline_safe.iterdir())
    steps(qtbot, w, 1)  # the run goes on where it was
    assert w.controller.history.step == 3
