"""Karpathy's makemore names.txt, downloaded on request into a per-user cache, once.

The seed script downloads this file on its first run. The app never needs it (it ships
its own names), but a user who wants the seed's exact data can ask for it: the CLI with
`--data makemore`, the GUI from a worker thread. urllib only, so no extra dependency.

Where: $MICROGPT_CACHE_DIR, else $XDG_CACHE_HOME/microgpt, else ~/.cache/microgpt.
From:  MAKEMORE_URL, or $MICROGPT_MAKEMORE_URL (tests serve a file on 127.0.0.1).

The file appears in the cache only complete: it is written to a temporary file in the
same directory and renamed over the final name (atomic on POSIX and Windows), so an
interrupted download never leaves half a dataset that later runs would trust.
"""

from __future__ import annotations

import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from .data import DataError

MAKEMORE_URL = "https://raw.githubusercontent.com/karpathy/makemore/master/names.txt"
MAKEMORE_FILE = "makemore-names.txt"
MAKEMORE = "makemore"  # how --data and lesson files name it: portable, unlike the cache path
ENV_CACHE_DIR = "MICROGPT_CACHE_DIR"
ENV_MAKEMORE_URL = "MICROGPT_MAKEMORE_URL"
CHUNK = 64 * 1024
TIMEOUT = 20.0  # seconds without an answer before we call the server unreachable
MAX_BYTES = 64 << 20  # a names list is ~230 kB; anything huge is not what we asked for

Progress = Callable[[int, int], None]  # (bytes so far, total bytes or -1 if unknown)


class DownloadError(DataError):
    """The file could not be fetched; str() is one line saying why and what to do."""


class DownloadCancelled(DownloadError):
    """cancel() returned True; nothing was written to the cache."""


def cache_dir(override: str | os.PathLike | None = None) -> Path:
    """The per-user cache directory (not created here)."""
    if override:
        return Path(override)
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "microgpt"


def makemore_path(cache: str | os.PathLike | None = None) -> Path:
    """Where the makemore file is (or will be) cached."""
    return cache_dir(cache) / MAKEMORE_FILE


def is_cached(cache: str | os.PathLike | None = None) -> bool:
    return makemore_path(cache).is_file()


def is_makemore_copy(path: str | os.PathLike, cache: str | os.PathLike | None = None) -> bool:
    """path is this machine's cached makemore file (however it was opened), so whatever
    records it can say "makemore" instead of a per-user path another machine lacks."""
    try:
        return os.path.samefile(path, makemore_path(cache))
    except (OSError, ValueError):  # either file missing, or a path that is no path
        return False


def ensure_makemore(
    url: str | None = None,
    cache: str | os.PathLike | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Path:
    """Path of the cached makemore names.txt, downloading it first if it is not there.

    Blocking; safe to call from a worker thread (the GUI's): it touches no shared state
    except the cache file, which only ever appears complete. progress(done, total) is
    called from the calling thread after every chunk; cancel() is polled as often, and
    returning True stops the download with DownloadCancelled.
    """
    dest = makemore_path(cache)
    if dest.is_file():
        return dest
    url = url or os.environ.get(ENV_MAKEMORE_URL) or MAKEMORE_URL
    return download(url, dest, progress, cancel)


def download(
    url: str,
    dest: str | os.PathLike,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    timeout: float = TIMEOUT,
) -> Path:
    """Fetch url into dest atomically (temp file in dest's directory, then rename)."""
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        msg = f"{dest.parent}: cannot create the cache directory ({e.strerror})"
        raise DownloadError(msg) from None
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            _copy(url, out, progress, cancel, timeout)
            out.flush()
            os.fsync(out.fileno())
        _check_text(url, tmp)
        os.replace(tmp, dest)
    except BaseException:  # incl. KeyboardInterrupt: never leave a .part file behind
        tmp.unlink(missing_ok=True)
        raise
    return dest


def _copy(url, out, progress, cancel, timeout) -> None:
    """Stream url into the open file out; every failure becomes one DownloadError line."""
    if not url.startswith(("http://", "https://")):
        raise DownloadError(f"{url}: not a valid URL (need http:// or https://)")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "microgpt-gui"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else -1
            done = 0
            if progress is not None:
                progress(0, total)
            while True:
                if cancel is not None and cancel():
                    raise DownloadCancelled(f"download of {url} cancelled")
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                done += len(chunk)
                if done > MAX_BYTES:
                    raise DownloadError(f"{url}: more than {MAX_BYTES >> 20} MB - not a names list")
                out.write(chunk)
                if progress is not None:
                    progress(done, total)
            if total >= 0 and done != total:
                raise DownloadError(
                    f"{url}: connection closed after {done} of {total} bytes - try again"
                )
    except urllib.error.HTTPError as e:
        raise DownloadError(f"{url}: server answered {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise DownloadError(_offline(url, e.reason)) from None
    except TimeoutError:  # a read that stalls after the connection was made
        raise DownloadError(_offline(url, "timed out")) from None
    except http.client.HTTPException as e:  # e.g. IncompleteRead: the body was cut short
        raise DownloadError(f"{url}: broken reply ({type(e).__name__}) - try again") from None
    except OSError as e:  # connection reset, DNS failure outside URLError, ...
        raise DownloadError(_offline(url, e.strerror or e)) from None
    except DownloadError:
        raise
    except ValueError as e:  # urllib's "unknown url type" and friends
        raise DownloadError(f"{url}: not a valid URL ({e})") from None


def _offline(url: str, reason) -> str:
    return (
        f"cannot download {url} ({reason}) - are you offline? Download it yourself and "
        "pass the file with --data FILE, or use the bundled names"
    )


def _check_text(url: str, path: Path) -> None:
    """Refuse what cannot be a names list (an empty reply, an HTML error page, binary)."""
    data = path.read_bytes()
    if not data.strip():
        raise DownloadError(f"{url}: the server sent an empty file")
    if b"\0" in data:
        raise DownloadError(f"{url}: the server sent binary data, not a names list")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise DownloadError(f"{url}: the server sent a web page, not a names list")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise DownloadError(f"{url}: the server sent text that is not UTF-8") from None
