"""The makemore download from the window (issue 4): through engine.download's cache,
served by a throwaway server on 127.0.0.1 (tests never touch the internet)."""

from __future__ import annotations

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
