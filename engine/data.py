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
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

BUNDLED_NAMES = "names.txt"
BOS_LABEL = "⟨BOS⟩"  # how the start/end token is shown to people
BOS_SYMBOL = "·"  # a one-character stand-in for tight spaces (heatmap axes)
CHUNK = 1 << 20  # read big files in 1 MiB pieces so progress can be reported


class DataError(ValueError):
    """A data file that cannot be used; str() is a one-line message for people."""


def bundled_path(name: str = BUNDLED_NAMES) -> Path:
    """Path of a file shipped in resources/ (installed as the package microgpt_resources)."""
    try:
        candidate = Path(str(resources.files("microgpt_resources") / name))
        if candidate.is_file():
            return candidate
    except ModuleNotFoundError:
        pass
    # Running from a source checkout without installing: resources/ beside engine/.
    return Path(__file__).resolve().parent.parent / "resources" / name


def parse_docs(text: str) -> list[str]:
    """The seed's rule: strip the text, split on newlines, strip lines, drop empty ones."""
    return [line.strip() for line in text.strip().split("\n") if line.strip()]


def read_text(path: str | os.PathLike, progress: Callable[[int, int], None] | None = None) -> str:
    """Read a UTF-8 text file with clear errors; progress(bytes_read, total) if given."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file")
    if p.is_dir():
        raise DataError(f"{p}: is a directory, not a text file")
    try:
        total = p.stat().st_size
        decoder = codecs.getincrementaldecoder("utf-8")()
        parts: list[str] = []
        done = 0
        line_no = 1
        with open(p, "rb") as f:
            while True:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                if b"\0" in chunk:
                    nul_line = line_no + chunk[: chunk.index(b"\0")].count(b"\n")
                    raise DataError(
                        f"{p}: line {nul_line}: contains NUL bytes - this looks like a "
                        "binary file, not text"
                    )
                try:
                    parts.append(decoder.decode(chunk))
                except UnicodeDecodeError as e:
                    bad_line = line_no + chunk[: e.start].count(b"\n")
                    raise DataError(
                        f"{p}: line {bad_line}: not valid UTF-8 (byte 0x{chunk[e.start]:02x})"
                        " - save the file as UTF-8"
                    ) from None
                line_no += chunk.count(b"\n")
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
            try:
                parts.append(decoder.decode(b"", final=True))
            except UnicodeDecodeError:
                raise DataError(
                    f"{p}: line {line_no}: file ends inside a UTF-8 character"
                ) from None
    except PermissionError:
        raise DataError(f"{p}: permission denied") from None
    except OSError as e:
        raise DataError(f"{p}: cannot read ({e.strerror or e})") from None
    text = "".join(parts)
    if text.startswith("\ufeff"):  # a UTF-8 byte-order mark is not part of the first name
        text = text[1:]
    return text


def load_docs(
    path: str | os.PathLike, progress: Callable[[int, int], None] | None = None
) -> list[str]:
    """Documents of a UTF-8 text file, one per non-blank line (CRLF is fine: lines are
    stripped)."""
    text = read_text(path, progress)
    if not text.strip():
        what = "is empty" if not text else "has only blank lines"
        raise DataError(f"{Path(path)}: {what} - need at least one line of text")
    return parse_docs(text)


@dataclass
class Dataset:
    """Documents plus where they came from (a path, or the bundled names)."""

    docs: list[str]
    source: str  # "bundled:names.txt" or a file path
    name: str

    @property
    def num_chars(self) -> int:
        return sum(len(d) for d in self.docs)

    def summary(self) -> str:
        chars = len(set("".join(self.docs)))
        return f"{len(self.docs):,} docs, {self.num_chars:,} chars, {chars} distinct characters"


def load_dataset(source: str | os.PathLike | None = None, progress=None) -> Dataset:
    """None or 'bundled' (or 'bundled:FILE') = the bundled names; otherwise a file path."""
    if source is None or str(source) == "bundled":
        source = f"bundled:{BUNDLED_NAMES}"
    source = str(source)
    if source.startswith("bundled:"):
        fname = source.split(":", 1)[1]
        return Dataset(load_docs(bundled_path(fname), progress), source, fname)
    return Dataset(load_docs(source, progress), source, Path(source).name)


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
        return cls(sorted(set("".join(docs))), bos_first)

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
