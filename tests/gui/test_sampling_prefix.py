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


def test_projector_mode_explains_a_lessons_bad_prefix_where_the_bars_were(
        qtbot, plain_window, tmp_path):
    """Projector mode hides the prefix field and the message under it; a lesson with a
    shorter context than the prefix left there must not just leave the bars empty."""
    import json
    import shutil
    from pathlib import Path

    w = plain_window
    s = w.sampling
    s.prefix.setText("emma")  # typed on the desktop, before the lesson
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "docs.txt",
                tmp_path / "names.txt")
    lesson = tmp_path / "short.json"
    lesson.write_text(json.dumps({
        "microgpt_lesson": 1, "dataset": "names.txt", "projector": True,
        "settings": {"n_embd": 8, "n_head": 2, "block_size": 4, "num_steps": 20}}))
    with qtbot.waitSignal(w.lessons.opened, timeout=10_000):
        assert w.lessons.open(str(lesson))
    assert w.projector.active and not s.message.isVisible() and not s.prefix.isVisible()
    note = s.bars_note
    problem = s.prefix_problem()
    assert "The prefix is 4 characters" in problem
    qtbot.waitUntil(lambda: note.isVisible(), timeout=5000)
    assert "“emma”" in note.text() and problem in note.text() and "F11" in note.text()
    assert not s.bars_plot.isVisible() and len(s.probs) == 0
    assert note.font().pointSize() == w.themes.theme.font_size
    qtbot.wait(50)  # queued layout
    # projector mode: the sliders share a line where it has room for both (slider_row.py)
    assert (s.temperature.y() == s.top_k.y()) == s.slider_row.shared
    # whole, inside the panel, clear of the sliders above and the name stats below
    assert note.height() >= note.heightForWidth(note.width())
    rect = note.geometry()
    assert s.rect().contains(rect)
    for other in (s.temperature, w.name_stats):
        assert not rect.intersects(other.geometry()), other
    s.prefix.setText("em")  # fixed: the bars come back
    assert not note.isVisible() and s.bars_plot.isVisible()
    qtbot.waitUntil(lambda: len(s.probs) == w.controller.info.vocab_size, timeout=10_000)
    s.prefix.setText("emma")
    assert note.isVisible()
    w.projector.set_active(False)  # the desktop says it under the prefix field, as before
    assert not note.isVisible() and s.bars_plot.isVisible()
    assert s.message.isVisible() and s.message.text() == problem
    qtbot.wait(50)  # queued layout: the desktop's form again, a slider on each line
    assert s._form.getWidgetPosition(s.temperature)[0] == 1
    assert s.temperature.y() > s.top_k.y() and s.temperature_label.isVisible()


def held_generation(s):
    """Sampling jobs wait for the returned event; the threads that run them."""
    import threading

    release, threads = threading.Event(), []
    real_run = s.ctx.tasks.run

    def run(fn, *args, **kwargs):
        if "_start_generation" in fn.__qualname__:
            inner = fn

            def fn(progress):
                release.wait(30)
                return inner(progress)
            threads.append(real_run(fn, *args, **kwargs))
            return threads[-1]
        return real_run(fn, *args, **kwargs)

    s.ctx.tasks.run = run
    return release, threads


def test_names_of_an_older_prefix_do_not_replace_the_newer_prefixs_problem(qtbot,
                                                                           make_window):
    """A prefix the data cannot use, typed while a Generate is still drawing names: its
    explanation stays when that Generate's names arrive, and no names of the old prefix
    stand under it (nor when the prefix changed to a usable one, or the model changed)."""
    w = make_window()
    s = ready(qtbot, w)
    release, threads = held_generation(s)
    tasks = s.ctx.tasks
    s.prefix.setText("em")
    s.generate()
    qtbot.waitUntil(lambda: bool(threads), timeout=10_000)  # drawing names after "em"
    s.prefix.setText("em ")
    problem = s.message.text()
    assert "space (at the end of the prefix)" in problem
    release.set()
    qtbot.waitUntil(lambda: threads[0] not in tasks._threads, timeout=10_000)  # answered
    assert s.message.text() == problem and s.results.count() == 0
    s.prefix.setText("em")  # usable again: the message goes, Generate gives names
    assert s.message.text().strip() == ""
    with qtbot.waitSignal(s.samples_ready, timeout=10_000):
        s.generate()
    assert s.results.count() == s.count.value()

    release.clear()
    s.generate()
    qtbot.waitUntil(lambda: len(threads) == 3, timeout=10_000)
    s.prefix.setText("a")  # changed to another usable prefix while drawing
    release.set()
    qtbot.waitUntil(lambda: threads[2] not in tasks._threads, timeout=10_000)
    assert all(name.startswith("em") for name in s.names())  # the last ones shown
    assert s.message.text() == ("The prefix changed while the names were drawn: press "
                                "Generate again.")

    release.clear()
    s.generate()
    qtbot.waitUntil(lambda: len(threads) == 4, timeout=10_000)
    with qtbot.waitSignal(w.controller.reset_done, timeout=10_000):
        w.reset()  # a new model while drawing: the old model's names are not its names
    release.set()
    qtbot.waitUntil(lambda: threads[3] not in tasks._threads, timeout=10_000)
    assert s.results.count() == 0
    assert s.message.text().startswith("A new model was built while the names were drawn")


def test_a_long_prefix_problem_pushes_the_bars_down_not_over_the_verdict(qtbot, make_window):
    """The problem of a 500-character prefix takes three lines in a narrow dock: the
    message claims them, so the bars below never overlap the name-quality line (before,
    the plain wrapped label was squeezed and the bars drawn over the verdict)."""
    from PySide6.QtWidgets import QApplication

    w = make_window()
    w.resize(1360, 860)
    for dock in w.docks.values():  # every panel on screen: the right column is full
        dock.setVisible(True)
    s = ready(qtbot, w)
    w.act["generate"].trigger()
    qtbot.waitUntil(lambda: s.results.count() > 0, timeout=10_000)
    s.prefix.setText("x" * 500)
    for _ in range(5):
        QApplication.processEvents()
    stats = w.name_stats
    assert s.message.height() >= s.message.heightForWidth(s.message.width())
    assert s.message.geometry().bottom() < s.bars_plot.geometry().top()
    assert s.bars_plot.geometry().bottom() < stats.geometry().top()
