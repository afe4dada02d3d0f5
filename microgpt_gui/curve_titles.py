"""The Curves panel's text around its three stacked plots: the left axis titles and the
legends, fitted to each plot's height.

The plots share the panel's height 3:2:1, so on a short window or a 720p projector the
lr plot is only ~55 px tall. Its title, legend and the axis's scale (x0.001) then no
longer fit as they are, and each gives way in its own manner (`fit`).
"""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics

from .plotutil import (
    centre_label,
    covers_data,
    fit_axis_title,
    fit_legend,
    place_in_corner,
    tick_font,
)

TITLES = ("loss", "grad norm", "learning rate")  # the plots' axis titles
SHORT_TITLES = ("loss", "grad", "lr")  # when a plot is shorter than its title


class CurveTitles:
    """Fits the titles and legends of `plots` (loss, grad norm, lr). `lr_curves` are the
    lr plot's lines (done and planned) that its legend and scale must not cover;
    `theme` returns the current theme."""

    def __init__(self, plots, legends, lr_curves, theme) -> None:
        self.plots, self.legends, self.lr_curves = plots, legends, lr_curves
        self._theme = theme
        self._drawn = {}  # plot -> (title, font size, theme, scale...) its left axis shows
        self.lr_scale = centre_label(plots[2], "")  # (x0.001), when not in the title

    def forget(self) -> None:
        """The next fit() sets every title again (a new theme restyled the axes)."""
        self._drawn.clear()

    def fit(self, *_) -> None:
        """A vertical axis title longer than its plot is tall runs into the plot above
        (in a 1280x720 window 'learning rate (x0.001)' ran into 'grad norm'): such a
        plot gets its short title, as in projector mode, and if even that is too long
        (big text, a short plot: 'lr (x0.001)'), a smaller font for the title alone."""
        theme = self._theme()
        metrics = QFontMetrics(tick_font(theme.plot_font_size))
        for plot, title, short in zip(self.plots, TITLES, SHORT_TITLES, strict=True):
            axis = plot.getAxis("left")
            # Room for the title and the scale pyqtgraph may add to it, e.g. (x0.001).
            scale = " (x0.001)" if axis.autoSIPrefix else ""
            need = metrics.horizontalAdvance(title + scale)
            height = plot.getViewBox().rect().height()
            if theme.name == "projector" or height < need:
                title = short
            need = metrics.horizontalAdvance(title + scale)
            # Too short even for 'lr (x0.001)' (a 720p projector at big text: ~55 px):
            # the scale goes to a corner of the plot and the title keeps its size.
            axis.scale_apart = 0 < height < need
            if axis.scale_apart:
                need = metrics.horizontalAdvance(title)
            size = theme.plot_font_size
            if 0 < height < need:
                size = max(6, int(size * height / need))
            # (its scale, e.g. x0.001, comes and goes with the range: part of the key)
            key = (title, size, theme, axis.autoSIPrefixScale, axis.scale_apart)
            if self._drawn.get(plot) != key:
                self._drawn[plot] = key
                fit_axis_title(plot, title, size, theme.plot_foreground, height)
        for plot, legend in zip(self.plots, self.legends, strict=True):
            fit_legend(plot, legend, metrics.height())
        self.fit_lr_legend()

    def fit_lr_legend(self) -> None:
        """The lr plot is the shortest (~55 px on a 720p projector at big text): there its
        legend, even in one row in the bottom left corner, covered the curve. It is
        shown only where it covers none of the schedule, done or planned (known for the
        whole run); the axis title names the curve anyway."""
        legend = self.legends[2]
        legend.setVisible(not covers_data(legend, self.lr_curves))
        self._place_lr_scale()  # (clear of the legend)

    def _place_lr_scale(self) -> None:
        """The lr axis's scale, when its title has no room for it, in a free corner."""
        axis, note = self.plots[2].getAxis("left"), self.lr_scale
        text = axis.scale_text() if axis.scale_apart else ""
        note.setVisible(bool(text))
        if text:
            theme = self._theme()
            note.setText(text, color=theme.plot_foreground, size=f"{theme.plot_font_size}pt")
            place_in_corner(note, self.lr_curves, avoid=self.legends[2])
