"""Importing curves (engine.run_record.read_csv): one clear line per problem, naming the
file, the line when one is at fault, and what is wrong; exports round-trip."""

import math

import pytest

from engine.run_record import RunRecord, read_csv, write_csv

HEADER = "step,loss,val_loss,grad_norm,lr,ms\n"


def _one_line(text):
    assert "\n" not in text and text.count("runs.csv") == 1  # the name once, not twice
    return text


def error(path) -> str:
    with pytest.raises(ValueError) as info:
        read_csv(path)
    return _one_line(str(info.value))


@pytest.mark.parametrize("content, wanted", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "runs.csv: not a CSV text file (it looks like "
     "a PNG image)"),
    (b"PK\x03\x04\x14\x00", "runs.csv: not a CSV text file (it looks like a ZIP archive)"),
    (b"\xff\xfes\x00t\x00", "runs.csv: not a CSV text file (it looks like UTF-16 text"),
    (b"\x00\x01\x02garbage", "runs.csv: not a CSV text file"),
    ((HEADER + "1,2.0,,0.1,0.01,3\n2,2.5\xe9,,0.1,0.01,3\n").encode("latin-1"),
     "runs.csv, line 3: not UTF-8 text (byte 0xe9)"),
    (HEADER.encode() + b"1,2.0,,0.1,0.01,3\nx,2.0,,0.1,0.01,3\n",
     "runs.csv, line 3: column 'step' must be a whole number, got 'x'"),
    (HEADER.encode() + b"1.5,2.0,,0.1,0.01,3\n",
     "runs.csv, line 2: column 'step' must be a whole number, got '1.5'"),
    (HEADER.encode() + b",2.0,,0.1,0.01,3\n",
     "runs.csv, line 2: column 'step' must be a whole number, got nothing"),
    (HEADER.encode() + b"1,2.0,,oops,0.01,3\n",
     "runs.csv, line 2: column 'grad_norm' must be a number, got 'oops'"),
    (HEADER.encode() + b"1,2.0,,0.1\n", "runs.csv, line 2: expected 6 fields"),
    (b"", "runs.csv: the file is empty"),
    (b"\n\n", "runs.csv: the file is empty"),
    (HEADER.encode(), "runs.csv: no curve rows after the header"),
    (b"emma\nolivia\n", "runs.csv: not a curves CSV (it looks like a list of names"),
    (b'{"step": 1, "loss": 3.2}\n', "runs.csv: not a curves CSV (it looks like JSON"),
    (b"\nstep,loss\n1,2\n", "runs.csv, line 2: not a curves CSV: expected the columns step, "
     "loss, val_loss, grad_norm, lr, ms (with 'run' first for several runs), got step, loss"),
])
def test_bad_files_say_what_is_wrong_in_one_line(tmp_path, content, wanted):
    path = tmp_path / "runs.csv"
    path.write_bytes(content)
    assert error(path).startswith(wanted)


def test_files_that_cannot_be_opened(tmp_path):
    assert error(tmp_path / "runs.csv") == f"runs.csv: no such file (in {tmp_path})"
    (tmp_path / "runs.csv").mkdir()
    assert error(tmp_path / "runs.csv") == "runs.csv: is a folder, not a CSV file"


def test_a_checkpoint_or_workbook_is_named(tmp_path):
    for name, wanted in (("ck.npz", "File ▸ Open checkpoint"), ("book.xlsx", "save it from "
                                                                 "Excel as CSV")):
        (tmp_path / name).write_bytes(b"PK\x03\x04" + bytes(30))
        with pytest.raises(ValueError, match=wanted):
            read_csv(tmp_path / name)


def test_excel_utf8_bom_and_blank_lines_are_fine(tmp_path):
    path = tmp_path / "runs.csv"
    path.write_text("\ufeff" + HEADER + "1,2.0,,0.1,0.01,3\n\n2,1.5,1.7,0.2,0.01,4\n",
                    encoding="utf-8")
    (run,) = read_csv(path)
    assert run.name == "runs" and run.curves["step"] == [1.0, 2.0]
    assert math.isnan(run.curves["val_loss"][0]) and run.curves["val_loss"][1] == 1.7
    assert run.seconds == pytest.approx(0.007)


