"""engine.data: every DataError case, the seed's line rules, the tokenizer, bundled names."""

from __future__ import annotations

import re

import pytest

from engine import data
from engine.config import preset
from engine.data import DataError, Tokenizer, load_dataset, load_docs, parse_docs, read_text
from engine.trainer import Trainer, split_docs


def write(tmp_path, content: bytes, name="docs.txt"):
    p = tmp_path / name
    p.write_bytes(content)
    return p


# --- errors ---------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"missing\.txt: no such file"):
        load_docs(tmp_path / "missing.txt")


def test_directory(tmp_path):
    with pytest.raises(DataError, match="is a directory"):
        load_docs(tmp_path)


def test_empty_file(tmp_path):
    with pytest.raises(DataError, match=r"docs\.txt: is empty"):
        load_docs(write(tmp_path, b""))


@pytest.mark.parametrize("content", [b"\n", b"  \n\t\n\r\n   ", b"\r\n\r\n"])
def test_blank_lines_only(tmp_path, content):
    with pytest.raises(DataError, match="only blank lines"):
        load_docs(write(tmp_path, content))


def test_nul_bytes_name_the_line(tmp_path):
    with pytest.raises(DataError, match=r"docs\.txt: line 3: contains NUL bytes"):
        load_docs(write(tmp_path, b"emma\nava\nmi\0a\n"))


def test_latin1_names_the_line_and_byte(tmp_path):
    with pytest.raises(DataError) as e:
        load_docs(write(tmp_path, "emma\nava\nchloé\n".encode("latin-1")))
    assert re.search(r"docs\.txt: line 3: not valid UTF-8 \(byte 0xe9\)", str(e.value))
    assert "\n" not in str(e.value)


def test_line_numbers_stay_right_across_read_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CHUNK", 5)  # many tiny chunks instead of 1 MiB ones
    p = write(tmp_path, b"emma\nava\nmia\nzoe\nchlo\xe9\n")
    with pytest.raises(DataError, match="line 5: not valid UTF-8"):
        load_docs(p)
    p = write(tmp_path, b"emma\nava\nmia\nzoe\nchl\0e\n")
    with pytest.raises(DataError, match="line 5: contains NUL"):
        load_docs(p)
    # a multi-byte character split between two chunks is fine
    p = write(tmp_path, "emma\nzoë\nrenée\n".encode())
    assert load_docs(p) == ["emma", "zoë", "renée"]


def test_file_ending_inside_a_character(tmp_path):
    with pytest.raises(DataError, match="line 2: file ends inside a UTF-8 character"):
        load_docs(write(tmp_path, b"emma\nzo\xc3"))


# --- what is accepted -------------------------------------------------------------------


def test_seed_rules_strip_and_drop_empty_lines():
    assert parse_docs("\n\n  emma \n\nava\n  \n mary ann\n\n") == ["emma", "ava", "mary ann"]


def test_utf8_bom_is_stripped(tmp_path):
    assert load_docs(write(tmp_path, b"\xef\xbb\xbfemma\nava\n")) == ["emma", "ava"]


def test_crlf_equals_lf(tmp_path):
    crlf = load_docs(write(tmp_path, b"emma\r\nava\r\nmia\r\n", "crlf.txt"))
    lf = load_docs(write(tmp_path, b"emma\nava\nmia\n", "lf.txt"))
    assert crlf == lf == ["emma", "ava", "mia"]


def test_unicode_and_emoji_grow_the_vocabulary(tmp_path):
    docs = load_docs(write(tmp_path, "zoë\n李娜\nrenée\nana🙂\n".encode()))
    assert docs == ["zoë", "李娜", "renée", "ana🙂"]
    tok = Tokenizer.from_docs(docs)
    assert tok.vocab_size == len(set("".join(docs))) + 1 == 12
    for d in docs:
        assert tok.decode(tok.encode(d)) == d
    trainer = Trainer(preset("optimized", backend="reference", val_fraction=0.0), docs)
    assert trainer.config.model.vocab_size == 12


