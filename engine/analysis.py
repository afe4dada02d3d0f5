"""Analysis helpers, Qt-free: PCA of the token embeddings, run records with CSV
export/import of their curves, and a memory-bounded time-lapse of snapshots.

The GUI draws these; the CLI and tests use them directly.
"""

from __future__ import annotations

import csv
import io
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CURVE_COLUMNS = ("step", "loss", "val_loss", "grad_norm", "lr", "ms")
# What the run list shows of a run beyond its curves, repeated on each of its rows (the
# same on all; the first one counts). Files written before these columns have none.
RUN_COLUMNS = ("preset", "changes", "run_seconds")
VOWELS = frozenset("aeiouyAEIOUYàáâäèéêëìíîïòóôöùúûüÿ")


# --- embeddings ---------------------------------------------------------------------------


def pca_2d(matrix: np.ndarray) -> np.ndarray:
    """Rows of `matrix` projected on its two principal axes, [rows, 2].

    The sign of an SVD axis is arbitrary, so each axis is flipped to make its largest
    loading positive: without that, a live view would mirror itself between frames.
    Fewer than two usable axes (a 1-wide matrix, identical rows) leave zeros there.
    """
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {x.shape}")
    out = np.zeros((x.shape[0], 2))
    if x.shape[0] < 2 or not np.all(np.isfinite(x)):
        return out
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    for i in range(min(2, len(s))):
        if s[i] <= 1e-12 * max(s[0], 1e-300):
            break
        axis = vt[i]
        if axis[np.argmax(np.abs(axis))] < 0:
            axis = -axis
        out[:, i] = centred @ axis
    return out


def is_vowel(label: str) -> bool:
    return len(label) == 1 and label in VOWELS


# --- run records --------------------------------------------------------------------------


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


def write_csv(path, runs: list[RunRecord]) -> None:
    """Curves of one or more runs as CSV, then on every row its run's RUN_COLUMNS. With
    several runs a leading `run` column says which row belongs to which; repr() of
    floats round-trips exactly."""
    multi = len(runs) > 1
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow((["run"] if multi else []) + list(CURVE_COLUMNS) + list(RUN_COLUMNS))
        for run in runs:
            cols = [run.curves[c] for c in CURVE_COLUMNS]
            about = [run.preset, run.changes, repr(float(run.seconds))]
            for row in zip(*cols, strict=True):
                cells = [str(int(row[0]))] + ["" if math.isnan(v) else repr(v) for v in row[1:]]
                w.writerow(([run.name] if multi else []) + cells + about)


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
    every curve column once, `run` (several runs) and RUN_COLUMNS optional."""
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
    unique: runs can be renamed, and imported runs keep theirs). The RUN_COLUMNS after
    the curves are optional: files written before them import with an empty preset and
    changes, and the time summed from the `ms` column."""
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


# --- time-lapse ---------------------------------------------------------------------------


@dataclass
class Snapshot:
    """What the model looked like at one step: small enough to keep dozens."""

    step: int
    loss: float | None
    attention: np.ndarray | None  # [L, H, T, T] for the probe word
    attention_labels: list[str]
    embedding: np.ndarray  # [vocab, 2] PCA projection of wte
    vocab_labels: list[str]
    samples: list[str]


def fast_view(trainer):
    """An Inference on the trainer's live weights computed by the numpy backend, which
    gives the reference backend's numbers ~50x faster: looking must not slow training."""
    from .backends import make_backend
    from .sampling import Inference

    backend = trainer.backend
    if getattr(backend, "name", "") != "numpy":
        backend = make_backend("numpy", trainer.config.model, trainer.config.train)
    return Inference(trainer.config, trainer.tokenizer, backend, trainer.params)


def affordable_samples(inference, wanted: int, budget_s: float) -> int:
    """How many names fit in budget_s seconds, at worst (every name block_size long).
    Sampling recomputes the whole prefix per token, so a big model can need seconds per
    name: a snapshot must never cost many training steps."""
    block = inference.cfg.model.block_size
    t0 = time.perf_counter()
    inference.next_logits([inference.tokenizer.bos_id] * block)
    per_name = (time.perf_counter() - t0) * block
    return min(wanted, int(budget_s / per_name)) if per_name > 0 else wanted


