"""The 14 changes as switches, variants from the same start, and `microgpt ablate`."""

import argparse
import io
from pathlib import Path

import numpy as np
import pytest

from engine import ablate, cli_ablate, load_dataset, preset
from engine.trainer import Trainer

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs.txt"


def tiny(**kw):
    return preset("optimized", backend="reference", n_embd=8, n_head=2, num_steps=4, **kw)


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DOCS)


def test_fourteen_changes_with_real_flags():
    assert len(ablate.CHANGES) == 14
    assert len(ablate.BY_KEY) == 14
    seed, orig = preset("optimized"), preset("original")
    for c in ablate.CHANGES:
        assert c.line and c.title
        for part, name in c.fields:
            assert hasattr(getattr(seed, part), name), (c.key, name)
    # Everything the table covers differs between the presets, and all-off reaches them.
    every = [c.key for c in ablate.CHANGES]
    off = ablate.variant(seed, every)
    for c in ablate.CHANGES:
        for part, name in c.fields:
            assert getattr(getattr(off, part), name) == getattr(getattr(orig, part), name)
    assert ablate.changes_off(seed) == []
    assert ablate.describe(seed) == "all 14 on"
    assert ablate.describe(orig) == "as Karpathy's"
    ablate.set_change(orig, "grad_clip", True)
    assert ablate.describe(orig) == "on: grad_clip"
    assert ablate.base_preset(orig) == "original" and ablate.base_preset(off) == "optimized"


def test_variant_is_a_copy_and_switches_back_on():
    base = tiny()
    v = ablate.variant(base, ["grad_clip", "weight_tying"])
    assert base.train.grad_clip == 1.0 and base.model.weight_tying
    assert v.train.grad_clip is None and not v.model.weight_tying
    assert ablate.changes_off(v) == ["weight_tying", "grad_clip"]
    ablate.set_change(v, "grad_clip", True)
    assert v.train.grad_clip == 1.0
    # A different amount is still the change switched on; only Karpathy's value is off.
    tuned = tiny(grad_clip=0.5, val_every=2, top_k=3, weight_decay=0.1)
    assert ablate.changes_off(tuned) == []
    assert ablate.changes_off(tiny(lr_schedule="constant")) == ["lr_schedule"]
    with pytest.raises(ValueError, match="unknown change"):
        ablate.variant(base, ["nope"])


def test_graph_flags_add_nodes_same_numbers(dataset):
    base = Trainer(tiny(), dataset)
    no_div = Trainer(ablate.variant(tiny(), ["div_op"]), dataset)
    no_first = Trainer(ablate.variant(tiny(), ["sum_from_first"]), dataset)
    assert no_div.config.train.div_op is False  # the trainer really runs the variant
    assert no_first.config.train.sum_from_first is False
    for k in base.params:  # same seed, same shapes => same starting weights
        np.testing.assert_array_equal(base.params[k], no_div.params[k])
    a, b, c = base.step(), no_div.step(), no_first.step()
    assert b.nodes > a.nodes  # a * b**-1 is two nodes where a / b is one
    assert c.nodes == a.nodes + 2  # the phantom Value(0) and the 0 + losses[0] node
    assert b.loss == pytest.approx(a.loss, rel=1e-12)
    assert c.loss == pytest.approx(a.loss, rel=1e-12)


def test_numbers_flag_changes_training(dataset):
    base = ablate.run_variant("base", tiny(lr_schedule="cosine"), dataset, steps=3)
    lin = ablate.run_variant("lin", ablate.variant(tiny(), ["lr_schedule", "grad_clip"]),
                             dataset, steps=3)
    assert base.steps == lin.steps == 3
    assert base.nodes and base.ms > 0
    assert base.val_loss is not None
    assert lin.train_loss != base.train_loss


def _args(**kw):
    p = argparse.ArgumentParser()
    cli_ablate.add_arguments(p)
    argv = []
    for k, v in kw.items():
        argv += [f"--{k.replace('_', '-')}", str(v)]
    return p.parse_args(argv)


def test_cli_table(capsys):
    out = io.StringIO()
    args = _args(steps=2, data=DOCS, n_embd=8, n_head=2, off="div_op,sum_from_first")
    assert cli_ablate.run(args, out) == 0
    text = out.getvalue()
    assert "nodes/step" in text and "-div_op,sum_from_first" in text


def test_cli_bad_input_is_a_message(capsys):
    assert cli_ablate.run(_args(off="warp_drive", data=DOCS), io.StringIO()) == 2
    assert "unknown change 'warp_drive'" in capsys.readouterr().err
    assert cli_ablate.run(_args(steps=0, data=DOCS), io.StringIO()) == 2
    assert cli_ablate.run(_args(data="/no/such/file"), io.StringIO()) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_refuses_an_off_that_switches_nothing(capsys):
    # Karpathy's original has div_op off already: a "-div_op" row would only look like a
    # measurement (it used to repeat the base's numbers without a word).
    args = _args(preset="original", off="div_op", data=DOCS, steps=1)
    assert cli_ablate.run(args, io.StringIO()) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["microgpt ablate: error: --off div_op: already off in the original "
                   "preset (see --list)"]
    args = _args(off="grad_clip,with_open", data=DOCS, steps=1)
    assert cli_ablate.run(args, io.StringIO()) == 2
    assert "--off with_open: with open() file handle has no switch" in capsys.readouterr().err


def test_cli_notes_rows_that_cannot_differ_on_this_backend(capsys):
    out = io.StringIO()
    args = _args(steps=3, data=DOCS, n_embd=8, n_head=2, backend="numpy")
    args.off = ["div_op", "top_k,timing", "grad_clip,top_k"]
    assert cli_ablate.run(args, out) == 0
    lines = out.getvalue().splitlines()
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[3:8]}
    same = rows["base"][:3]  # train loss, val loss, nodes (ms/step is the clock's)
    assert rows["-div_op"][:3] == rows["-top_k,timing"][:3] == same
    notes = [ln for ln in lines if ln.startswith("note:")]
    assert notes == [
        "note: -div_op changes only the reference backend's graph: the same losses as base "
        "are expected (node counts need --backend reference)",
        "note: -top_k,timing changes only what is printed and the generated names: the same "
        "losses as base are expected",
    ]
    # On the reference backend the graph changes are measured (node counts): no note.
    assert cli_ablate.unseen_note("-div_op", ["div_op"], "reference") is None
    assert cli_ablate.unseen_note("-grad_clip", ["grad_clip"], "numpy") is None


def test_cli_a_variant_that_hits_the_recursion_limit_is_a_row_not_a_traceback(
        capsys, monkeypatch):
    # What the iterative sort is for: with it off, a deep graph overflows Python's stack.
    # (Simulated: a graph deep enough for real takes minutes on the reference backend.)
    from engine import reference

    def too_deep(root):
        raise RuntimeError("the recursive topological sort hit Python's recursion limit "
                           "on this graph; turn on the iterative topological sort")

    monkeypatch.setattr(reference, "topo_recursive", too_deep)
    out = io.StringIO()
    args = _args(steps=2, data=DOCS, n_embd=8, n_head=2)
    args.off = ["iterative_topo", "div_op"]
    assert cli_ablate.run(args, out) == 0
    lines = out.getvalue().splitlines()
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[3:6]}
    assert rows["-iterative_topo"][:3] == ["-", "-", "-"]
    assert rows["-div_op"][0] == rows["base"][0] != "-"  # the other variants still ran
    assert ("note: -iterative_topo stopped at step 1: the recursive topological sort hit "
            "Python's recursion limit") in out.getvalue()
