"""Reading an input that may be a pipe: `--data <(zcat names.gz)`, a mkfifo path.

A pipe can be read once, from the start, and opening one waits until something opens
it for writing - for ever if nothing does. So a named pipe is opened without waiting,
and if no program writes into it within PIPE_WAIT_S the read fails with a one-line
OSError (the callers name the file); once a writer is there it is read like a file.
Checkpoints are read twice (`train --resume` looks at the settings first) and by
seeking (a zip archive): a piped one is read into memory once (read_once).
"""

from __future__ import annotations

import io
import os
import stat
import time

PIPE_WAIT_S = 10.0  # how long a named pipe may stay without a writer
_POLL_S = 0.02
_READ_ONCE: dict[str, bytes] = {}  # piped inputs already read, by name


def is_pipe(path) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


class NoWriter(OSError):
    """A named pipe nothing wrote into in time."""


class _PipeRaw(io.RawIOBase):
    """The pipe's descriptor, first the bytes read while waiting for the writer."""

    def __init__(self, fd: int, first: bytes):
        super().__init__()
        self._fd, self._first = fd, first

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._first:
            n = min(len(buffer), len(self._first))
            buffer[:n], self._first = self._first[:n], self._first[n:]
            return n
        data = os.read(self._fd, len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def open_input(path, wait_s: float | None = None):
    """A binary file object for reading `path`: open() for anything but a named pipe."""
    if not is_pipe(path) or not hasattr(os, "O_NONBLOCK"):
        return open(path, "rb")
    wait_s = PIPE_WAIT_S if wait_s is None else wait_s
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # does not wait for a writer
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                first = os.read(fd, 1 << 16)
            except BlockingIOError:  # a writer is there, with nothing to say yet
                first = b""
                break
            if first:
                break
            # b"": no writer yet (or one that closed without writing anything)
            if time.monotonic() >= deadline:
                raise NoWriter(0, f"a named pipe that nothing wrote into within "
                               f"{wait_s:g} s: start the program that writes it first, "
                               "or give a file")
            time.sleep(_POLL_S)
        os.set_blocking(fd, True)  # from here a writer is there: read as a file
        return io.BufferedReader(_PipeRaw(fd, first))
    except BaseException:
        os.close(fd)
        raise


def read_once(path):
    """What to give np.load / zipfile: the path of a file, or the bytes of a pipe as a
    BytesIO, read from it once per process (OSError if it cannot be read)."""
    if not is_pipe(path):
        return path
    key = os.path.abspath(path)
    if key not in _READ_ONCE:
        with open_input(path) as f:
            _READ_ONCE[key] = f.read()
    return io.BytesIO(_READ_ONCE[key])
