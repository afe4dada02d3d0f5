"""Build the bad-input corpus used by the hardening tests (issue 7).

Small files live in git under tests/data/bad/ and are (re)written by `small`. The large
ones (a 10 MB single line, a 50 MB file) and the checkpoint fakes derived from a real
checkpoint are made at test time into a temporary folder, never committed:

    python tools/make_bad_inputs.py                 # rewrite tests/data/bad/ (small files)
    python tools/make_bad_inputs.py --large DIR     # also write the large files into DIR
    python tools/make_bad_inputs.py --checkpoints DIR   # truncated / other-size / fake .npz

Every maker is deterministic (fixed content or a seeded RNG) so a failure can be replayed.
"""

from __future__ import annotations

import argparse
import json
import random
import string
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAD_DIR = ROOT / "tests" / "data" / "bad"

NAMES = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "charlotte", "amelia",
         "harper", "evelyn", "liam", "noah", "oliver", "elijah", "james", "william"]

# name -> bytes, committed under tests/data/bad/. Text files end with a newline.
SMALL: dict[str, bytes] = {
    "empty.txt": b"",
    "blank_lines.txt": b"\n   \n\t\n \r\n\n",
    "one_doc.txt": b"emma\n",
    # a PNG signature and header: NUL bytes on line 2
    "binary.bin": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06",
    # valid Latin-1, invalid UTF-8 (0xe9 = é) on line 3
    "latin1.txt": "emma\nolivia\nrenée\njosé\nzoë\n".encode("latin-1"),
    # what Windows Notepad saves as "Unicode": UTF-16 with a byte-order mark (NUL bytes)
    "utf16.txt": "\n".join(NAMES[:4]).encode("utf-16") + "\n".encode("utf-16-le"),
    # old Mac line endings (CR alone): split on newlines it is one long "name"
    "cr_only.txt": "\r".join(NAMES[:4]).encode() + b"\r",
    # a UTF-8 byte-order mark before the first name; it must not end up in "emma"
    "utf8_bom.txt": b"\xef\xbb\xbf" + "\n".join(NAMES).encode() + b"\n",
    # Windows line endings: no \r may survive in a document
    "crlf.txt": "\r\n".join(NAMES).encode() + b"\r\n",
    # any Unicode is fine: the vocabulary just grows
    "emoji_cjk.txt": "\n".join(
        ["李小龙", "さくら", "김민준", "🙂emma", "zoë", "ελένη", "олег", "🚀🚀", *NAMES]
    ).encode("utf-8") + b"\n",
    # a JSON document renamed .npz: a checkpoint loader must refuse it with a message
    "json_renamed.npz": json.dumps({"step": 10, "config": {"n_embd": 16}}).encode() + b"\n",
    # not a zip at all
    "garbage.npz": bytes(random.Random(7).randrange(256) for _ in range(512)),
    "empty.npz": b"",
}


