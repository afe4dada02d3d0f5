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
