"""A training run as the Runs panel keeps it (RunRecord: its settings and curves) and the
curves CSV it is exported to and imported from.

One idea: a run's record and its file. The record goes into checkpoints (to_dict) and the
CSV is what people open in a spreadsheet, edit, and import again, so read_csv refuses
any other file with a ValueError of one line naming the file, the line, and what is wrong.
"""

from __future__ import annotations

import csv
import io
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CURVE_COLUMNS = ("step", "loss", "val_loss", "grad_norm", "lr", "ms")
# What the run list shows of a run beyond its curves, repeated on each of its rows (the
# same on all; the first one counts). Files written before these columns have none.
RUN_COLUMNS = ("preset", "changes", "run_seconds")


@dataclass
class RunRecord:
    """One training run as the run list shows it: what it was, and its curves."""

    name: str
    preset: str = ""
    changes: str = ""  # e.g. "all 14 on" / "off: div_op" (engine.ablate.describe)
    config: dict = field(default_factory=dict)  # RunConfig.to_dict()
    curves: dict[str, list[float]] = field(
        default_factory=lambda: {c: [] for c in CURVE_COLUMNS}
    )
    seconds: float = 0.0  # training wall time
    created: float = field(default_factory=time.time)

    def add(self, stats) -> None:
        """Append one StepStats (or anything with the same attributes)."""
        val = getattr(stats, "val_loss", None)
        row = (stats.step, stats.loss, math.nan if val is None else val,
               stats.grad_norm, stats.lr, stats.ms)
        for col, value in zip(CURVE_COLUMNS, row, strict=True):
            self.curves[col].append(float(value))
        self.seconds += stats.ms / 1000.0

    @property
    def steps(self) -> int:
        s = self.curves["step"]
        return int(s[-1]) if s else 0

    def final(self, column: str, window: int = 1) -> float | None:
        """Mean of the last `window` finite values of a column (None if there are none)."""
        vals = [v for v in self.curves[column] if math.isfinite(v)][-window:]
        return sum(vals) / len(vals) if vals else None

    def array(self, column: str) -> np.ndarray:
        return np.asarray(self.curves[column], dtype=np.float64)

    def to_dict(self) -> dict:
        """JSON-able (NaN becomes None) for a checkpoint's `extra`."""
        curves = {c: [None if math.isnan(v) else v for v in vals]
                  for c, vals in self.curves.items()}
        return {"name": self.name, "preset": self.preset, "changes": self.changes,
                "config": self.config, "curves": curves, "seconds": self.seconds,
                "created": self.created}

    @classmethod
    def from_dict(cls, d: dict) -> RunRecord:
        try:
            curves = {c: [math.nan if v is None else float(v) for v in d["curves"].get(c, [])]
                      for c in CURVE_COLUMNS}
            n = len(curves["step"])
            if any(len(v) != n for v in curves.values()):
                raise ValueError("curve columns have different lengths")
            return cls(name=str(d["name"]), preset=str(d.get("preset", "")),
                       changes=str(d.get("changes", "")), config=dict(d.get("config", {})),
                       curves=curves, seconds=float(d.get("seconds", 0.0)),
                       created=float(d.get("created", time.time())))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ValueError(f"not a valid run record: {e}") from None


# --- the curves CSV -----------------------------------------------------------------------


