"""engine/safe_write.py: whole files or none, and special files left in place."""

from __future__ import annotations

import os
import stat

import pytest

from engine.safe_write import write_safely
from tests.helpers import through_a_pipe


class Refused(Exception):
    pass


def test_a_failed_write_leaves_the_old_file_whole_and_no_temp(tmp_path):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")

    def half(f):
        f.write(b"new, but")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_safely(target, half, Refused)
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["f.bin"]


def test_a_new_file_gets_the_usual_permissions_and_its_folder(tmp_path):
    target = tmp_path / "sub" / "f.bin"
    write_safely(target, lambda f: f.write(b"data"), Refused)
    assert target.read_bytes() == b"data"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask  # not mkstemp's 0600


def test_an_unwritable_place_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(Refused, match="cannot write"):
        write_safely(blocker / "inside.bin", lambda f: f.write(b"x"), Refused)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_written_into_not_replaced(tmp_path):
    # Stands in for /dev/null and friends (a test must never touch the real one).
    pipe, got = through_a_pipe(
        tmp_path, lambda p: write_safely(p, lambda f: f.write(b"through the pipe"), Refused))
    assert got == b"through the pipe" and stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]