def take_snapshot(inference, step: int, probe: str, n_samples: int = 5, seed: int = 1234,
                  loss: float | None = None, cancelled=None,
                  budget_s: float | None = None) -> Snapshot:
    """Capture a snapshot from an engine.sampling.Inference (a frozen copy of weights).
    Samples use their own Random(seed): the same draws every time, so differences between
    snapshots come from the weights alone, and the training RNG is never touched.
    cancelled(): checked between samples, so a closing app need not wait for all.
    budget_s: fewer samples (maybe none) when the model is too big to sample quickly."""
    tok = inference.tokenizer
    labels = tok.labels()
    attention, att_labels = (None, [])
    if probe:
        try:
            attention, att_labels = inference.attention(probe)
        except (KeyError, ValueError):  # characters the vocabulary lacks: no heatmap
            attention, att_labels = None, []
    if budget_s is not None and n_samples:
        n_samples = affordable_samples(inference, n_samples, budget_s)
    rng = random.Random(seed)
    samples = []
    for _ in range(n_samples):
        if cancelled is not None and cancelled():
            break
        samples.extend(inference.sample(1, rng=rng))
    return Snapshot(step=step, loss=loss, attention=attention, attention_labels=att_labels,
                    embedding=pca_2d(inference.params["wte"]), vocab_labels=labels,
                    samples=samples)


# A "negative" keeps a copy of the weights (num_params floats) instead of the pictures;
# up to this many parameters that is cheap to keep dozens of (0.4 MB each at most).
NEGATIVE_MAX_PARAMS = 50_000


@dataclass
class Negative:
    """The weights at one step, to be developed into a Snapshot only when someone looks.

    Taking one costs a copy of the weights (microseconds at the default size), where a
    developed Snapshot costs a few milliseconds of sampling: at full speed early in a run
    the time-lapse asks for dozens a second, and that time would come out of training
    (one GIL). Only small models get negatives (see NEGATIVE_MAX_PARAMS): a big model's
    steps are slow anyway, and its weights too big to keep dozens of copies."""

    step: int
    loss: float | None
    view: object  # engine.sampling.Inference on a private copy of the weights
    probe: str
    options: dict = field(default_factory=dict)  # take_snapshot's keyword arguments

    def develop(self) -> Snapshot:
        return take_snapshot(self.view, self.step, self.probe, loss=self.loss, **self.options)


def negative(trainer, probe: str, **options) -> Negative | None:
    """A Negative of the trainer now, or None if the model is too big to keep copies of."""
    if trainer.num_params > NEGATIVE_MAX_PARAMS:
        return None
    from .sampling import Inference

    view = fast_view(trainer)
    params = {k: p.copy() for k, p in trainer.params.items()}
    frozen = Inference(trainer.config.copy(), trainer.tokenizer, view.backend, params)
    return Negative(trainer.step_num, trainer.last_val_loss, frozen, probe, options)


class TimeLapse:
    """Snapshots every `every` steps, at most `capacity` of them.

    When full, every other snapshot is dropped (the first and the newest survive) and the
    interval doubles, so the kept ones stay evenly spread over the whole run and memory
    stays bounded however long training goes on. Entries may be Negatives (developed by
    at()) or Snapshots; both have .step.
    """

    def __init__(self, every: int = 10, capacity: int = 64):
        if every <= 0 or capacity < 2:
            raise ValueError("time-lapse needs every >= 1 and capacity >= 2")
        self.base_every = every
        self.every = every
        self.capacity = capacity
        self.snapshots: list[Snapshot] = []

    def __len__(self) -> int:
        return len(self.snapshots)

    def clear(self) -> None:
        self.snapshots.clear()
        self.every = self.base_every

    def due(self, step: int) -> bool:
        """True if a snapshot should be taken now, at step `step`: `every` steps after the
        last one. Counted from the last snapshot rather than step % every, because the
        GUI sees steps in batches and may never see the exact multiple."""
        return not self.snapshots or step >= self.snapshots[-1].step + self.every

    def add(self, snap: Snapshot) -> None:
        if self.snapshots and snap.step <= self.snapshots[-1].step:
            # Going back (e.g. a reset) starts a new history rather than a jumbled one.
            self.clear()
        self.snapshots.append(snap)
        if len(self.snapshots) > self.capacity:
            newest = self.snapshots[-1]
            kept = self.snapshots[:-1:2]
            self.snapshots = kept + [newest]
            self.every *= 2

    def at(self, index: int) -> Snapshot:
        """The snapshot at index, developed now if it was kept as a Negative."""
        snap = self.snapshots[index]
        if isinstance(snap, Negative):
            snap = self.snapshots[index] = snap.develop()
        return snap

    def steps(self) -> list[int]:
        return [s.step for s in self.snapshots]
