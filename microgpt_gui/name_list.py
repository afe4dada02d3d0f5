"""The list of generated names, each marked new or in the training data, and the line
that sums them up (Sampling panel)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from engine.data import BOS_SYMBOL


class NameList(QListWidget):
    def show_names(self, names: list[str], seen, theme) -> list[tuple[str, bool]]:
        """Show names, coloured new (not in `seen`, the training documents) or copied;
        returns (name, is_new) for each."""
        self.clear()
        out = []
        for name in names:
            is_new = name not in seen
            mark = "new" if is_new else "in training data"
            item = QListWidgetItem(f"{name or '(empty)'}    — {mark}")
            item.setForeground(QColor(theme.new_name if is_new else theme.copied_name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.addItem(item)
            out.append((name, is_new))
        return out

    def names(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())]


def summary(marked: list[tuple[str, bool]], prefix: str = "") -> str:
    """'20 names: 17 new, 3 from the training data', and how many are just the prefix."""
    new = sum(1 for _, is_new in marked if is_new)
    text = f"{len(marked)} names: {new} new, {len(marked) - new} from the training data"
    ended = sum(1 for name, _ in marked if prefix and name == prefix)
    if ended:  # else "emma" three times looks like a bug, not the model's choice
        text += (f"; {ended} {'is' if ended == 1 else 'are'} just “{prefix}”: the model "
                 f"ended the name right after the prefix (the {BOS_SYMBOL} bar)")
    return text
