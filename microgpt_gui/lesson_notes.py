"""Lesson notes (N, File ▸ Lesson notes): the open lesson's title and its whole notes for
the teacher, in a dock that stays open beside the demo (not a dialog) and reads at
projector sizes. It follows the LessonManager: another lesson opened, a lesson saved
under a new title, or a failed open that put the previous lesson back.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout

from .panels import Panel

NO_LESSON = ("No lesson is open. Open one with File ▸ Open lesson… (Ctrl+L) or pick one "
             "under File ▸ Example lessons: its notes for the teacher (what to point at, "
             "what to ask) appear here.")
NO_NOTES = "This lesson has no notes."


def notes_html(title: str, notes: str, title_pt: int) -> str:
    """The lesson's title as a heading over its notes, one paragraph per blank-line
    separated block (single line breaks kept); plain text, never read as HTML."""
    head = f'<p style="font-size:{title_pt}pt"><b>{html.escape(title)}</b></p>'
    blocks = [b.strip() for b in notes.replace("\r\n", "\n").split("\n\n") if b.strip()]
    if not blocks:
        return head + f"<p><i>{NO_NOTES}</i></p>"
    return head + "".join(f"<p>{html.escape(b).replace(chr(10), '<br>')}</p>"
                          for b in blocks)


class LessonNotesPanel(Panel):
    panel_id = "lesson_notes"
    title = "Lesson notes"
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, ctx, lessons):
        super().__init__(ctx)
        self.lessons = lessons
        self.browser = QTextBrowser()
        self.browser.setObjectName("lesson_notes_text")
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName("Lesson notes")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.browser)
        lessons.changed.connect(self.refresh)
        ctx.themes.changed.connect(self.apply_theme)
        self.apply_theme(ctx.theme)

    def refresh(self) -> None:
        lesson = self.lessons.lesson
        if lesson is None:
            self.browser.setHtml(f"<p>{html.escape(NO_LESSON)}</p>")
            return
        title = lesson.title or Path(self.lessons.path or "lesson").stem
        self.browser.setHtml(notes_html(title, lesson.notes, self._title_pt))

    def text(self) -> str:
        """What the pane shows, as plain text."""
        return self.browser.toPlainText()

    def apply_theme(self, theme) -> None:
        font = self.browser.font()
        font.setPointSize(theme.font_size)
        self.browser.setFont(font)
        self._title_pt = theme.title_font_size
        self.refresh()
