"""Plugs the analysis features into the main window: the Optimizations, Runs, Embeddings
and Time-lapse panels, File ▸ Save/Open checkpoint, and File ▸ Export.

MainWindow calls install(window) once; everything goes through its extension points
(add_panel, add_action, menus, config_modifiers), so main_window.py stays unaware of
the details.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QMessageBox

from . import export, measure
from .baseline_lines import BaselineLines
from .checkpoints import CheckpointManager, opened_message
from .embedding_view import EmbeddingPanel
from .explorer_panel import ExplorerPanel
from .export_view import ExportWhenDrawn
from .runs_panel import RunsPanel
from .timelapse_panel import TimeLapsePanel
from .weights_panel import WeightsPanel


def install(window) -> None:
    ctx = window.ctx
    export.install_plot_exporters()  # right-click Export...: only exporters that work
    explorer = ExplorerPanel(ctx)
    runs = RunsPanel(ctx)
    embeddings = EmbeddingPanel(ctx)
    timelapse = TimeLapsePanel(ctx)
    window.add_panel(explorer)
    window.add_panel(runs)
    window.add_panel(embeddings)
    window.add_panel(WeightsPanel(ctx))
    window.add_panel(timelapse)
    # The extra docks start as tabs behind existing ones: the first window stays calm.
    # The explorer's 14 rows need height: a tab beside the controls gives it all of it.
    for pid, beside in (("runs", "timelapse"), ("embeddings", "attention"),
                        ("weights", "attention"), ("explorer", "controls")):
        if pid in window.docks and beside in window.docks:
            window.tabifyDockWidget(window.docks[beside], window.docks[pid])
            window.docks[beside].raise_()
    window.config_modifiers.append(explorer.modify)
    explorer.choices_changed.connect(window.refresh_needs_reset)
    controls = getattr(window, "controls", None)
    if controls is not None and hasattr(controls, "preset"):
        # Another preset is a fresh start: the ticks then show that preset as it is.
        controls.preset.currentTextChanged.connect(lambda _name: explorer.restore_preset())
    curves = window.panels.get("curves")
    if curves is not None and hasattr(curves, "loss_plot"):
        runs.attach(curves.loss_plot)  # ticked runs behind the live loss curve
        # guessing and letter pairs, kept in the loss plot's view
        window.baselines = BaselineLines(ctx, curves.loss_plot, on_change=curves.refit,
                                         avoid=(curves.smooth, curves.val))
    # Their saved settings are restored by the window with every other panel's.

    measure.install(window)  # Run ▸ Measure the loss on all names (M)

    ckpt = CheckpointManager(window)
    window.checkpoints = ckpt
    ckpt.saved.connect(lambda p: window.statusBar().showMessage(f"Saved checkpoint {p}", 6000))
    ckpt.opened.connect(lambda p: window.statusBar().showMessage(
        opened_message(p, window.controller), 8000))
    ckpt.failed.connect(window.show_error)

    file_menu = window.menus["file"]
    first = file_menu.actions()[0] if file_menu.actions() else None
    open_ck = window.add_action("open_checkpoint", "Open &checkpoint…", "Ctrl+Shift+O",
                                ckpt.ask_open, tip="Restore a saved model, its curves and "
                                "settings; training can continue")
    save_ck = window.add_action("save_checkpoint", "&Save checkpoint…", "Ctrl+S",
                                ckpt.ask_save, tip="Save the model, optimizer state, curves "
                                "and settings")
    # add_action appended them to the window; put them at the top of the File menu.
    file_menu.insertAction(first, open_ck)
    file_menu.insertAction(first, save_ck)
    file_menu.insertSeparator(first)

    menu = QMenu("&Export", file_menu)
    file_menu.insertMenu(first, menu)
    file_menu.insertSeparator(first)

    def add(name, text, slot, tip=""):
        action = window.add_action(name, text, None, slot, tip=tip)
        menu.addAction(action)

    add("export_csv", "Curves of this run (CSV)…",
        lambda: export.ask_csv(window, [r for r in [runs.current_record()] if r]))
    add("export_csv_all", "Curves of all runs (CSV)…",
        lambda: export.ask_csv(window, runs.all_records(), "all-runs.csv"))
    add("export_names", "Generated names (text)…", lambda: _export_names(window))
    menu.addSeparator()
    for pid, text in (("curves", "Curves plot (PNG/SVG)"),
                      ("attention", "Attention heatmaps (PNG/SVG)"),
                      ("embeddings", "Embedding plot (PNG/SVG)"),
                      ("weights", "Weights plot, as shown (PNG/SVG)"),
                      ("runs", "Run comparison plot (PNG/SVG)"),
                      ("timelapse", "Time-lapse frame (PNG)")):
        add(f"export_plot_{pid}", f"{text}…", lambda _=False, pid=pid: _export_plot(window, pid))
    add("export_window", "Whole window (PNG)…",
        lambda: export.ask_widget_png(window, window, "microgpt-window.png"))


def plot_scene(panel):
    """The pyqtgraph scene of a panel's main plot, for PNG/SVG export."""
    for attr in ("glw", "plot"):
        widget = getattr(panel, attr, None)
        if widget is not None and hasattr(widget, "scene"):
            return widget.scene()
    return None


def _export_plot(window, pid: str) -> None:
    panel = window.panels.get(pid)
    if panel is None:
        QMessageBox.information(window, "Export", "That view is not available.")
        return
    scene = plot_scene(panel)
    if scene is None:  # a composite panel: a picture of it as shown
        def ask():
            return export.ask_widget_png(window, panel, f"{pid}.png")
    else:
        def ask():
            return export.ask_plot(window, scene, f"{pid}.png")
    dock = getattr(window, "docks", {}).get(pid)
    if dock is not None and not panel.on_screen():
        # Panels draw only while on screen: one behind another tab (or closed) exported
        # an empty or out-of-date picture. Show it, let it draw, then export.
        ExportWhenDrawn(window, panel, dock, ask)
        return
    ask()


def _export_names(window) -> None:
    sampling = window.panels.get("sampling")
    names = sampling.names() if sampling is not None and hasattr(sampling, "names") else []
    export.ask_names(window, names)
