"""Files the window opens must be files on disk, not named pipes or devices.

Reading a named pipe waits until something writes to it, forever if nothing does (with
no writer even open() waits), and a device such as /dev/zero never ends. The readers of
lessons and runs CSVs run on the GUI thread (the window froze), the checkpoint reader
on the training thread (training never came back), the data loader on a thread of its
own (loading for ever). So these are refused before anything reads them.
"""

from __future__ import annotations

import os
import stat


def special_file_problem(path) -> str:
    """Why `path` cannot be opened as a file ("" for a regular file, a folder or a path
    that does not exist: the readers explain those themselves)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # missing, unreadable, or a name with a NUL in it
        return ""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return ""
    if stat.S_ISFIFO(mode):
        kind = "a named pipe"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "not a regular file"
    return f"{path}: {kind}, not a file saved on disk (reading it could wait for ever)"
