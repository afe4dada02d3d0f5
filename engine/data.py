"""Data: a text file becomes a list of documents (one per line), and a character tokenizer.

Loading follows the seed exactly: read UTF-8, strip the whole text, split on '\\n', strip
each line, drop empty lines. Anything that would make that meaningless (no file, a
directory, binary data, not UTF-8, nothing left) raises DataError naming the file, and
where it helps, the line.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .pipe_input import open_input

BUNDLED_NAMES = "names.txt"
BOS_LABEL = "⟨BOS⟩"  # how the start/end token is shown to people
BOS_SYMBOL = "·"  # a one-character stand-in for tight spaces (heatmap axes)
CHUNK = 1 << 20  # read big files in 1 MiB pieces so progress can be reported


class DataError(ValueError):
    """A data file that cannot be used; str() is a one-line message for people."""


def bundled_path(name: str = BUNDLED_NAMES) -> Path:
    """Path of a file or folder shipped in resources/ (installed as the package
    microgpt_resources), e.g. the bundled names or the example lessons' folder."""
    try:
        candidate = Path(str(resources.files("microgpt_resources") / name))
        if candidate.exists():  # not only is_file(): "lessons" is a folder
            return candidate
    except ModuleNotFoundError:
        pass
    # Running from a source checkout without installing: resources/ beside engine/.
    return Path(__file__).resolve().parent.parent / "resources" / name


def parse_docs(text: str) -> list[str]:
    """The seed's rule: strip the text, split on newlines, strip lines, drop empty ones."""
    return [line.strip() for line in text.strip().split("\n") if line.strip()]


