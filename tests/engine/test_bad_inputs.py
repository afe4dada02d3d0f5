"""Issue 7: every bad input gives a clear one-line message naming the file and the
problem (engine and CLI), never a traceback; odd-but-valid inputs load correctly.

Small inputs are committed in tests/data/bad/ (rebuilt by tools/make_bad_inputs.py);
the large ones and the checkpoint fakes are generated into tmp_path at test time.
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from engine import DataError, Trainer, load_dataset, load_docs, preset
from engine.checkpoint import CheckpointError, load_checkpoint
from tests.helpers import BAD, DOCS, ROOT, load_tool

make_bad = load_tool("make_bad_inputs")


def tiny(preset_name="optimized", **kw):
    kw.setdefault("backend", "numpy")
    return preset(preset_name, n_embd=8, n_head=2, num_steps=20, **kw)


# --- the committed corpus is what the tool writes -------------------------------------------
def test_committed_corpus_matches_the_tool():
    for name, data in make_bad.SMALL.items():
        assert (BAD / name).read_bytes() == data, f"rerun tools/make_bad_inputs.py ({name})"


# --- data files that must be refused ---------------------------------------------------------
REFUSED = {
    "empty.txt": ["is empty"],
    "blank_lines.txt": ["only blank lines"],
    "binary.bin": ["line 3", "binary"],
    "latin1.txt": ["line 3", "UTF-8"],
    # was "line 1: contains NUL bytes - this looks like a binary file"
    "utf16.txt": ["is UTF-16 text", "save the file as UTF-8"],
    # was "need at least 2 documents ..., got 1" (the whole file was one document)
    "cr_only.txt": ["carriage return (CR) inside a line, after 'emma'", "LF or CRLF"],
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_data_file_is_refused_with_file_and_reason(name):
    with pytest.raises(DataError) as e:
        load_docs(BAD / name)
    msg = str(e.value)
    assert "\n" not in msg
    assert str(BAD / name) in msg
    for part in REFUSED[name]:
        assert part in msg


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="is a directory"):
        load_docs(tmp_path)
    missing = tmp_path / "nope.txt"
    with pytest.raises(DataError, match="no such file") as e:
        load_docs(missing)
    assert str(missing) in str(e.value)


def test_one_doc_needs_no_split_but_refuses_a_split():
    assert load_docs(BAD / "one_doc.txt") == ["emma"]
    with pytest.raises(DataError, match="at least 2 documents"):
        Trainer(tiny(), load_dataset(BAD / "one_doc.txt"))
    t = Trainer(tiny("original"), load_dataset(BAD / "one_doc.txt"))  # no validation split
    assert math.isfinite(t.step().loss)


# --- odd but valid files ----------------------------------------------------------------------
def test_bom_is_not_part_of_the_first_document():
    docs = load_docs(BAD / "utf8_bom.txt")
    assert docs[0] == "emma"
    assert not any("\ufeff" in d for d in docs)
    assert docs == load_docs(BAD / "crlf.txt")


def test_crlf_leaves_no_carriage_returns():
    docs = load_docs(BAD / "crlf.txt")
    assert len(docs) == len(make_bad.NAMES)
    assert not any("\r" in d for d in docs)


def test_emoji_and_cjk_grow_the_vocabulary_and_train():
    t = Trainer(tiny(), load_dataset(BAD / "emoji_cjk.txt"))
    for ch in "李さ김🙂ëλо🚀":
        assert ch in t.tokenizer.chars
    assert all(math.isfinite(t.step().loss) for _ in range(5))
    labels = t.attention("李小龙")[1]
    assert labels[1:] == ["李", "小", "龙"]
    assert len(t.sample(3, temperature=1.0)) == 3


# --- large files ------------------------------------------------------------------------------
def test_ten_megabyte_single_line_loads_with_progress_and_trains(tmp_path):
    path = make_bad.big_line(tmp_path / "line.txt")
    seen = []
    ds = load_dataset(path, progress=lambda done, total: seen.append((done, total)))
    size = path.stat().st_size
    assert len(seen) >= 10 and seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    long_doc = max(ds.docs, key=len)
    assert len(long_doc) == 10 * 1024 * 1024
    t = Trainer(tiny("original"), ds)  # all docs train
    t.step_num = t.train_docs.index(long_doc)  # the next step trains on the 10 MB document
    stats = t.step(capture_attention=True)
    assert stats.doc is long_doc and math.isfinite(stats.loss)
    assert stats.attention.shape[-1] == t.config.model.block_size



def test_validation_reads_only_the_characters_the_model_reads(monkeypatch):
    # Training cuts each document to block_size characters before encoding it, but
    # validation and the per-position losses encoded the whole line: a 10 MB line among
    # the validation documents cost ~0.5 s and ~80 MB at every validation.
    t = Trainer(tiny(val_every=1), make_bad.NAMES)
    block = t.config.model.block_size
    long_doc = "olivia" * 2_000_000  # 12 MB of known letters
    t.val_docs = [long_doc, "emma"]
    want = t.validate()
    encoded = []
    encode = t.tokenizer.encode
    monkeypatch.setattr(t.tokenizer, "encode", lambda text: encoded.append(len(text))
                        or encode(text))
    assert t.validate() == want
    t.val_docs = [long_doc[: block + 3], "emma"]  # what the model reads is all that counts
    assert t.validate() == want
    t.train_docs = [long_doc]
    assert math.isfinite(t.step(capture_positions=True).loss)
    assert max(encoded) <= block


# The peak is VmHWM, this program's own high-water mark: getrusage's ru_maxrss also counts
# what the process held before exec, i.e. a forked copy of a big pytest process.
MEASURE = """
import sys
from engine.data import load_docs
def status(key):
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith(key)) * 1024
before = status('VmRSS')
docs = load_docs(sys.argv[1])
print(len(docs), status('VmRSS') - before, status('VmHWM') - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_fifty_megabyte_file_loads_with_bounded_memory(tmp_path):
    path = make_bad.big_file(tmp_path / "big.txt")
    size = path.stat().st_size
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120).stdout.split()
    n_docs, held, peak = map(int, out)
    assert n_docs > 4_000_000
    # One Python str per document costs ~57 bytes + its length: for ~8-letter names that is
    # ~8x the file; parsing piece by piece adds no whole-text copy on top (it was 10x).
    assert held < 10 * size, f"holds {held / size:.1f}x the file size"
    assert peak < 10 * size, f"peaks at {peak / size:.1f}x the file size"


