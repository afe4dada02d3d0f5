"""The sampling panel's prefix: problems said visibly, no pretend generation."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")


def ready(qtbot, w):
    s = w.sampling
    qtbot.waitUntil(lambda: s.inference is not None and len(s.probs) > 0, timeout=10_000)
    return s


def test_a_space_the_dataset_lacks_is_named_and_the_bars_are_cleared(qtbot, make_window):
    w = make_window()
    s = ready(qtbot, w)
    s.prefix.setText("em ")
    text = s.message.text()
    assert "space (at the end of the prefix)" in text and "a–z" in text
    assert len(s.probs) == 0 and len(s.bars.opts["height"]) == 0  # no stale bars
    s.generate()
    assert not s._pending_generate and s.results.count() == 0
    s.prefix.setText("em")  # fixed: the message goes, the bars come back
    assert s.message.text().strip() == ""
    assert len(s.probs) == w.controller.info.vocab_size


def test_upper_case_prefix_suggests_the_lower_case_form(qtbot, make_window):
    w = make_window()
    s = ready(qtbot, w)
    s.prefix.setText("Em")
    assert "only lower-case letters: try “em”" in s.message.text()


def test_a_prefix_filling_the_context_says_so_and_generates_nothing(qtbot, make_window):
    w = make_window()
    s = ready(qtbot, w)
    block = w.controller.info.config.model.block_size
    s.prefix.setText("a" * block)
    text = s.message.text()
    assert f"The prefix is {block} characters; this model reads at most {block - 1} " \
           "after the start token" in text
    assert len(s.probs) == 0
    s.generate()
    assert s.message.text() == text and not s._pending_generate
    assert s.results.count() == 0  # no "names" that are the prefix itself
    s.prefix.setText("a" * (block - 1))  # fits: one more letter, and the panel says so
    assert "only one more letter fits" in s.message.text()
    with qtbot.waitSignal(s.samples_ready, timeout=10_000) as blocker:
        s.generate()
    names = [name for name, _new in blocker.args[0]]
    assert all(n.startswith("a" * (block - 1)) and len(n) <= block for n in names)


def test_a_prefix_changed_to_a_bad_one_before_the_snapshot_arrives(qtbot, make_window):
    w = make_window()
    s = ready(qtbot, w)
    jobs = []
    real_run = s.ctx.tasks.run
    s.ctx.tasks.run = lambda fn, *a, **k: (
        jobs.append(fn) if "_start_generation" in fn.__qualname__ else None,
        real_run(fn, *a, **k))
    s.prefix.setText("em")
    s.generate()
    s.prefix.setText("e#")  # typed while the snapshot is on its way
    qtbot.waitUntil(lambda: not s._pending_generate, timeout=10_000)
    assert jobs == []  # no sampling job that could only fail with a raw error
    assert "“#”" in s.message.text() and s.results.count() == 0


def test_names_that_are_just_the_prefix_are_explained(qtbot, make_window):
    w = make_window()
    s = ready(qtbot, w)
    s._show_samples(["emma", "emmalyn", "emma"], "emma")
    assert "2 are just “emma”: the model ended the name right after the prefix" \
        in s.message.text()
    s.refresh_bars()  # a refresh while training runs keeps the summary
    assert "2 are just" in s.message.text()