def write_csv(path, runs: list[RunRecord]) -> None:
    """Curves of one or more runs as CSV: a leading `run` column says which row belongs
    to which run, and keeps a run's name even when it is the only one (without it an
    import named the run after the file); then the curves, then on every row its run's
    RUN_COLUMNS. repr() of floats round-trips exactly."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["run"] + list(CURVE_COLUMNS) + list(RUN_COLUMNS))
        for run in runs:
            cols = [run.curves[c] for c in CURVE_COLUMNS]
            about = [run.preset, run.changes, repr(float(run.seconds))]
            for row in zip(*cols, strict=True):
                # repr(float(v)): exact, and plain even for NumPy scalars (NumPy 2's repr
                # of a float64 is "np.float64(1.0)", which no reader takes for a number).
                cells = [str(int(row[0]))] + ["" if math.isnan(v) else repr(float(v))
                                              for v in row[1:]]
                w.writerow([run.name] + cells + about)


# First bytes of files people pick by mistake, and what to call them.
MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
         (b"GIF8", "a GIF image"), (b"%PDF", "a PDF document"), (b"<svg", "an SVG image"),
         (b"<?xml", "an XML file (an SVG image?)"), (b"\x1f\x8b", "a gzip archive"),
         (b"\xd0\xcf\x11\xe0", "an old Excel or Word file (.xls/.doc)"),
         (b"SQLite format", "an SQLite database"))
ZIP_KINDS = {".npz": "a microgpt checkpoint (.npz): open it with File ▸ Open checkpoint",
             ".xlsx": "an Excel workbook: save it from Excel as CSV first",
             ".ods": "a spreadsheet: save it as CSV first"}


def _not_text(p: Path, head: bytes) -> str | None:
    """What a file that is not UTF-8 text looks like ('' unknown), or None if it may be
    text."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        return ZIP_KINDS.get(p.suffix.lower(), "a ZIP archive")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text: save it as UTF-8 (\"CSV UTF-8\")"
    if b"\x00" in head:
        return ""
    return None


def _cell(p: Path, line_no: int, col: str, cell: str) -> float | str:
    where = f"{p.name}, line {line_no}: column '{col}'"
    text = cell.strip()
    if col == "step":
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value.is_integer()):
            got = f"got {cell!r}" if text else "got nothing"
            raise ValueError(f"{where} must be a whole number, {got}")
        return value
    if col in ("preset", "changes"):
        return text
    if not text:
        return math.nan  # no value at this step (validation runs every few steps)
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where} must be a number, got {cell!r}") from None
    if col == "run_seconds" and not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{where} must be a number of seconds, 0 or more, got {cell!r}")
    return value


HEAD_BYTES = 1 << 16  # read_csv checks the header in this much of the file first


def _check_start(p: Path, head: bytes, more: bool) -> None:
    """ValueError if the first bytes of a file already show it is no curves CSV (not
    text, or a first line that is not the header). more: the file goes on after head."""
    kind = _not_text(p, head[:512])
    if kind is not None:
        raise ValueError(f"{p.name}: not a CSV text file" + (f" (it looks like {kind})"
                                                             if kind else ""))
    if more:  # only whole lines: the last one may be cut
        head = head[: head.rfind(b"\n") + 1]
    text = head.decode("utf-8-sig", errors="replace")  # bad bytes: reported with the line
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if any(c.strip() for c in row):
                _check_header(p, reader.line_num, row)
                return
    except csv.Error:
        return  # the full parse reports it, with its line


def _check_header(p: Path, header_line: int, header: list[str]):
    """(header, multi, where) of a valid header row, else ValueError. where: column name
    -> its index. The columns may come in any order (a spreadsheet may have moved them):
    every curve column once, `run` (older one-run files lack it) and RUN_COLUMNS optional."""
    header = [h.strip() for h in header]
    where = {col: i for i, col in enumerate(header)}
    if not set(CURVE_COLUMNS) <= set(header):
        if header[0].startswith("{"):
            raise ValueError(f"{p.name}: not a curves CSV (it looks like JSON: a lesson "
                             "file or a `microgpt train --jsonl` log?)")
        if len(header) == 1 and header[0]:
            raise ValueError(f"{p.name}: not a curves CSV (it looks like a list of names: "
                             "open a dataset with File ▸ Open)")
        got = ", ".join(header)[:80] if any(header) else "an empty line"
        raise ValueError(f"{p.name}, line {header_line}: not a curves CSV: expected the columns "
                         f"{', '.join(CURVE_COLUMNS)} (with 'run' first for several "
                         f"runs), got {got}")
    for i, col in enumerate(header):
        if col not in CURVE_COLUMNS and col not in RUN_COLUMNS and col != "run":
            raise ValueError(f"{p.name}, line {header_line}: unknown column {col!r} (the "
                             f"columns may be run, {', '.join(CURVE_COLUMNS)}, "
                             f"{', '.join(RUN_COLUMNS)})")
        if col in header[:i]:
            raise ValueError(f"{p.name}, line {header_line}: column {col!r} appears twice")
    return header, "run" in where, where


