"""Resident memory of this process, shared by the bench scripts (engine, GUI, soak)."""

from __future__ import annotations

import sys


def rss_mb() -> float:
    """Resident set size in MiB (Linux /proc; elsewhere the peak from getrusage, the best
    portable figure)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
