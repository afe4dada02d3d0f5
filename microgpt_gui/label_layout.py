"""Where to put each point's label so labels do not cover each other (no Qt here).

The embedding scatter labels every character. Characters the model treats alike sit
close together, which is the point of the view ("the vowels form a group"), and that is
exactly where labels drawn always above their points pile up: 'e' and 'a' read as 'ea'.
place_labels tries a few spots around each point (above first, then below, beside, the
corners) and takes the first that covers no marker and no label placed before it, or
the one that covers least. Greedy and O(n²) (each label is scored against every marker
and every label before it in one NumPy step: ~1 ms for 27 labels, ~10 ms for 300), so
it is meant for a vocabulary's worth of points (embedding_view labels at most 150).

Everything is in pixels, y down. A label's place becomes a pyqtgraph TextItem anchor:
the point of its box, as fractions of its width and height from its top-left corner,
that sits on the data point.
"""

from __future__ import annotations

import numpy as np

ABOVE = (0.5, 1.2)  # the anchor of a label above its point before any layout
# Where a label may go, best first: above, below, right, left, then the four corners
# (x right, y down). Each keeps a gap of the marker's radius + 1 px from its point.
DIRECTIONS = ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1))


def anchor_of(direction: int, w: float, h: float, marker: float,
              margin: float = 0.0) -> tuple:
    """The TextItem anchor that puts a w x h label in DIRECTIONS[direction] of its point.
    margin: blank pixels around the text inside the item's box (Qt's document margin),
    which the anchor's fractions count but the label's placing ignores."""
    dx, dy = DIRECTIONS[direction]
    gap = marker / 2 + 1.0
    if dx and dy:
        gap *= 0.7  # a corner: the label's corner sits diagonally off the marker
    # the text's own left/top edge relative to the point, then the item's (margin out)
    left = -w / 2 if dx == 0 else (gap if dx > 0 else -gap - w)
    top = -h / 2 if dy == 0 else (gap if dy > 0 else -gap - h)
    return (margin - left) / (w + 2 * margin), (margin - top) / (h + 2 * margin)


def label_box(x: float, y: float, w: float, h: float, anchor) -> tuple:
    """(left, top, right, bottom) in pixels of a w x h label anchored at (x, y)."""
    left, top = x - anchor[0] * w, y - anchor[1] * h
    return left, top, left + w, top + h


def place_labels(points, sizes, marker: float = 9.0, bounds=None, previous=None) -> list:
    """points [(x, y)] and label sizes [(w, h)] in pixels -> for each label, the index
    in DIRECTIONS of where it goes (anchor_of turns that into a TextItem anchor).

    marker: the markers' diameter in pixels (labels keep off every marker). bounds:
    (width, height) of the view; labels are kept inside where they can be. previous:
    the directions of the last layout; a label whose old spot is still as good as any
    keeps it, so labels do not hop about while the points drift between updates.
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    n = len(pts)
    r = marker / 2
    # obstacles, as (left, top, right, bottom) rows: the labels placed so far, then
    # every marker; each label's 8 candidate boxes are scored against all at once
    obstacles = np.empty((2 * n, 4))
    obstacles[n:, :2], obstacles[n:, 2:] = pts - r, pts + r
    if previous is not None and len(previous) != n:
        previous = None
    chosen: list[int] = []
    for i, ((x, y), (w, h)) in enumerate(zip(pts, sizes, strict=True)):
        cand = np.array([label_box(x, y, w, h, anchor_of(d, w, h, marker))
                         for d in range(len(DIRECTIONS))])  # [8,4]
        obst = obstacles[n - i:]  # the labels placed so far and every marker
        ow = np.minimum(cand[:, None, 2], obst[None, :, 2]) - np.maximum(cand[:, None, 0],
                                                                         obst[None, :, 0])
        oh = np.minimum(cand[:, None, 3], obst[None, :, 3]) - np.maximum(cand[:, None, 1],
                                                                         obst[None, :, 1])
        cost = (np.maximum(ow, 0) * np.maximum(oh, 0)).sum(axis=1)  # [8] area covered
        if bounds is not None:  # area outside the view
            iw = np.minimum(cand[:, 2], bounds[0]) - np.maximum(cand[:, 0], 0)
            ih = np.minimum(cand[:, 3], bounds[1]) - np.maximum(cand[:, 1], 0)
            cost += w * h - np.maximum(iw, 0) * np.maximum(ih, 0)
        best = int(np.argmin(cost))  # the first of the best, in DIRECTIONS' order
        if previous is not None and 0 <= previous[i] < len(DIRECTIONS) \
                and cost[previous[i]] <= cost[best]:
            best = previous[i]
        chosen.append(best)
        obstacles[n - 1 - i] = cand[best]  # placed labels fill the rows before the markers
    return chosen