def read_csv(path, default_name: str | None = None) -> list[RunRecord]:
    """Inverse of write_csv (the Runs panel's and File ▸ Export's curves, of one run or
    of several). Raises ValueError with one line naming the file, the line if one is at
    fault, and what is wrong with it.

    Rows of several runs are told apart by the `run` column; there a run name that comes
    back after another, or steps that start over, begin a new run (names need not be
    unique: runs can be renamed, and imported runs keep theirs). The `run` column and the
    RUN_COLUMNS are optional: an older file without `run` (one run) is named
    default_name or after the file; one without RUN_COLUMNS imports with an empty preset
    and changes, and the time summed from the `ms` column."""
    p = Path(path)
    name = default_name or p.stem
    try:
        with p.open("rb") as f:
            # The header first: a big file that is not a curves CSV (a 50 MB log) is
            # refused after one small read, not after reading and parsing all of it.
            head = f.read(HEAD_BYTES)
            _check_start(p, head, more=bool(head) and len(head) == HEAD_BYTES)
            data = head + f.read()
    except FileNotFoundError:
        raise ValueError(f"{p.name}: no such file (in {p.parent})") from None
    except IsADirectoryError:
        raise ValueError(f"{p.name}: is a folder, not a CSV file") from None
    except PermissionError:
        raise ValueError(f"{p.name}: cannot read it: permission denied") from None
    except OSError as e:
        raise ValueError(f"{p.name}: cannot read it: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as e:
        line_no = data.count(b"\n", 0, e.start) + 1
        raise ValueError(f"{p.name}, line {line_no}: not UTF-8 text (byte "
                         f"0x{data[e.start]:02x}): save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:  # (line number, cells) of the rows with something in them
        rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except csv.Error as e:
        raise ValueError(f"{p.name}, line {reader.line_num}: not valid CSV ({e})") from None
    if not rows:
        raise ValueError(f"{p.name}: the file is empty")
    header_line, header = rows[0]
    header, multi, where = _check_header(p, header_line, header)
    about = [col for col in RUN_COLUMNS if col in where]
    records: list[RunRecord] = []
    rec, last_step = None, -math.inf
    for line_no, row in rows[1:]:
        if len(row) != len(header):
            raise ValueError(f"{p.name}, line {line_no}: expected {len(header)} fields "
                             f"({', '.join(header)}), got {len(row)}")
        run_name = row[where["run"]] if multi else name
        values = [_cell(p, line_no, col, row[where[col]]) for col in CURVE_COLUMNS]
        info = {col: _cell(p, line_no, col, row[where[col]]) for col in about}
        if rec is None or (multi and (rec.name != run_name or values[0] <= last_step)):
            rec = RunRecord(run_name, preset=info.get("preset", ""),
                            changes=info.get("changes", ""),
                            seconds=info.get("run_seconds", math.nan))
            records.append(rec)
        last_step = values[0]
        for col, value in zip(CURVE_COLUMNS, values, strict=True):
            rec.curves[col].append(value)
    if not records:
        raise ValueError(f"{p.name}: no curve rows after the header")
    for rec in records:
        if math.isnan(rec.seconds):  # no run_seconds (an older file): the steps' times
            rec.seconds = sum(v for v in rec.curves["ms"] if math.isfinite(v)) / 1000.0
    return records
