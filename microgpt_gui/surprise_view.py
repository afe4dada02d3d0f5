"""Per-letter surprise: each letter of a word coloured by the model's loss at that position.

Shows the current training document (colours from the step's own per-position losses,
StepStats.position_losses, so their mean is exactly the step's loss) or a word the user
types (computed on the latest weight snapshot). Hovering a letter shows the model's top
guesses there. Green = expected, orange-red = no better than a blind guess.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from engine.data import BOS_LABEL, DataError
from engine.insights import blind_guess_loss, letter_surprise, surprise_level

from . import help_texts
from .head_roles_view import numpy_view
from .panels import Panel, WrappedLabel
from .theme import DEFAULT, Theme

CAPTURE_HZ = 5  # like the attention panel: enough to follow, cheap to compute
END_MARK = "⏎"  # the box for "end of name" (the BOS token predicted at the end)
MIN_BOX_PT = 8  # long words in a narrow dock get smaller boxes, down to this size
# Colour stops of the surprise scale: readable with dark text (contrast >= 4.9:1), still
# distinct on a washed-out projector (hue changes, not just lightness), and for the ~1 in
# 12 boys in a class with red-green colour blindness: bluish green, yellow and vermillion
# from Okabe & Ito's colour-blind-safe palette ("Color Universal Design", 2008), not the
# traffic-light green and red that deuteranopes see as the same olive.
STOPS = ((0.0, QColor("#009e73")), (0.5, QColor("#f0e442")), (1.0, QColor("#d55e00")))


def box_padding(pt: int) -> int:
    """Pixels left and right of a box's letter: 6 at full size, less for small boxes."""
    return max(2, min(6, round(pt * 0.3)))


def surprise_colour(level: float) -> QColor:
    """Level 0..1 -> colour between the stops (linear in RGB)."""
    level = min(max(level, 0.0), 1.0)
    for (a, ca), (b, cb) in zip(STOPS, STOPS[1:], strict=False):
        if level <= b:
            t = (level - a) / (b - a)
            return QColor(round(ca.red() + t * (cb.red() - ca.red())),
                          round(ca.green() + t * (cb.green() - ca.green())),
                          round(ca.blue() + t * (cb.blue() - ca.blue())))
    return QColor(STOPS[-1][1])