def _decoded_pieces(
    path: str | os.PathLike, progress: Callable[[int, int], None] | None = None
):
    """The text of a UTF-8 file, one decoded piece per CHUNK bytes, the byte-order mark
    removed, with clear errors; progress(bytes_read, total) after each piece.

    Reading piece by piece keeps every single call short: a loader thread then never
    holds the GIL (and so the GUI) for long, and no whole-file copy is ever needed."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file")
    if p.is_dir():
        raise DataError(f"{p}: is a directory, not a text file")
    try:
        total = p.stat().st_size
        decoder = codecs.getincrementaldecoder("utf-8")()
        done = 0
        line_no = 1
        at_start = True
        with open_input(p) as f:  # (a named pipe: waits for its writer, not for ever)
            while True:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                if at_start and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    raise DataError(
                        f"{p}: is UTF-16 text (what Windows calls 'Unicode') - save the "
                        "file as UTF-8"
                    )
                if b"\0" in chunk:
                    nul_line = line_no + chunk[: chunk.index(b"\0")].count(b"\n")
                    raise DataError(
                        f"{p}: line {nul_line}: contains NUL bytes - this looks like a "
                        "binary file, not text"
                    )
                # The start of a character the last read cut off is still in the decoder,
                # and an error's position counts from there, not from this chunk's start.
                pending = decoder.getstate()[0]
                try:
                    piece = decoder.decode(chunk)
                except UnicodeDecodeError as e:
                    seen = pending + chunk  # (pending holds no newline: it is not ASCII)
                    bad_line = line_no + seen[: e.start].count(b"\n")
                    raise DataError(
                        f"{p}: line {bad_line}: not valid UTF-8 (byte 0x{seen[e.start]:02x})"
                        " - save the file as UTF-8"
                    ) from None
                line_no += chunk.count(b"\n")
                done += len(chunk)
                if at_start and piece:
                    at_start = False
                    if piece.startswith("\ufeff"):  # a BOM is not part of the first name
                        piece = piece[1:]
                if progress is not None:
                    progress(done, total)
                yield piece
            try:
                yield decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise DataError(
                    f"{p}: line {line_no}: file ends inside a UTF-8 character"
                ) from None
    except PermissionError:
        raise DataError(f"{p}: permission denied") from None
    except OSError as e:
        raise DataError(f"{p}: cannot read ({e.strerror or e})") from None


def read_text(path: str | os.PathLike, progress: Callable[[int, int], None] | None = None) -> str:
    """Read a UTF-8 text file with clear errors; progress(bytes_read, total) if given."""
    return "".join(_decoded_pieces(path, progress))


def load_docs(
    path: str | os.PathLike, progress: Callable[[int, int], None] | None = None
) -> list[str]:
    """Documents of a UTF-8 text file, one per non-blank line (CRLF is fine: lines are
    stripped). The same as parse_docs(read_text(path)), but parsed piece by piece: memory
    holds the documents and one piece, never the whole text or a list of all its lines."""
    docs: list[str] = []
    partial: list[str] = []  # the line still being read, across pieces
    any_text = False
    suspect = False  # a CR that ends no CRLF was seen in a line not yet checked
    for piece in _decoded_pieces(path, progress):
        any_text = any_text or bool(piece)
        lines = piece.split("\n")
        if piece.count("\r") != piece.count("\r\n"):  # (a CRLF cut in two counts too)
            suspect = True
        if len(lines) == 1:
            partial.append(piece)
            continue
        if partial:
            partial.append(lines[0])
            lines[0] = "".join(partial)
        partial = [lines.pop()]
        new = [doc for line in lines if (doc := line.strip())]
        if suspect:  # look closer: stripped CRLF lines hold no CR, a lone CR stays inside
            _no_lone_cr(path, new)
            suspect = "\r" in partial[0]
        docs += new
    last = "".join(partial).strip()
    if last:
        _no_lone_cr(path, [last])
        docs.append(last)
    if not docs:
        what = "has only blank lines" if any_text else "is empty"
        raise DataError(f"{Path(path)}: {what} - need at least one line of text")
    return docs


def _no_lone_cr(path, docs: list[str]) -> None:
    """A carriage return inside a line: usually a file that ends its lines with CR alone
    (old Mac style), which split on newlines would be one long "name"."""
    for doc in docs:
        if "\r" in doc:
            start = doc.split("\r", 1)[0][:20]
            raise DataError(
                f"{Path(path)}: a carriage return (CR) inside a line, after {start!r} - "
                "lines must end in LF or CRLF (old Mac files end them in CR alone)"
            )


def distinct_chars(docs: list[str], batch: int = 4096) -> set[str]:
    """Every character used in docs, gathered a batch of documents at a time (short calls:
    a big data set does not stall other threads)."""
    chars: set[str] = set()
    for i in range(0, len(docs), batch):
        chars.update("".join(docs[i : i + batch]))
    return chars


@dataclass
class Dataset:
    """Documents plus where they came from (a path, or the bundled names)."""

    docs: list[str]
    source: str  # "bundled:names.txt" or a file path
    name: str
    _summary: str | None = field(default=None, init=False, repr=False, compare=False)
    _chars: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def num_chars(self) -> int:
        return sum(len(d) for d in self.docs)

    @property
    def chars(self) -> frozenset[str]:
        """Every character the documents use: the vocabulary, BOS aside (gathered once,
        with summary(): the cost estimate reads it at every edit of the controls)."""
        if self._chars is None:
            self._chars = frozenset(distinct_chars(self.docs))
        return self._chars

    def summary(self) -> str:
        """"N docs, M chars, K distinct characters" (computed once: load_dataset does it on
        the loading thread, so a GUI asking later does not stall on a big file)."""
        if self._summary is None:
            self._summary = ", ".join(counted(n, what) for n, what in (
                (len(self.docs), "doc"), (self.num_chars, "char"),
                (len(self.chars), "distinct character")))
        return self._summary


def counted(n: int, what: str) -> str:
    """'1 doc', '32,033 docs'."""
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def load_dataset(source: str | os.PathLike | None = None, progress=None) -> Dataset:
    """None or 'bundled' (or 'bundled:FILE') = the bundled names; otherwise a file path."""
    if source is None or str(source) == "bundled":
        source = f"bundled:{BUNDLED_NAMES}"
    source = str(source)
    if source.startswith("bundled:"):
        fname = source.split(":", 1)[1]
        ds = Dataset(load_docs(bundled_path(fname), progress), source, fname)
    else:
        ds = Dataset(load_docs(source, progress), source, Path(source).name)
    ds.summary()  # here, on the loading thread
    return ds


class Tokenizer:
    """Characters to ids. The seed puts BOS at id 0 and the sorted characters after it;
    Karpathy's original puts the sorted characters first and BOS last."""

    def __init__(self, chars: list[str], bos_first: bool = True):
        self.chars = list(chars)
        self.bos_first = bos_first
        self.vocab_size = len(self.chars) + 1
        self.bos_id = 0 if bos_first else len(self.chars)
        offset = 1 if bos_first else 0
        self._id = {ch: i + offset for i, ch in enumerate(self.chars)}

    @classmethod
    def from_docs(cls, docs: list[str], bos_first: bool = True) -> Tokenizer:
        return cls(sorted(distinct_chars(docs)), bos_first)

    def encode(self, text: str) -> list[int]:
        try:
            return [self._id[ch] for ch in text]
        except KeyError as e:
            raise DataError(
                f"character {e.args[0]!r} is not in the vocabulary of this dataset"
            ) from None

    def decode(self, ids) -> str:
        return "".join(self.token_str(i) for i in ids if i != self.bos_id)

    def token_str(self, i: int) -> str:
        """One token as text: its character, or BOS_LABEL."""
        if i == self.bos_id:
            return BOS_LABEL
        return self.chars[i - 1] if self.bos_first else self.chars[i]

    def labels(self) -> list[str]:
        """A label per vocabulary id, in id order."""
        return [self.token_str(i) for i in range(self.vocab_size)]

    def doc_tokens(self, doc: str) -> list[int]:
        """BOS + chars + BOS, as the seed trains on them."""
        return [self.bos_id, *self.encode(doc), self.bos_id]
