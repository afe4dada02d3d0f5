"""Classroom features (issue 5): lessons, projector mode, shortcuts, live changes, views."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine import Trainer, load_dataset, preset
from microgpt_gui.lesson import (
    Lesson,
    LessonError,
    bundled_lessons,
    load_lesson,
    save_lesson,
)

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs.txt"


def first_losses(cfg, source, n=20):
    t = Trainer(cfg, load_dataset(source))
    return [t.step().loss for _ in range(n)]


# --- lesson files (Qt-free part) ---------------------------------------------------------


def test_lesson_round_trip_reproduces_first_20_losses(tmp_path):
    data = tmp_path / "docs.txt"
    shutil.copy(DOCS, data)
    cfg = preset("optimized", n_embd=8, n_head=2, learning_rate=0.02, seed=7, num_steps=100)
    lesson = Lesson.from_run_config(cfg, "optimized", title="t", dataset=str(data), speed=5,
                                    probe_word="emma", projector=True,
                                    view={"smoothing": 0.9}, layout={"panels": ["curves"]})
    path = tmp_path / "lesson.json"
    save_lesson(lesson, path)
    raw = json.loads(path.read_text())
    assert raw["dataset"] == "docs.txt"  # stored relative to the lesson's folder
    assert raw["settings"] == {"n_embd": 8, "n_head": 2, "learning_rate": 0.02, "seed": 7,
                               "num_steps": 100}
    back = load_lesson(path)
    assert (back.title, back.speed, back.probe_word, back.projector) == ("t", 5, "emma", True)
    assert back.view == {"smoothing": 0.9} and back.layout == {"panels": ["curves"]}
    assert back.run_config().to_dict() == cfg.to_dict()
    assert back.dataset_source(path) == str(data)
    expected = first_losses(cfg, str(data))
    assert first_losses(back.run_config(), back.dataset_source(path)) == expected
    # the check can fail: another seed gives other losses
    other = Lesson.from_run_config(preset("optimized", n_embd=8, n_head=2, seed=8), "optimized")
    assert first_losses(other.run_config(), str(data)) != expected


def test_bundled_lessons_are_valid():
    paths = bundled_lessons()
    names = {p.name for p in paths}
    assert {"the-seed.json", "karpathy-original.json", "what-clipping-does.json",
            "bigger-model.json"} <= names
    for p in paths:
        lesson = load_lesson(p)
        assert lesson.title and lesson.notes
        assert lesson.dataset_source(p) == "bundled:names.txt"
    clip = load_lesson(next(p for p in paths if p.name == "what-clipping-does.json"))
    assert clip.run_config().train.grad_clip is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "line 1, column 2: not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"title": "x"}', 'no "microgpt_lesson" version key'),
        ('{"microgpt_lesson": 9}', "version 9 is not supported"),
        ('{"microgpt_lesson": 1, "colour": "red"}', "unknown key(s): colour"),
        ('{"microgpt_lesson": 1, "preset": "huge"}', '"preset" must be one of'),
        ('{"microgpt_lesson": 1, "speed": 7}', '"speed" must be one of'),
        ('{"microgpt_lesson": 1, "projector": "yes"}', '"projector" must be true or false'),
        ('{"microgpt_lesson": 1, "settings": {"n_emb": 8}}', "unknown setting(s)"),
        ('{"microgpt_lesson": 1, "settings": {"n_embd": 10, "n_head": 4}}',
         "must be divisible by n_head"),
        ('{"microgpt_lesson": 1, "view": {"smoothing": 2}}', '"view.smoothing"'),
    ],
)
def test_broken_lesson_gives_clear_message(tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LessonError) as err:
        load_lesson(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_missing_and_binary_lesson_files(tmp_path):
    with pytest.raises(LessonError, match="no such file"):
        load_lesson(tmp_path / "nope.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(LessonError, match="not valid UTF-8"):
        load_lesson(tmp_path / "bin.json")


# --- per-letter surprise and name quality widgets ---------------------------------------


@pytest.fixture
def small_trainer():
    return Trainer(preset("optimized", num_steps=50, val_every=0), load_dataset(str(DOCS)))


def test_surprise_view_boxes_average_to_step_loss(qtbot, small_trainer):
    from microgpt_gui.surprise_view import SurpriseView

    view = SurpriseView()
    qtbot.addWidget(view)
    for _ in range(3):
        stats = small_trainer.step(capture_positions=True)
    view.show_step(stats.doc, stats.position_losses)
    assert view.word == stats.doc
    assert len(view.boxes) == len(stats.position_losses)
    assert sum(view.losses) / len(view.losses) == pytest.approx(stats.loss, rel=1e-12)
    assert view.boxes[0].text() == stats.doc[0]
    assert "loss" in view.boxes[0].toolTip()
    # with a weight snapshot, hovering shows the model's top guesses
    view.set_inference(small_trainer.snapshot())
    assert "the model guesses" in view.boxes[0].toolTip()
    # a typed word is scored on the snapshot; the last box is the end of the name
    view.entry.setText("emma")
    assert view.word == "emma" and len(view.boxes) == 5 and view.boxes[-1].text() == "⏎"
    assert all(b.styleSheet().startswith("background:#") for b in view.boxes)
    view.entry.setText("em!")
    assert "not in the vocabulary" in view.summary.text() and not view.boxes
    view.entry.setText("")  # back to following training
    assert view.word == stats.doc


def test_name_stats_widget_on_known_list(qtbot):
    from microgpt_gui.name_stats import NameStats

    w = NameStats()
    qtbot.addWidget(w)
    w.set_data(["emma", "liam", "olivia", "noah"], ["emma", "liam", "olivia", "noah", "ava"])
    q = w.show_batch(["emma", "emma", "zed", "ava"])
    assert (q.new_share, q.copy_share, q.heldout_share) == (0.25, 0.5, 0.25)
    assert q.distinct_share == 0.75
    assert "25% new" in w.numbers.text() and "50% copies" in w.numbers.text()
    assert "mostly copies" in w.verdict.text()
