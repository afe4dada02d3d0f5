"""Embeddings tab: the caption explains every colour it draws, grey included."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from engine.data import BOS_LABEL  # noqa: E402

pytest.importorskip("pytestqt")


def test_caption_names_the_grey_points(qtbot, plain_window):
    emb = plain_window.panels["embeddings"]
    letters = [BOS_LABEL, "a", "b"]
    emb.show_projection(3, np.zeros((3, 2)), letters)
    assert "grey" not in emb.caption.text()  # the names lists: letters only
    labels = letters + ["-", " ", "7"]
    emb.show_projection(4, np.arange(12.0).reshape(6, 2), labels)
    kinds = [emb.plot.kind(lab) for lab in labels]
    assert kinds.count("other") == 3
    assert "grey: other characters (- ␣ 7)" in emb.caption.text()


def test_a_vocabulary_of_thousands_is_drawn_unlabelled_and_named_on_hover(qtbot, plain_window):
    """A text file's 2,000 distinct characters: a label each took ~2 s to make and ~0.3 s
    per update, at 4 updates a second (the window froze while the tab was shown)."""
    from microgpt_gui.embedding_view import MAX_LABELS, point_name

    emb = plain_window.panels["embeddings"]
    plot = emb.plot
    labels = [BOS_LABEL, " "] + [chr(0x4E00 + i) for i in range(1998)]
    coords = np.random.default_rng(0).normal(size=(len(labels), 2))
    emb.show_projection(5, coords, labels)
    assert plot.point_count() == 2000 and not plot._texts and not plot.labelled
    assert "Too many to label (2,000): hover a point" in emb.caption.text()
    # every point's brush is one of a few shared ones (one per kind of character)
    brushes = plot.scatter.data["brush"]
    assert len({id(b) for b in brushes}) <= 4
    # hovering names the point, invisible characters by name
    tip = plot.scatter.opts["tip"]
    assert tip(x=0, y=0, data=" ") == "space" == point_name(" ")
    assert tip(x=0, y=0, data="一") == "“一”"
    assert "start/end" in tip(x=0, y=0, data=BOS_LABEL)
    # a small vocabulary again: labelled
    small = [BOS_LABEL, "a", "b"]
    emb.show_projection(6, np.eye(3)[:, :2], small)
    assert len(plot._texts) == 3 and plot.labelled and len(small) <= MAX_LABELS
    assert "Too many" not in emb.caption.text()