def _rec(name, steps):
    rec = RunRecord(name)
    for s in steps:
        for col, v in (("step", s), ("loss", 3.0 / s), ("val_loss", math.nan),
                       ("grad_norm", 0.5), ("lr", 0.01), ("ms", 2.0)):
            rec.curves[col].append(float(v))
    return rec


def test_runs_with_the_same_name_stay_apart(tmp_path):
    """Runs can be renamed (and imported runs keep their names): two runs called "a"
    were merged into one zig-zag run by the import."""
    runs = [_rec("a", [1, 2, 3]), _rec("a", [1, 2]), _rec("b", [1]), _rec("a", [5, 6])]
    write_csv(tmp_path / "all.csv", runs)
    back = read_csv(tmp_path / "all.csv")
    assert [(r.name, r.curves["step"]) for r in back] == [
        (r.name, r.curves["step"]) for r in runs]


def test_one_run_keeps_its_name_and_an_older_file_without_it_still_imports(tmp_path):
    """A one-run CSV had no `run` column, so an import named the run after the file."""
    path = tmp_path / "exported.csv"
    write_csv(path, [_rec("best lr", [1, 2])])
    assert path.read_text().splitlines()[0].split(",")[0] == "run"
    assert [r.name for r in read_csv(path)] == ["best lr"]
    path.write_text(HEADER + "1,2.0,,0.1,0.01,3\n2,1.9,,0.1,0.01,3\n")  # before the column
    assert [(r.name, r.steps) for r in read_csv(path)] == [("exported", 2)]
    assert [r.name for r in read_csv(path, default_name="x")] == ["x"]


# --- what the run list shows besides the curves: preset, changes, time -------------------

def test_preset_changes_and_time_round_trip(tmp_path):
    a = _rec("a", [1, 2, 3])
    a.preset, a.changes, a.seconds = "optimized", "off: div_op, fused_ce", 12.5
    b = _rec("b", [1, 2])  # e.g. folded by the run list: its time is not the rows' ms
    b.preset, b.changes, b.seconds = "original", "as Karpathy's", 0.1 + 0.2
    for runs in ([a], [a, b]):
        write_csv(tmp_path / "runs.csv", runs)
        back = read_csv(tmp_path / "runs.csv")
        assert [(r.preset, r.changes, r.seconds, str(r.curves)) for r in back] == \
            [(r.preset, r.changes, r.seconds, str(r.curves)) for r in runs]  # NaN too


def test_files_without_the_run_columns_still_import(tmp_path):
    path = tmp_path / "runs.csv"
    path.write_text("run,step,loss,val_loss,grad_norm,lr,ms\na,1,2.0,,0.1,0.01,3\n"
                    "b,1,2.5,,0.1,0.01,4\nb,2,2.4,2.6,0.1,0.01,5\n")
    a, b = read_csv(path)
    assert (a.preset, a.changes, b.preset, b.changes) == ("", "", "", "")
    assert (a.seconds, b.seconds) == (pytest.approx(0.003), pytest.approx(0.009))
    # some of the columns, in another order (edited in a spreadsheet), and an empty time
    path.write_text(HEADER.strip() + ",run_seconds,preset\n1,2.0,,0.1,0.01,3,,original\n")
    (run,) = read_csv(path)
    assert (run.preset, run.changes, run.seconds) == ("original", "", pytest.approx(0.003))


@pytest.mark.parametrize("content, wanted", [
    (HEADER.strip() + ",preset,notes\n1,2.0,,0.1,0.01,3,optimized,x\n", "runs.csv, line 1: "
     "unknown column 'notes' (the columns may be run, step, loss, val_loss, grad_norm, lr, "
     "ms, preset, changes, run_seconds)"),
    (HEADER.strip() + ",preset,preset\n1,2.0,,0.1,0.01,3,a,b\n", "runs.csv, line 1: column "
     "'preset' appears twice"),
    (HEADER.strip() + ",run_seconds\n1,2.0,,0.1,0.01,3,soon\n", "runs.csv, line 2: column "
     "'run_seconds' must be a number, got 'soon'"),
    (HEADER.strip() + ",run_seconds\n1,2.0,,0.1,0.01,3,-1\n", "runs.csv, line 2: column "
     "'run_seconds' must be a number of seconds, 0 or more, got '-1'"),
    (HEADER.strip() + ",preset\n1,2.0,,0.1,0.01,3\n", "runs.csv, line 2: expected 7 fields"),
])
def test_bad_run_columns_say_what_is_wrong(tmp_path, content, wanted):
    path = tmp_path / "runs.csv"
    path.write_text(content)
    assert error(path).startswith(wanted)


