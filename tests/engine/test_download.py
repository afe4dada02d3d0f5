"""engine.download against a throwaway HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import socket

import pytest

from engine import download
from engine.data import DataError, load_docs
from engine.download import DownloadCancelled, DownloadError
from tests.helpers import NO_PROXY_VARS, local_server

NAMES = b"emma\nolivia\nava\nisabella\nsophia\n"


@pytest.fixture
def server(monkeypatch):
    for var in NO_PROXY_VARS:
        monkeypatch.delenv(var, raising=False)  # a proxy must not see loopback requests
    srv = local_server({"/names.txt": (200, NAMES, None)})
    yield srv
    srv.stop()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("MICROGPT_CACHE_DIR", str(d))
    return d


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connection refused, like being offline
    return f"http://127.0.0.1:{port}/names.txt"


def leftovers(d):
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def test_downloads_once_into_cache_with_progress(server, cache):
    seen = []
    path = download.ensure_makemore(server.base + "/names.txt",
                                    progress=lambda done, total: seen.append((done, total)))
    assert path == cache / download.MAKEMORE_FILE
    assert path.read_bytes() == NAMES
    assert load_docs(path) == ["emma", "olivia", "ava", "isabella", "sophia"]
    assert seen[0] == (0, len(NAMES)) and seen[-1] == (len(NAMES), len(NAMES))
    assert leftovers(cache) == [download.MAKEMORE_FILE]  # no .part file left
    assert server.hits == ["/names.txt"]

    # Second call: served from the cache, the server is not asked again.
    again = download.ensure_makemore(server.base + "/names.txt")
    assert again == path
    assert server.hits == ["/names.txt"]
    assert download.is_cached()


def test_cached_file_needs_no_network(cache):
    cache.mkdir()
    (cache / download.MAKEMORE_FILE).write_bytes(NAMES)
    assert download.ensure_makemore(closed_port_url()).read_bytes() == NAMES


def test_url_from_environment(server, cache, monkeypatch):
    monkeypatch.setenv("MICROGPT_MAKEMORE_URL", server.base + "/names.txt")
    assert download.ensure_makemore().read_bytes() == NAMES


def test_cache_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv("MICROGPT_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert download.cache_dir() == tmp_path / "home" / ".cache" / "microgpt"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert download.cache_dir() == tmp_path / "xdg" / "microgpt"
    monkeypatch.setenv("MICROGPT_CACHE_DIR", str(tmp_path / "env"))
    assert download.cache_dir() == tmp_path / "env"
    assert download.cache_dir(tmp_path / "arg") == tmp_path / "arg"
    assert download.makemore_path(tmp_path / "arg") == tmp_path / "arg" / download.MAKEMORE_FILE


def test_offline_is_a_clear_one_line_error(cache):
    url = closed_port_url()
    with pytest.raises(DownloadError) as e:
        download.ensure_makemore(url)
    msg = str(e.value)
    assert url in msg and "offline" in msg and "\n" not in msg
    assert isinstance(e.value, DataError)  # the CLI and GUI treat it like any bad data
    assert leftovers(cache) == []


@pytest.mark.parametrize(
    "route, expected",
    [
        ((404, b"nope", None), "404"),
        ((200, b"", None), "empty"),
        ((200, b"<!DOCTYPE html><html>captive portal</html>", None), "web page"),
        ((200, b"ab\0cd", None), "binary"),
        ((200, b"caf\xe9\n", None), "UTF-8"),
        ((200, NAMES, len(NAMES) + 100), "try again"),  # connection closed early
    ],
)
def test_bad_replies_are_refused_and_not_cached(server, cache, route, expected):
    server.routes["/names.txt"] = route
    with pytest.raises(DownloadError, match=expected):
        download.ensure_makemore(server.base + "/names.txt")
    assert leftovers(cache) == []


def test_cancel_leaves_nothing(server, cache):
    with pytest.raises(DownloadCancelled):
        download.ensure_makemore(server.base + "/names.txt", cancel=lambda: True)
    assert leftovers(cache) == []


def test_invalid_url(cache):
    with pytest.raises(DownloadError, match="not a valid URL"):
        download.ensure_makemore("nonsense-url")


def test_is_makemore_copy_knows_the_cached_file_by_any_spelling(cache, tmp_path):
    assert not download.is_makemore_copy(cache / download.MAKEMORE_FILE)  # not there yet
    cache.mkdir()
    cached = cache / download.MAKEMORE_FILE
    cached.write_bytes(NAMES)
    assert download.is_makemore_copy(cached)
    assert download.is_makemore_copy(str(cache / ".." / "cache" / download.MAKEMORE_FILE))
    twin = tmp_path / download.MAKEMORE_FILE  # same name and bytes, but not the cache
    twin.write_bytes(NAMES)
    assert not download.is_makemore_copy(twin)
    assert not download.is_makemore_copy("bundled:names.txt")
