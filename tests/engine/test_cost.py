"""engine/cost.py: the estimates track what the backends really do, and a model that
would not fit in memory is refused before any weight is drawn (Trainer, CLI)."""

from __future__ import annotations

import sys

import pytest

from engine import ConfigError, Trainer, cost, preset
from tests.helpers import DOCS as DOCS_PATH
from tests.helpers import run_cli


def docs():
    return DOCS_PATH.read_text().split()


@pytest.mark.parametrize("sizes", [
    dict(), dict(n_embd=32, n_head=2, n_layer=2, block_size=12),
    dict(weight_tying=False, n_embd=8, n_head=2),
])
def test_parameter_count_is_the_models(sizes):
    t = Trainer(preset("optimized", **sizes), docs())
    est = cost.estimate(t.config, t.tokenizer.vocab_size)
    assert est.params == t.num_params


@pytest.mark.parametrize("sizes", [dict(), dict(n_embd=24, n_head=4, n_layer=2, batch_size=3)])
def test_reference_node_estimate_is_within_a_factor_of_two(sizes):
    """The graph nodes a reference step really builds vs the estimate from the sizes and
    the step's own document lengths (the time and memory estimates scale with it)."""
    cfg = preset("optimized", backend="reference", val_every=0, **sizes)
    t = Trainer(cfg, docs())
    for _ in range(3):
        batch = t.batch_docs(t.step_num)
        mean = sum(map(len, batch)) / len(batch)
        est = cost.estimate(t.config, t.tokenizer.vocab_size, mean)
        nodes = t.step().nodes
        assert 0.5 < est.nodes_per_step / nodes < 2.0, (est.nodes_per_step, nodes, batch)


def test_bigger_models_cost_more_and_reference_costs_more_than_numpy():
    small = cost.estimate(preset("optimized"))
    for bigger in (dict(n_embd=64), dict(n_layer=4), dict(block_size=32), dict(batch_size=8)):
        est = cost.estimate(preset("optimized", **bigger))
        assert est.memory_bytes > small.memory_bytes
        assert est.seconds_per_step > small.seconds_per_step
    ref = cost.estimate(preset("optimized", backend="reference"))
    assert ref.seconds_per_step > 100 * small.seconds_per_step
    assert ref.memory_bytes > small.memory_bytes


def test_describe_reads_like_a_sentence():
    text = cost.estimate(preset("optimized"), 27).describe()
    assert text.startswith("3,632 parameters · ≈") and "ms per step" in text and "MB" in text
    assert cost.format_seconds(40 * 3600) == "40 h"
    assert cost.format_bytes(17 * 2**40) == "17 TB"


HUGE_REFERENCE = dict(backend="reference", n_embd=256, n_head=8, n_layer=8, block_size=64,
                      batch_size=64)  # ~17 TB of graph per step


def test_memory_problem_names_the_need_and_the_way_out():
    cfg = preset("optimized", **HUGE_REFERENCE)
    problem = cost.memory_problem(cost.estimate(cfg), cfg, limit=8 * 2**30)
    assert "TB of memory" in problem and "limit is 8.0 GB" in problem
    assert "numpy backend" in problem
    numpy_cfg = preset("optimized", n_embd=256, n_layer=8, block_size=64, batch_size=64)
    problem = cost.memory_problem(cost.estimate(numpy_cfg), numpy_cfg, limit=2**30)
    assert "smaller model or batch size" in problem
    assert cost.memory_problem(cost.estimate(preset("optimized")), preset("optimized"),
                               limit=2**30) == ""


def test_trainer_refuses_a_model_bigger_than_the_ram_before_drawing_weights(monkeypatch):
    monkeypatch.setattr(cost, "physical_memory", lambda: 4 * 2**30)
    drawn = []
    monkeypatch.setattr("engine.trainer.init_params", lambda *a: drawn.append(a))
    with pytest.raises(ConfigError, match="this computer has 4.0 GB"):
        Trainer(preset("optimized", **HUGE_REFERENCE), docs())
    assert not drawn
    with pytest.raises(ConfigError, match="smaller model"):  # numpy too, at absurd sizes
        Trainer(preset("optimized", n_embd=1024, n_head=16, n_layer=16, block_size=256,
                       batch_size=64), docs())


def test_unknown_ram_refuses_nothing(monkeypatch):
    monkeypatch.setattr(cost, "physical_memory", lambda: None)
    cfg = preset("optimized", **HUGE_REFERENCE)
    assert cost.memory_problem(cost.estimate(cfg), cfg) == ""


def test_cli_says_so_in_one_line(capsys, monkeypatch):
    monkeypatch.setattr(cost, "physical_memory", lambda: 16 * 2**30)
    code, _, err = run_cli(capsys, "train", "--data", DOCS_PATH, "--backend", "reference",
                           "--n-embd", 256, "--n-head", 8, "--n-layer", 8,
                           "--block-size", 64, "--batch-size", 64)
    assert code == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "of memory" in err and "has 16 GB" in err


# --- how much RAM: sysconf (Linux, macOS), GlobalMemoryStatusEx (Windows) ---------------

def test_ram_from_sysconf_or_none_when_the_os_does_not_say(monkeypatch):
    monkeypatch.setattr(cost.sys, "platform", "linux")
    values = {"SC_PHYS_PAGES": 1000, "SC_PAGESIZE": 4096}
    monkeypatch.setattr(cost.os, "sysconf", lambda name: values[name], raising=False)
    assert cost.physical_memory() == 4096 * 1000
    values["SC_PHYS_PAGES"] = -1  # old OS X: defined, but answered -1
    assert cost.physical_memory() is None

    def unknown(name):
        raise ValueError("unrecognized configuration name")

    monkeypatch.setattr(cost.os, "sysconf", unknown)
    assert cost.physical_memory() is None
    monkeypatch.delattr(cost.os, "sysconf")  # as on Windows
    assert cost.physical_memory() is None


def test_windows_reads_global_memory_status_ex(monkeypatch):
    import ctypes

    # the documented layout: 64 bytes, ullTotalPhys after two 32-bit DWORDs
    assert ctypes.sizeof(cost.MemoryStatusEx) == 64
    assert cost.MemoryStatusEx.ullTotalPhys.offset == 8
    calls = []

    class Kernel32:  # what Windows' kernel32 does with the structure it is given
        ok = True

        def GlobalMemoryStatusEx(self, ref):  # noqa: N802 - the Windows API's name
            status = ref._obj
            calls.append(status.dwLength)
            status.ullTotalPhys = 16 * 2**30
            return self.ok

    kernel32 = Kernel32()
    monkeypatch.setattr(cost.sys, "platform", "win32")
    monkeypatch.delattr(cost.os, "sysconf", raising=False)
    monkeypatch.setattr(ctypes, "windll", type("WinDLL", (), {"kernel32": kernel32}),
                        raising=False)
    assert cost.physical_memory() == 16 * 2**30 and calls == [64]
    kernel32.ok = False  # the call failed
    assert cost.physical_memory() is None


@pytest.mark.skipif(sys.platform == "win32", reason="off Windows only")
def test_the_windows_branch_fails_quietly_off_windows(monkeypatch):
    monkeypatch.setattr(cost.sys, "platform", "win32")
    assert cost.windows_memory() is None and cost.physical_memory() is None