def test_piecewise_parsing_equals_the_seed_rule(tmp_path, monkeypatch):
    # Tiny pieces put every boundary case on a piece boundary: CRLF split between pieces,
    # multi-byte characters cut in half, a BOM, blank lines, a line longer than a piece.
    import engine.data as data

    text = ("\ufeff  emma \r\n\r\n李小龙\n\n\t\nzoë\r\n" + "x" * 50 + "\n  ava\n\n \u2028 \n"
            + "🙂" * 9 + "\n")
    path = tmp_path / "t.txt"
    path.write_bytes(text.encode("utf-8"))
    expected = data.parse_docs(text[1:])
    for chunk in (1, 2, 3, 5, 7, 64, 1 << 20):
        monkeypatch.setattr(data, "CHUNK", chunk)
        assert data.load_docs(path) == expected, chunk
        assert data.read_text(path) == text[1:]


def test_carriage_returns_are_judged_the_same_in_any_piece_size(tmp_path, monkeypatch):
    # CRLF cut between two pieces is fine; a CR alone is refused wherever it falls
    import engine.data as data

    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"emma\r\nolivia\r\nava\r\n")
    lone = tmp_path / "lone.txt"
    lone.write_bytes(b"emma\r\nolivia\rava\r\nmia\r\n")
    for chunk in (1, 2, 3, 5, 6, 7, 1 << 20):
        monkeypatch.setattr(data, "CHUNK", chunk)
        assert data.load_docs(crlf) == ["emma", "olivia", "ava"], chunk
        with pytest.raises(DataError, match="carriage return .* after 'olivia'"):
            data.load_docs(lone)


# --- checkpoints ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ckpts(tmp_path_factory):
    return make_bad.checkpoints(tmp_path_factory.mktemp("ckpt"))


@pytest.mark.parametrize(
    "name, reason",
    [("truncated", "truncated"), ("spliced", "shape"), ("json_renamed", "not a microgpt"),
     ("garbage", "not a microgpt"), ("empty", "not a microgpt"),
     ("bad_types", "invalid settings in checkpoint: weight_tying must be true or false"),
     ("config_not_object", "'config' is str, not an object")],
)
def test_bad_checkpoint_is_refused(ckpts, name, reason):
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(ckpts[name])
    msg = str(e.value)
    assert str(ckpts[name]) in msg and reason in msg and "\n" not in msg


def test_checkpoint_with_a_corrupted_array_is_refused(ckpts, tmp_path):
    # A structurally valid zip whose weight bytes were damaged: the CRC check must catch it.
    bad = tmp_path / "crc.npz"
    raw = bytearray(ckpts["good"].read_bytes())
    with zipfile.ZipFile(ckpts["good"]) as z:
        info = z.getinfo("param/wte.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    raw[start:start + 8] = b"\xff" * 8
    bad.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="corrupt"):
        load_checkpoint(bad)


def test_checkpoint_directory_and_missing(tmp_path):
    with pytest.raises(CheckpointError, match="is a directory"):
        load_checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match="no such file"):
        load_checkpoint(tmp_path / "missing.npz")


def test_checkpoint_whose_extra_is_not_an_object_still_loads(ckpts):
    # "extra" is the GUI's (curves); a hand-edited one must not stop training or sampling
    t = load_checkpoint(ckpts["odd_extra"])
    assert t.checkpoint_extra == {} and t.step_num == 1


