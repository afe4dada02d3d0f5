"""A dataset of long lines (sentences, paragraphs) in the window: the attention caption
quoting the training document used to be as wide as the document, and a 500-character
line pushed the window to 4,000 px, past the screen's edge."""

from __future__ import annotations

from tests.gui.helpers import WAIT


def test_a_long_training_doc_is_shortened_in_the_caption_not_the_window(qtbot, make_window,
                                                                         tmp_path):
    words = "the quick brown fox jumps over lazy dogs running keeps".split()
    lines = [" ".join(words[(i + k) % len(words)] for k in range(90)) for i in range(40)]
    assert min(map(len, lines)) > 400
    data = tmp_path / "long_lines.txt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    w = make_window()
    width = w.width()
    with qtbot.waitSignal(w.controller.reset_done, timeout=WAIT):
        w.datasets.load_path(str(data))  # nothing trained: the new data resets at once
    caption = w.attention.caption
    qtbot.waitUntil(lambda: caption.text().startswith("training doc “"), timeout=WAIT)
    doc = caption.text().split("“", 1)[1].rsplit("”", 1)[0]
    assert doc in lines  # the whole document is the label's text (and its tooltip) ...
    assert caption.toolTip() == caption.text()
    shown = caption.text_shown()  # ... drawn shortened, the step still at its end
    assert "…" in shown and shown.endswith(f"at step {w.controller.history.step}")
    assert caption.fontMetrics().horizontalAdvance(shown) <= caption.contentsRect().width()
    assert w.width() == width
    assert w.docks["attention"].minimumSizeHint().width() < 600


def test_a_short_caption_is_shown_whole_without_a_tooltip(qtbot):
    from microgpt_gui.panels import ElidedLabel

    label = ElidedLabel()
    qtbot.addWidget(label)
    label.resize(400, 30)
    label.show()
    label.set_parts("word “", "emma", "” at step 3")
    assert label.text_shown() == label.text() == "word “emma” at step 3"
    assert label.toolTip() == ""
    label.resize(60, 30)  # narrower than even the ends: the whole line gives way
    assert label.text_shown().endswith("…") and label.toolTip() == label.text()