class SurpriseView(QWidget):
    """The letter boxes plus a field to type a word of your own."""

    word_changed = Signal(str)  # the typed word ("" = follow training)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("surprise")
        self.setToolTip(help_texts.tooltip("surprise"))
        self._theme: Theme = DEFAULT
        self._inference = None  # latest weight snapshot (engine Inference)
        self._vocab_size = 27
        self._step_word = ""
        self._step_losses = None
        self.losses: list[float] = []  # what the boxes show, for tests and read-outs
        self.word = ""

        # Wraps beside the field in a narrow dock: on one line, with the field, it made
        # the dock (and the window) too wide for a 1024x768 screen.
        self.title = WrappedLabel("Which letters surprise the model?")
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("type a word, or leave empty to follow training")
        self.entry.setClearButtonEnabled(True)
        self.title.setBuddy(self.entry)  # the question is the field's screen-reader name
        self.entry.textChanged.connect(self._typed)
        self.boxes_row = QHBoxLayout()
        self.boxes_row.setSpacing(3)
        # the colour key, right after the boxes (they are inserted before it)
        # a strip of the three colour stops between its two ends: the boxes' colours run
        # through yellow too, which a key of two squares left unexplained
        strip = "".join(f"<span style='background-color:{c.name()}'>&nbsp;&nbsp;&nbsp;</span>"
                        for _, c in STOPS)
        self.legend = QLabel(f"  expected&nbsp;{strip}&nbsp;surprised")
        self.boxes_row.addWidget(self.legend)
        self.boxes_row.addStretch(1)
        # The same key on a line of its own, for words too long to share a line with it.
        self.legend_below = QLabel(self.legend.text())
        self.legend_below.hide()
        self.summary = WrappedLabel("")  # claims its lines: never cut in a short dock
        self.boxes: list[QLabel] = []
        self._box_pt = 0  # the boxes' font size, fitted to the width (_fit_boxes)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.entry, 1)
        self.entry.setMinimumWidth(160)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(self.boxes_row)
        lay.addWidget(self.legend_below)
        lay.addWidget(self.summary)
        lay.addStretch(1)  # a tall dock must not stretch the letter boxes into bars

    # --- inputs ----------------------------------------------------------------------------
    def set_inference(self, inference) -> None:
        """A new weight snapshot: a typed word is re-scored; hovers use it. Scored here,
        on the GUI thread, by the numpy backend (the same numbers): a snapshot arrives
        about once a second while training runs, and the scalar reference backend's
        forward pass froze the window for seconds at a time on a bigger model."""
        self._inference = numpy_view(inference)
        self._vocab_size = inference.tokenizer.vocab_size
        if self.typed_word():
            self._show_typed()
        elif self._step_word:
            self._show(self._step_word, self._step_losses)

    def show_step(self, doc: str, position_losses) -> None:
        """The step's document and its per-position losses (StepStats.position_losses)."""
        self._step_word, self._step_losses = doc, [float(x) for x in position_losses]
        if not self.typed_word():
            self._show(doc, self._step_losses)

    def typed_word(self) -> str:
        return self.entry.text().strip()

    def _typed(self, _text: str) -> None:
        self.word_changed.emit(self.typed_word())
        if self.typed_word():
            self._show_typed()
        elif self._step_word:
            self._show(self._step_word, self._step_losses)

    def _show_typed(self) -> None:
        if self._inference is None:
            self._message("train or step once to score a word")
            return
        try:
            letters = letter_surprise(self._inference, self.typed_word())
        except DataError as e:
            self._message(str(e))
            return
        self._show(self.typed_word(), [x.loss for x in letters], letters)

    # --- drawing ---------------------------------------------------------------------------
    def _message(self, text: str) -> None:
        self._set_boxes(0)
        self.losses, self.word = [], ""
        self.summary.setText(text)

    def _set_boxes(self, n: int) -> None:
        while len(self.boxes) > n:
            self.boxes.pop().deleteLater()
        while len(self.boxes) < n:
            box = QLabel()
            box.setAlignment(Qt.AlignmentFlag.AlignCenter)
            # Never forces the dock wider: _fit_boxes makes the letters fit instead.
            box.setMinimumWidth(4)
            self.boxes_row.insertWidget(len(self.boxes), box)
            self.boxes.append(box)

    def _show(self, word: str, losses, letters=None) -> None:
        if letters is None and self._inference is not None:
            try:  # hover guesses from the latest weights (the colours stay the step's)
                letters = letter_surprise(self._inference, word)
            except DataError:
                letters = None
        chars = [*word[: len(losses)], END_MARK][: len(losses)]
        self.word, self.losses = word, list(losses)
        self._set_boxes(len(losses))
        top_loss = blind_guess_loss(self._vocab_size)
        self._box_pt, beside = self._fitting_pt(chars)
        self.legend.setVisible(beside)
        self.legend_below.setVisible(not beside)
        pad = box_padding(self._box_pt)
        for i, (box, ch, loss) in enumerate(zip(self.boxes, chars, losses, strict=False)):
            colour = surprise_colour(surprise_level(loss, self._vocab_size))
            box.setText(ch)
            box.setStyleSheet(
                f"background:{colour.name()}; color:#111111; border-radius:4px;"
                f"padding:2px {pad}px; font-size:{self._box_pt}pt;"
                "font-weight:bold;")
            what = "the end of the name" if ch == END_MARK else f"“{ch}”"
            tip = [f"<b>{what}</b> after “{word[:i]}”: loss {loss:.2f} "
                   f"(blind guess: {top_loss:.2f})"]
            if letters is not None and i < len(letters):
                tip.append("the model guesses:")
                for label, p in letters[i].top:
                    shown = "end" if label == BOS_LABEL else label
                    tip.append(f"&nbsp;&nbsp;{shown}: {p:.0%}")
            box.setToolTip("<br>".join(tip))
        mean = sum(losses) / len(losses) if losses else float("nan")
        cut = len(word) + 1 - len(losses)
        extra = f" (only the first {len(losses)} positions fit the block size)" if cut > 0 else ""
        source = "your word" if self.typed_word() else "this step's name"
        self.summary.setText(f"{source} “{word}”: loss {mean:.2f} = the average of the "
                             f"boxes{extra}")
        self.summary.setToolTip("Hover a letter to see what the model guessed there.")

    def _fitting_pt(self, chars) -> tuple[int, bool]:
        """(the boxes' font size, whether the colour key fits beside them). Twice the
        text size with the key beside them when that fits the view's width; else the key
        goes on a line below and the boxes get as big as fits (a 16-letter word made the
        dock, and so the window, wider than a 1280 px screen)."""
        margins = self.layout().contentsMargins()
        width = self.width() - margins.left() - margins.right()
        width -= self.boxes_row.spacing() * len(chars)
        font = QFont(self.font())
        font.setBold(True)

        def fits(pt: int, room: float) -> bool:
            font.setPointSize(pt)
            metrics = QFontMetrics(font)
            pad = 2 * box_padding(pt)
            return sum(metrics.horizontalAdvance(c) + pad + 2 for c in chars) <= room

        full = self._theme.font_size * 2
        if fits(full, width - self.legend.sizeHint().width()):
            return full, True
        pt = full
        while pt > MIN_BOX_PT and not fits(pt, width):
            pt -= 1
        return pt, False

    def resizeEvent(self, event):  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        chars = [box.text() for box in self.boxes]
        if chars and self._fitting_pt(chars) != (self._box_pt, self.legend.isVisibleTo(self)):
            self._show(self.word, self.losses)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        font = self.font()
        font.setPointSize(theme.font_size)
        for w in (self.title, self.entry, self.summary, self.legend, self.legend_below):
            w.setFont(font)
        if self.word:
            self._show(self.word, self.losses)