def test_checkpoint_of_another_model_size_loads_as_that_size(ckpts):
    t = load_checkpoint(ckpts["other_size"])
    assert t.config.model.n_embd == 32 and t.params["wte"].shape[1] == 32
    assert math.isfinite(t.step().loss)


# --- the CLI: exit 2, one line "microgpt: error: ...", no traceback ---------------------------
def cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def assert_cli_error(r, *parts):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("microgpt: error: ")]
    assert len(errors) == 1, r.stderr
    for part in parts:
        assert part in errors[0], errors[0]


@pytest.fixture(scope="module")
def has_cli():
    if importlib.util.find_spec("engine.cli") is None:
        pytest.fail("engine/cli.py is missing")


@pytest.mark.parametrize("name", [*sorted(REFUSED), "one_doc.txt"])
def test_cli_train_refuses_bad_data(has_cli, name):
    r = cli("train", "--data", BAD / name, "--steps", 1, "--samples", 0)
    assert_cli_error(r, name)


def test_cli_train_refuses_directory_and_missing(has_cli, tmp_path):
    assert_cli_error(cli("train", "--data", tmp_path, "--steps", 1), "directory")
    assert_cli_error(cli("train", "--data", tmp_path / "nope.txt", "--steps", 1), "nope.txt")


@pytest.mark.parametrize("name", ["utf8_bom.txt", "crlf.txt", "emoji_cjk.txt"])
def test_cli_trains_on_odd_but_valid_files(has_cli, name):
    r = cli("train", "--data", BAD / name, "--steps", 2, "--samples", 2, "--n-embd", 8,
            "--n-head", 2)
    assert r.returncode == 0, r.stderr
    assert "step    2/    2" in r.stdout or "step 2/2" in r.stdout.replace(" ", "") \
        or "2/" in r.stdout


@pytest.mark.parametrize("name", ["truncated", "spliced", "json_renamed", "garbage", "empty",
                                  "bad_types", "config_not_object"])
def test_cli_sample_refuses_bad_checkpoint(has_cli, ckpts, name):
    assert_cli_error(cli("sample", "--checkpoint", ckpts[name]), ckpts[name].name)


def test_cli_sample_refuses_missing_checkpoint_and_directory(has_cli, tmp_path):
    assert_cli_error(cli("sample", "--checkpoint", tmp_path / "x.npz"), "x.npz")
    assert_cli_error(cli("sample", "--checkpoint", tmp_path), "directory")


# --- a learning rate of 10 or 1e3 -------------------------------------------------------------
@pytest.mark.parametrize("lr", [10, 1e3])
@pytest.mark.parametrize("name", ["optimized", "original"])
def test_huge_learning_rate_is_reported_not_raised(name, lr):
    # Both backends: the numpy one stays finite but explodes; the scalar one's math.log
    # fails ("math domain error") and must come back as a NaN loss, not an exception.
    for backend in ("numpy", "reference"):
        t = Trainer(tiny(name, backend=backend, learning_rate=lr), make_bad.NAMES)
        steps = []
        for _ in range(6):
            s = t.step()
            steps.append(s.step)
            if s.diverged or s.exploded:
                break
        else:
            pytest.fail(f"{backend}: lr {lr} neither diverged nor exploded in 6 steps")
        assert steps == list(range(1, len(steps) + 1))
        t.step()  # stepping on after divergence does not raise either


def test_normal_learning_rate_never_counts_as_exploded():
    t = Trainer(tiny(), load_dataset(DOCS))
    assert not any(s.exploded or s.diverged for s in (t.step() for _ in range(20)))


def test_cli_trains_on_a_ten_megabyte_line(has_cli, tmp_path):
    path = make_bad.big_line(tmp_path / "line.txt")
    r = cli("train", "--data", path, "--steps", 20, "--samples", 1, "--quiet")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr


def test_names_the_output_encoding_cannot_show_are_escaped_not_a_traceback(has_cli):
    # Windows writes redirected output (microgpt train ... > log.txt) in the locale's
    # encoding, e.g. cp1252: the first generated name with a character it lacks was a
    # UnicodeEncodeError traceback after the whole run (exit 1).
    import os

    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    r = subprocess.run([sys.executable, "-m", "engine.cli", "train", "--data",
                        str(BAD / "emoji_cjk.txt"), "--steps", "3", "--samples", "5",
                        "--n-embd", "8", "--n-head", "2", "--temperature", "2"],
                       cwd=ROOT, capture_output=True, timeout=60, env=env)
    err = r.stderr.decode("cp1252", "replace")
    assert r.returncode == 0 and "Traceback" not in err, err
    out = r.stdout.decode("cp1252")
    assert out.count("sample ") == 5 and "\\u" in out  # e.g. 李 as \u674e
