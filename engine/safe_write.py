"""Write a file so that a crash or a full disk never leaves half of it behind.

The content goes to a temp file beside the target, which then replaces it in one rename:
the old file stays whole until the new one is. Two exceptions:
- an existing special file (a device such as /dev/null, a named pipe, /dev/stdout) is
  written into as it is: a rename would replace it with a regular file (run as root,
  that destroys the machine's /dev/null) or fail for want of a writable /dev;
- the temp file gets the permissions of any other new file (mkstemp's are 0600).
Used by checkpoints (engine/checkpoint.py) and lesson files (microgpt_gui/lesson.py).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_safely(path, write: Callable[[BinaryIO], None], error: type[Exception]) -> None:
    """write(f) into path (creating its folder); an OSError becomes error('path: cannot
    write (reason)'). Any other exception from write() leaves no temp file and no change."""
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        try:
            with open(path, "wb") as f:
                write(f)
        except OSError as e:
            raise error(f"{path}: cannot write ({e.strerror or e})") from None
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise error(f"{path}: cannot write ({e.strerror or e})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise error(f"{path}: cannot write ({e.strerror or e})") from None
        raise
