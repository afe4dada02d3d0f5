"""Projector mode puts the Sampling panel's temperature slider on the top-k slider's
line (a line more for the heatmaps), but only while that line has room for both sliders
at their natural width. In a narrow side column (a 1024x768 projector with the F1 help
pane open) the shared line squeezed both sliders to 10 px stubs that could hardly be
dragged; there the temperature keeps a line of its own."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QHBoxLayout

GAP = 12  # px between the top-k slider and the temperature's label on a shared line


class SliderRow:
    """Moves the temperature's label and slider between their own form row and the
    top-k row (`row`, a QHBoxLayout holding the top-k slider, in `form`)."""

    def __init__(self, form: QFormLayout, row: QHBoxLayout, top_k, top_k_label,
                 temperature, temperature_label):
        self.form, self.row = form, row
        self.top_k, self.top_k_label = top_k, top_k_label
        self.temperature, self.temperature_label = temperature, temperature_label
        self.wanted = False  # projector mode: share a line when there is room
        self.shared = False

    def need(self) -> int:
        """The width a shared line needs: both labels, both sliders at their size hint."""
        spacing = max(0, self.row.spacing()) * 3 + max(0, self.form.horizontalSpacing())
        return (self.top_k_label.sizeHint().width() + self.temperature_label.sizeHint().width()
                + self.top_k.sizeHint().width() + self.temperature.sizeHint().width()
                + GAP + spacing)

    def set_wanted(self, on: bool, width: int) -> None:
        self.wanted = bool(on)
        self.fit(width)

    def fit(self, width: int) -> None:
        """`width`: the form's width. Share the line or not, as it allows."""
        self._share(self.wanted and width >= self.need())

    def _share(self, on: bool) -> None:
        if on == self.shared:
            return
        if on:
            self.form.takeRow(self.temperature)  # keeps the label and the slider
            self.row.addSpacing(GAP)
            self.row.addWidget(self.temperature_label)
            self.row.addWidget(self.temperature, 1)
        else:
            for widget in (self.temperature_label, self.temperature):
                self.row.removeWidget(widget)
            self.row.takeAt(self.row.count() - 1)  # the spacing
            self.form.insertRow(1, self.temperature_label, self.temperature)
        self.shared = on