class SurprisePanel(Panel):
    """The SurpriseView as a dock, fed by the controller's captures and snapshots."""

    panel_id = "surprise"
    title = "Per-letter surprise"
    area = Qt.DockWidgetArea.BottomDockWidgetArea

    def __init__(self, ctx):
        super().__init__(ctx)
        self.view = SurpriseView(self)
        self._ticks = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.view)
        c = ctx.controller
        c.capture_ready.connect(self._on_capture)
        c.snapshot_ready.connect(self.view.set_inference)
        c.stats_batch.connect(self._after_steps)
        c.stopped.connect(self._after_steps)  # scored by the model it stopped with
        c.reset_done.connect(lambda _info: self.request())
        ctx.themes.changed.connect(self.apply_theme)
        self.timer = self.paced_timer(1000 // CAPTURE_HZ, self._tick)
        self.apply_theme(ctx.theme)

    def request(self) -> None:
        """Per-position losses of the next training document (rides on the next step)."""
        if self.controller.info is not None:
            self.controller.request_capture("", attention=False, positions=True)

    def _tick(self) -> None:
        if self.controller.state != "running" or not self.on_screen():
            return
        if not self.view.typed_word():
            self.request()
            return
        # A typed word is scored on weight snapshots, not on training steps: a fresh
        # one about once a second is enough to watch its letters get easier.
        self._ticks += 1
        if self._ticks % CAPTURE_HZ == 0:
            self.controller.request_snapshot()

    def _after_steps(self, _batch=None) -> None:
        if self.controller.state != "running" and self.on_screen():
            self.request()  # a single Step: show its document at once
            self.controller.request_snapshot()  # and the guesses of the updated model

    def view_changed(self, visible: bool) -> None:
        if visible:  # out of sight it skipped the last steps: catch up now
            QTimer.singleShot(0, self, self._after_steps)

    def _on_capture(self, cap: dict) -> None:
        losses = cap.get("position_losses")
        if cap.get("follow") and losses is not None and "error" not in cap:
            self.view.show_step(cap["word"], losses)

    def apply_theme(self, theme) -> None:
        self.view.apply_theme(theme)

    def save_state(self) -> dict:
        return {"word": self.view.entry.text()}

    def restore_state(self, state: dict) -> None:
        if isinstance(state.get("word"), str):
            self.view.entry.setText(state["word"])