def small(dest: Path = BAD_DIR) -> list[Path]:
    """Write the small corpus into dest; returns the paths."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for name, data in SMALL.items():
        p = dest / name
        p.write_bytes(data)
        out.append(p)
    return out


def big_line(path: Path, size: int = 10 * 1024 * 1024, with_names: bool = True) -> Path:
    """One line of `size` letters (no newline inside), optionally between normal names
    so a train/validation split is still possible."""
    rng = random.Random(1)
    letters = string.ascii_lowercase.encode()
    block = bytes(rng.choice(letters) for _ in range(1 << 16))
    with open(path, "wb") as f:
        if with_names:
            f.write("\n".join(NAMES[:8]).encode() + b"\n")
        _write_repeated(f, block, size)
        if with_names:
            f.write("\n".join(NAMES[8:]).encode() + b"\n")
    return path


def big_file(path: Path, size: int = 50 * 1024 * 1024) -> Path:
    """About `size` bytes of name-like lines (3-12 letters), seeded."""
    rng = random.Random(2)
    letters = string.ascii_lowercase
    # A pool of names repeated in a seeded order: fast to write, realistic to parse.
    pool = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 12))) for _ in range(20000)]
    chunk = ("\n".join(pool) + "\n").encode()
    with open(path, "wb") as f:
        _write_repeated(f, chunk, size)
    return path


def _write_repeated(f, block: bytes, size: int) -> None:
    """`size` bytes of `block` over and over (the last copy cut short), then a newline."""
    left = size
    while left > 0:
        piece = block[: min(left, len(block))]
        f.write(piece)
        left -= len(piece)
    f.write(b"\n")


def large(dest: Path) -> dict[str, Path]:
    dest.mkdir(parents=True, exist_ok=True)
    return {
        "big_line": big_line(dest / "big_line_10mb.txt"),
        "big_file": big_file(dest / "big_50mb.txt"),
    }


def checkpoints(dest: Path) -> dict[str, Path]:
    """Checkpoint fakes derived from real checkpoints of tiny models trained on a names
    file written into dest (so the checkpoints can reload their data):
    good (n_embd 16), other_size (n_embd 32: a valid file of another model size),
    truncated (good cut in half), spliced (other_size's arrays under good's meta: the
    weights do not fit the model the file claims), hand-edited metadata (bad_types: a
    null temperature and "no" for a switch; config_not_object; odd_extra: the GUI's
    "extra" is not an object, which is harmless), and the JSON/garbage/empty fakes."""
    import zipfile

    from engine import Trainer, load_dataset, preset

    dest.mkdir(parents=True, exist_ok=True)
    names = dest / "names.txt"
    names.write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    data = load_dataset(names)
    out: dict[str, Path] = {"names": names}
    good = Trainer(preset("optimized", backend="numpy", num_steps=10), data)
    good.step()
    out["good"] = dest / "good.npz"
    good.save(out["good"])
    other = Trainer(preset("optimized", backend="numpy", num_steps=10, n_embd=32), data)
    out["other_size"] = dest / "other_size.npz"
    other.save(out["other_size"])

    raw = out["good"].read_bytes()
    out["truncated"] = dest / "truncated.npz"
    out["truncated"].write_bytes(raw[: len(raw) // 2])

    # good's metadata (n_embd 16) with other_size's weights (n_embd 32)
    out["spliced"] = dest / "spliced.npz"
    with zipfile.ZipFile(out["good"]) as zg, zipfile.ZipFile(out["other_size"]) as zo, \
            zipfile.ZipFile(out["spliced"], "w") as zs:
        for n in zo.namelist():
            src = zg if n.startswith("meta") else zo
            zs.writestr(n, src.read(n))
    def edited(name, change):
        out[name] = dest / f"{name}.npz"
        with zipfile.ZipFile(out["good"]) as zg, zipfile.ZipFile(out[name], "w") as ze:
            for n in zg.namelist():
                data = zg.read(n)
                if n.startswith("meta"):
                    data = _npy_bytes(change(json.loads(_npy_payload(data))))
                ze.writestr(n, data)

    edited("bad_types", lambda m: {**m, "config": {
        **m["config"], "train": {**m["config"]["train"], "temperature": None},
        "model": {**m["config"]["model"], "weight_tying": "no"}}})
    edited("config_not_object", lambda m: {**m, "config": "optimized"})
    edited("odd_extra", lambda m: {**m, "extra": "zzz"})
    for name in ("json_renamed.npz", "garbage.npz", "empty.npz"):
        p = dest / name
        p.write_bytes(SMALL[name])
        out[name.split(".")[0]] = p
    return out


def _npy_payload(npy: bytes) -> bytes:
    """The raw bytes of a 1-D uint8 .npy file (the checkpoint's meta.json entry)."""
    import io

    import numpy as np

    return np.load(io.BytesIO(npy), allow_pickle=False).tobytes()


def _npy_bytes(meta: dict) -> bytes:
    import io

    import numpy as np

    buf = io.BytesIO()
    np.save(buf, np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8))
    return buf.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", metavar="DIR", type=Path, help="also write the large files here")
    ap.add_argument("--checkpoints", metavar="DIR", type=Path, help="write checkpoint fakes here")
    args = ap.parse_args(argv)
    for p in small():
        print(f"wrote {p.relative_to(ROOT)} ({p.stat().st_size} bytes)")
    if args.large:
        for p in large(args.large).values():
            print(f"wrote {p} ({p.stat().st_size:,} bytes)")
    if args.checkpoints:
        for p in checkpoints(args.checkpoints).values():
            print(f"wrote {p} ({p.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
