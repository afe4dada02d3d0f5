"""Label placement for the embedding scatter: microgpt_gui/label_layout.py (plain
arithmetic, no window), then the scatter itself."""

from __future__ import annotations

import itertools

from microgpt_gui.label_layout import DIRECTIONS, anchor_of, label_box, place_labels

ABOVE, BELOW = 0, 1  # indices into DIRECTIONS


def overlap(a, b) -> float:
    """Area shared by two (left, top, right, bottom) boxes (worked out here on its own,
    not with the module's vectorised scoring)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def boxes(points, sizes, places, marker=9.0):
    return [label_box(x, y, w, h, anchor_of(d, w, h, marker))
            for (x, y), (w, h), d in zip(points, sizes, places, strict=True)]


def test_anchors_put_the_text_beside_its_marker_with_a_gap():
    w, h, marker = 8.0, 14.0, 9.0
    left, top, right, bottom = label_box(0, 0, w, h, anchor_of(ABOVE, w, h, marker))
    assert bottom == -5.5 and left == -4 and right == 4  # centred, 1 px clear of it
    right_of = label_box(0, 0, w, h, anchor_of(2, w, h, marker))
    assert right_of[0] == 5.5 and right_of[1] == -7
    # with Qt's blank margin round the text, the item's box grows but the text stays put
    ax, ay = anchor_of(ABOVE, w, h, marker, margin=4)
    item = label_box(0, 0, w + 8, h + 8, (ax, ay))
    assert abs(item[3] - 4 - (-5.5)) < 1e-12 and abs(item[0] + 4 - (-4)) < 1e-12


def test_a_lone_label_sits_above_its_point():
    assert place_labels([(50.0, 50.0)], [(8.0, 14.0)]) == [ABOVE]


def test_labels_of_points_on_top_of_each_other_do_not_overlap():
    # 'e' and 'a' two pixels apart: both above would read 'ea'
    points = [(100.0, 100.0), (102.0, 101.0)]
    sizes = [(8.0, 14.0)] * 2
    places = place_labels(points, sizes)
    a, b = boxes(points, sizes, places)
    assert overlap(a, b) == 0
    assert places[0] == ABOVE and places[1] != ABOVE


def test_a_tight_cluster_gets_every_label_clear_of_the_others_and_of_the_markers():
    points = [(100.0 + 8 * i, 100.0 + 7 * j) for i in range(2) for j in range(2)]
    sizes = [(8.0, 14.0)] * 4
    places = place_labels(points, sizes, marker=6.0)
    bs = boxes(points, sizes, places, marker=6.0)
    for a, b in itertools.combinations(bs, 2):
        assert overlap(a, b) == 0
    for box in bs:
        for x, y in points:
            assert overlap(box, (x - 3, y - 3, x + 3, y + 3)) == 0


def test_labels_stay_inside_the_view_when_they_can():
    # a point at the top edge: above would be cut off, below is free
    places = place_labels([(50.0, 2.0)], [(8.0, 14.0)], bounds=(100.0, 100.0))
    box = label_box(50.0, 2.0, 8.0, 14.0, anchor_of(places[0], 8.0, 14.0, 9.0))
    assert box[1] >= 0 and places == [BELOW]


def test_a_label_keeps_its_old_spot_while_it_is_free():
    points = [(100.0, 100.0), (160.0, 100.0)]  # far apart: above would be free too
    sizes = [(8.0, 14.0)] * 2
    assert place_labels(points, sizes, previous=[BELOW, ABOVE]) == [BELOW, ABOVE]
    # but not when it is taken: the second point moved right under the first's label
    moved = [(100.0, 100.0), (100.0, 118.0)]
    places = place_labels(moved, sizes, previous=[BELOW, ABOVE])
    a, b = boxes(moved, sizes, places)
    assert overlap(a, b) == 0


def test_when_nothing_is_free_every_label_still_gets_the_least_covered_spot():
    # ten labels on one point: they cannot all be clear, but none is skipped and the
    # first eight take the eight spots round it
    places = place_labels([(50.0, 50.0)] * 10, [(8.0, 14.0)] * 10)
    assert len(places) == 10 and all(0 <= d < len(DIRECTIONS) for d in places)
    assert len(set(places[:8])) == 8


def text_rects(plot):
    """Each label's text (without Qt's blank margin) in scene pixels."""
    rects = []
    for t in plot._texts:
        m = t.textItem.document().documentMargin()
        rects.append(t.sceneBoundingRect().adjusted(m, m, -m, -m))
    return rects


def test_the_scatter_keeps_close_labels_apart_and_re_lays_them_on_resize(qtbot):
    import numpy as np

    from tests.gui.helpers import shown_embedding_plot

    plot = shown_embedding_plot(qtbot, 320, 300)
    # a vowel cluster: e, a, i, o almost on one spot, the rest spread out
    labels = list("eaiobcdk")
    pts = np.array([[0.50, 0.50], [0.51, 0.505], [0.52, 0.49], [0.495, 0.51],
                    [-1, -1], [1, -1], [-1, 1], [1.2, 1.1]])
    plot.set_points(pts, labels)
    qtbot.wait(10)

    def clashes():  # labels sharing more than a pixel's sliver (Qt's rects hold no ink there)
        rects = text_rects(plot)
        shared = [(labels[i], labels[j], rects[i].intersected(rects[j]))
                  for i, j in itertools.combinations(range(len(rects)), 2)]
        return [(a, b) for a, b, r in shared if r.width() > 1 and r.height() > 1]

    assert clashes() == []
    assert plot._texts[4].place == anchor_of(ABOVE, *plot_text_size(plot._texts[4]),
                                             plot.scatter.opts["size"],
                                             plot._texts[4].textItem.document().documentMargin())
    plot.resize(200, 180)  # smaller: the cluster is tighter in pixels
    qtbot.waitUntil(lambda: plot.getViewBox().width() < 200)
    qtbot.wait(10)
    assert clashes() == []
    plot.set_font_size(16)  # bigger labels (projector mode): laid out again
    qtbot.wait(10)
    assert clashes() == []


def plot_text_size(t):
    m = t.textItem.document().documentMargin()
    r = t.textItem.boundingRect()
    return r.width() - 2 * m, r.height() - 2 * m