def test_a_big_file_that_is_not_a_curves_csv_is_refused_after_its_first_lines(
        tmp_path, monkeypatch):
    # A 30 MB log picked by mistake was read and parsed whole (seconds on the GUI thread)
    # before its first line told it was not a curves CSV.
    import pathlib

    path = tmp_path / "runs.csv"
    line = '{"step": 1, "loss": 3.3, "lr": 0.01}\n'
    path.write_text(line * (30_000_000 // len(line)), encoding="utf-8")
    read = []
    real_open = pathlib.Path.open

    def counting_open(self, *args, **kwargs):
        f = real_open(self, *args, **kwargs)
        if self == path:  # count what read_csv reads of it
            original = f.read

            def counted(n=-1):
                data = original(n)
                read.append(len(data))
                return data
            f.read = counted
        return f

    monkeypatch.setattr(pathlib.Path, "open", counting_open)
    assert "it looks like JSON" in error(path)
    assert sum(read) <= 1 << 16  # the first 64 KB, not 30 MB


def test_the_early_header_check_lets_long_good_files_through(tmp_path):
    path = tmp_path / "runs.csv"
    rows = "".join(f"{i},2.5,,0.1,0.01,3\n" for i in range(1, 20_001))  # ~400 KB
    path.write_text(HEADER + rows, encoding="utf-8")
    (run,) = read_csv(path)
    assert run.curves["step"][-1] == 20_000 and len(run.curves["loss"]) == 20_000
    path.write_text("\n\n" + HEADER.replace(",", ", ") + rows, encoding="utf-8")
    assert len(read_csv(path)[0].curves["step"]) == 20_000  # blank lines, spaces: as before


def test_columns_in_another_order_import_the_same_runs(tmp_path):
    # A spreadsheet that moved the columns (or a script that wrote them in its own order)
    # was refused as "not a curves CSV", although every column was there.
    import csv
    import io

    a, b = RunRecord("a", preset="optimized"), RunRecord("b", changes="-top_k")
    for rec, k in ((a, 1.0), (b, 2.0)):
        for step in (1, 2, 3):
            for col, v in zip(("step", "loss", "val_loss", "grad_norm", "lr", "ms"),
                              (step, 3.0 - 0.1 * step * k, math.nan, k, 0.01, 0.5), strict=True):
                rec.curves[col].append(float(v))
    path = tmp_path / "runs.csv"
    write_csv(path, [a, b])
    want = read_csv(path)
    lines = path.read_text("utf-8").splitlines()
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    order = list(reversed(range(len(rows[0]))))  # every column moved
    moved = tmp_path / "moved.csv"
    with moved.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([[r[i] for i in order] for r in rows])
    got = read_csv(moved)
    assert [r.name for r in got] == ["a", "b"] == [r.name for r in want]
    for g, w in zip(got, want, strict=True):
        assert (g.preset, g.changes) == (w.preset, w.changes)
        for col in w.curves:
            assert g.curves[col] == w.curves[col] or (
                col == "val_loss" and all(map(math.isnan, g.curves[col] + w.curves[col])))
    moved.write_text("loss,step,lr\n3.2,1,0.01\n", encoding="utf-8")
    assert "not a curves CSV: expected the columns" in error(moved.rename(tmp_path / "runs.csv"))


def test_numpy_numbers_in_a_record_are_written_as_plain_numbers(tmp_path):
    """NumPy 2's repr of a float64 is "np.float64(2.5)": written as it was, the file did
    not import ("column 'loss' must be a number")."""
    import numpy as np

    rec = RunRecord(name="np")
    rec.curves = {c: [np.float64(1.5), np.float64(2.5)] for c in rec.curves}
    rec.curves["step"] = [np.int64(1), np.int64(2)]
    path = tmp_path / "np.csv"
    write_csv(path, [rec])
    assert "np.float64" not in path.read_text()
    back = read_csv(path)[0]
    assert back.curves["loss"] == [1.5, 2.5] and back.curves["step"] == [1, 2]
