"""Put away the dock tab bars Qt leaves behind.

QMainWindow (seen with Qt 6.11) creates new tab bars for its tabbed docks when it
tabifies docks before the window is shown, and again on every restoreState(), but does
not always hide the bars they replace. Those stale bars keep their tabs and their old
place: where the layout has moved on they show up as a second, dead tab bar (e.g. an
"Attention | Embeddings" strip over the sampling panel after opening a lesson), and
where they lie under a live bar a click can land on them and do nothing.

hide_stale_tab_bars(window) hides every visible dock tab bar that is not the live one
of a current tab group. A bar whose tabs are not exactly a current group (docks that
`tabifiedDockWidgets` says are together) is stale. Several bars with the same group's
tabs are told apart by asking each: a live bar raises the dock of a tab that is made
current (QMainWindowLayout follows its currentChanged), a stale one does nothing; the
current tab is put back at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QTabBar


def dock_tab_bars(window) -> list[QTabBar]:
    """The window's own (dock) tab bars that are not hidden, oldest first."""
    bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return [b for b in bars if not b.isHidden() and b.count() > 0]


def _groups(window) -> dict[str, frozenset[str]]:
    """title -> titles of the tab group it is in (docks that are shown, tabbed together)."""
    docks = [d for d in window.findChildren(QDockWidget) if not d.isHidden()]
    out = {}
    for d in docks:
        mates = [m for m in window.tabifiedDockWidgets(d) if not m.isHidden()]
        if mates:
            out[d.windowTitle()] = frozenset([d.windowTitle()] + [m.windowTitle() for m in mates])
    return out


def _is_live(window, bar: QTabBar) -> bool:
    by_title = {d.windowTitle(): d for d in window.findChildren(QDockWidget)}
    current = bar.currentIndex()
    other = 1 if current == 0 else 0
    dock = by_title.get(bar.tabText(other))
    if dock is None:
        return False
    was_showing = not dock.visibleRegion().isEmpty()
    bar.setCurrentIndex(other)
    live = not was_showing and not dock.visibleRegion().isEmpty()
    bar.setCurrentIndex(current)
    return live


def hide_stale_tab_bars(window) -> int:
    """Hide the stale dock tab bars; the number hidden."""
    groups = _groups(window)
    claims: dict[frozenset[str], list[QTabBar]] = {}
    stale = []
    for bar in dock_tab_bars(window):
        titles = frozenset(bar.tabText(i) for i in range(bar.count()))
        first = bar.tabText(0)
        if bar.count() < 2 or groups.get(first) != titles:
            stale.append(bar)
        else:
            claims.setdefault(titles, []).append(bar)
    for bars in claims.values():
        if len(bars) > 1:
            live = [b for b in bars if _is_live(window, b)]
            keep = live[-1] if live else bars[-1]  # (else the newest: Qt made it last)
            stale.extend(b for b in bars if b is not keep)
    for bar in stale:
        bar.hide()
    return len(stale)