def test_progress_reports_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CHUNK", 4)
    p = write(tmp_path, b"emma\nava\nmia\n")
    seen = []
    read_text(p, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (13, 13) and len(seen) == 4
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# --- split ------------------------------------------------------------------------------


def test_split_needs_two_docs():
    with pytest.raises(DataError, match="at least 2 documents"):
        split_docs(["emma"], 0.1)
    assert split_docs(["emma"], 0.0) == (["emma"], [])  # no split: one doc is enough
    assert split_docs(["a", "b"], 0.1) == (["a"], ["b"])
    train, val = split_docs([str(i) for i in range(300)], 0.1)
    assert (len(train), len(val)) == (270, 30)


def test_trainer_refuses_one_doc_with_validation(tmp_path):
    ds = load_dataset(write(tmp_path, b"emma\n", "one.txt"))
    with pytest.raises(DataError, match="at least 2 documents"):
        Trainer(preset("optimized", backend="reference"), ds)


# --- tokenizer --------------------------------------------------------------------------


def test_tokenizer_bos_first_and_last():
    first = Tokenizer.from_docs(["ba", "c"], bos_first=True)
    last = Tokenizer.from_docs(["ba", "c"], bos_first=False)
    assert first.bos_id == 0 and first.encode("abc") == [1, 2, 3]
    assert last.bos_id == 3 and last.encode("abc") == [0, 1, 2]
    assert first.doc_tokens("ab") == [0, 1, 2, 0]
    assert last.doc_tokens("ab") == [3, 0, 1, 3]
    assert first.labels() == [data.BOS_LABEL, "a", "b", "c"]
    assert last.labels() == ["a", "b", "c", data.BOS_LABEL]
    assert first.decode([0, 3, 1, 0]) == "ca"
    with pytest.raises(DataError, match="'z' is not in the vocabulary"):
        first.encode("az")


# --- bundled names ----------------------------------------------------------------------


def test_bundled_names():
    ds = load_dataset()
    assert ds.source == "bundled:names.txt" and load_dataset("bundled").docs == ds.docs
    assert len(ds.docs) == 30000 == len(set(ds.docs))
    assert all(re.fullmatch(r"[a-z]+", d) for d in ds.docs)
    assert Tokenizer.from_docs(ds.docs).vocab_size == 27
    assert ds.docs[:3] == ["james", "john", "robert"]  # most popular first (NAMES.md)
    assert "30,000 docs" in ds.summary()


@pytest.mark.parametrize("content, line, byte", [
    (b"ab\n\xe2\x82\xac\xff\n", 2, 0xFF),  # a good character split by the read, then a bad byte
    (b"a\xe2\x82\xac\xff\nb\n", 1, 0xFF),  # ... with a newline just after the bad byte
    (b"emma\nzo\xe2x\n", 2, 0xE2),  # a character cut short by an ASCII letter
])
def test_bad_utf8_message_is_the_same_for_any_read_chunk_size(tmp_path, monkeypatch, content,
                                                              line, byte):
    # Bytes of a character left over from one read were not counted when the next read
    # failed to decode: an IndexError traceback, or the wrong byte or line, depending on
    # where the 1 MiB reads happened to fall in a big file.
    p = write(tmp_path, content)
    for chunk in (1, 2, 3, 4, 5, 6, 7, 1 << 20):
        monkeypatch.setattr(data, "CHUNK", chunk)
        with pytest.raises(DataError) as e:
            load_docs(p)
        assert f"line {line}: not valid UTF-8 (byte 0x{byte:02x})" in str(e.value), chunk


def test_bundled_folders_are_found_in_an_installed_package(tmp_path, monkeypatch):
    """Installed (not run from the checkout), resources/ is the package microgpt_resources.
    The example lessons are a folder there: looking only for files sent the lookup back
    to the checkout's resources/, which an installed app does not have, and File ▸
    Example lessons was empty."""
    import importlib.util
    import sys

    pkg = tmp_path / "microgpt_resources"
    (pkg / "lessons").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "names.txt").write_text("ada\n")
    spec = importlib.util.spec_from_file_location("microgpt_resources", pkg / "__init__.py")
    fake = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fake)
    # setitem, not a path and a fresh import: the fake must not outlive this test (later
    # tests load the real bundled names), and an installed real one must come back.
    monkeypatch.setitem(sys.modules, "microgpt_resources", fake)
    assert data.bundled_path("lessons") == pkg / "lessons"
    assert data.bundled_path() == pkg / "names.txt"
