"""MainWindow: composes the panels, menus, actions and status bar around a RunController.

Extension points for feature modules:
    window.add_panel(panel, area=None, visible=True) -> QDockWidget  (+ a View menu toggle)
    window.panels[panel_id], window.docks[panel_id]
    window.act[name] (QActions from actions.py), window.add_action(name, text, shortcut, slot,
        menu="file"|"run"|"view"|"help")
    window.menus["file"|"run"|"view"|"help"]
    window.themes.set_theme(theme)  (every panel's apply_theme is called)
    window.config_modifiers.append(fn)  fn(RunConfig) edits the config Reset will build
    window.refresh_needs_reset()  call after changing anything a modifier reads
    window.controller  (RunController: signals stats_batch, reset_done, state_changed, ...)
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox

from . import APP_NAME, accessibility, unsaved, window_state
from .actions import build_actions, make_action
from .attention_view import AttentionPanel
from .controller import RunController
from .controls import INT_FIELDS, LIVE, ControlsPanel
from .curves import CurvesPanel
from .data_messages import DataMessages
from .datasets import DatasetManager, LoadProgress
from .dock_tabs import hide_stale_tab_bars
from .gc_guard import GuiThreadCollector
from .keyboard import KeyboardFocus
from .panels import AppContext
from .reset_reasons import reset_reasons
from .sampling_panel import SamplingPanel
from .settings import Settings
from .statusbar import StatusBar
from .tasks import TaskRunner
from .theme import ThemeHub, follow_screen

DEFAULT_SIZE = (1360, 860)


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, autostart: bool = True):
        super().__init__()
        # First, before any thread starts: Python's cycle collector runs on this (GUI)
        # thread only while the window lives (see gc_guard: a collection on the training
        # thread deadlocked inside ~QObject).
        self.gc_guard = GuiThreadCollector(self)
        self.setWindowTitle("microgpt — watch a tiny GPT learn")
        self.resize(*DEFAULT_SIZE)
        self.setDockNestingEnabled(True)
        # Side docks run the full height; a bottom dock sits under the curves only.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.settings = settings or Settings()
        self.themes = ThemeHub(parent=self)
        self.screen_follower = follow_screen(self, self.themes)  # pens for the screen it is on
        self.controller = RunController(self)
        self.tasks = TaskRunner(self)
        self.datasets = DatasetManager(self.tasks, self)
        self.load_progress = LoadProgress(self.datasets, self)  # a slow load: bar + Cancel
        self.ctx = AppContext(self, self.controller, self.themes, self.settings, self.tasks,
                              self.datasets)
        self.panels: dict = {}
        self.docks: dict[str, QDockWidget] = {}
        self.config_modifiers: list = []
        self._closing = False
        self._asking_to_close = False
        self.fast_exit = False  # app.main() sets it: close fast, it ends the process itself
        self.messages: list[tuple[str, str]] = []  # (kind, text) of every message shown
        self.act = build_actions(self)
        self._build_menus()

        self.controls = ControlsPanel(self.ctx, self.act)
        self.curves = CurvesPanel(self.ctx)
        self.attention = AttentionPanel(self.ctx)
        self.sampling = SamplingPanel(self.ctx, self.act)
        self.panels["curves"] = self.curves
        self.setCentralWidget(self.curves)  # the curves are the show: always there
        # docks added later must not squash them (their height: CurvesPanel's plots')
        self.curves.setMinimumWidth(360)
        self.add_panel(self.controls)
        self.add_panel(self.attention)
        self.add_panel(self.sampling, Qt.DockWidgetArea.RightDockWidgetArea)
        self.status = StatusBar(self.controller, self)
        self.setStatusBar(self.status)
        self.themes.changed.connect(self._apply_theme)

        self.data_messages = DataMessages(self)  # loading: progress, the data box, errors
        self._connect()
        from . import analysis_hooks  # explorer, runs, embeddings, time-lapse, checkpoints

        analysis_hooks.install(self)
        from . import classroom  # projector mode, shortcuts, lessons, classroom views

        classroom.install(self)
        self.unsaved = unsaved.install(self)  # Reset, Open checkpoint, quit: ask first
        from . import recent_files  # File ▸ Open recent

        self.recent = recent_files.install(self)
        window_state.restore(self)
        from . import text_size  # View ▸ Larger / Smaller text, last session's size

        text_size.install(self)
        if recent_files.KEY in self.settings.unreadable:
            self.restore_problems.append("File ▸ Open recent")
        hide_stale_tab_bars(self)  # Qt's leftovers from tabifying the docks above
        accessibility.name_qt_buttons(self)  # Qt's textless buttons: », clear, corner
        # Space ticks/presses a control reached with Tab, else it is Train (keyboard.py);
        # the window opens with the focus on the curves, not in the first spin box that
        # would swallow Space, S, R and G.
        self.keyboard = KeyboardFocus(self)
        self.curves.setFocus()
        self._update_actions()
        # Last time's data (autostart), and what could not be restored or will not be
        # saved, said once the window is up.
        self.data_messages.start_load = window_state.start(self, autostart)

    # --- extension points ------------------------------------------------------------------
    def add_panel(self, panel, area=None, visible: bool = True) -> QDockWidget:
        dock = QDockWidget(panel.title, self)
        dock.setObjectName(f"dock-{panel.panel_id}")  # saveState() keys on this
        dock.setWidget(panel)
        dock.visibilityChanged.connect(panel.view_changed)
        self.addDockWidget(area or panel.area, dock)
        dock.setVisible(visible)
        self.panels[panel.panel_id] = panel
        self.docks[panel.panel_id] = dock
        toggle = dock.toggleViewAction()
        toggle.setText(panel.title)
        # Ticked in View: bring it to the front. Qt shows a tabbed dock again behind the
        # tab that was in front, so the view the user asked for stayed out of sight.
        toggle.triggered.connect(lambda checked, d=dock: d.raise_() if checked else None)
        self.menus["view"].addAction(toggle)
        if panel.help_text:
            panel.setToolTip(panel.help_text)
        return dock

    def add_action(self, name, text, shortcut=None, slot=None, menu: str | None = None,
                   tip: str = ""):
        action = make_action(self, name, text, shortcut, tip)
        if slot is not None:
            action.triggered.connect(slot)
        self.act[name] = action
        (self.menus[menu] if menu else self).addAction(action)
        return action

    def build_config(self):
        """The RunConfig Reset would build: the controls, then every modifier."""
        cfg = self.controls.config()
        for fn in self.config_modifiers:
            fn(cfg)
        return cfg

    # --- wiring ----------------------------------------------------------------------------
    def _build_menus(self):
        bar = self.menuBar()
        self.menus = {"file": bar.addMenu("&File"), "run": bar.addMenu("&Run"),
                      "view": bar.addMenu("&View"), "help": bar.addMenu("&Help")}
        a, m = self.act, self.menus
        for name in ("open_dataset", "bundled_dataset", "download_makemore"):
            m["file"].addAction(a[name])
        m["file"].addSeparator()
        m["file"].addAction(a["quit"])
        for name in ("train", "step", "reset"):
            m["run"].addAction(a[name])
        m["run"].addSeparator()
        m["run"].addAction(a["generate"])
        m["help"].addAction(a["about"])
        for action in a.values():
            self.addAction(action)  # shortcuts work even with the menu bar hidden

    def _connect(self):
        a, c = self.act, self.controller
        a["train"].triggered.connect(c.toggle)
        a["step"].triggered.connect(c.step_once)
        a["reset"].triggered.connect(self.confirm_reset)
        a["generate"].triggered.connect(self.sampling.generate)
        a["open_dataset"].triggered.connect(self.data_messages.ask_open)
        a["bundled_dataset"].triggered.connect(self.datasets.load_bundled)
        a["download_makemore"].triggered.connect(self.datasets.download_makemore)
        a["quit"].triggered.connect(self.close)
        a["about"].triggered.connect(self.about)
        c.state_changed.connect(self._update_actions)
        c.reset_done.connect(self._on_reset_done)
        c.error.connect(self.show_error)
        c.notice.connect(self._on_notice)
        self.controls.edited.connect(self.refresh_needs_reset)
        self.controls.learning_rate_edited.connect(c.set_learning_rate)
        self.controls.num_steps_edited.connect(self._num_steps_edited)
        self.controls.speed_edited.connect(c.set_speed)

    # --- commands --------------------------------------------------------------------------
    def confirm_reset(self):
        """Reset (R, the button, "Reset with these"), after asking about a long unsaved run."""
        self.unsaved.confirm("start a new model", self.reset)

    def reset(self):
        problem = self.controls.problem_text()
        if problem:
            self.show_error(problem)
            return
        if self.datasets.dataset is None:
            self.show_error("No dataset loaded yet: open a text file or use the bundled names.")
            return
        self.controller.reset(self.build_config(), self.datasets.dataset)
        self._update_actions()

    def show_error(self, message: str):
        self.show_message(message, QMessageBox.Icon.Warning)

    def show_message(self, message: str, icon=QMessageBox.Icon.Information):
        """A message box that does not block: errors arrive from worker threads while
        training runs, and a nested modal loop there would reorder their signals."""
        self.messages.append((icon.name, message))
        self.statusBar().showMessage(message.splitlines()[0], 8000)
        if self._closing:
            return
        box = QMessageBox(icon, APP_NAME, message, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def about(self):
        from .about import show_about

        return show_about(self)

    # --- reactions -------------------------------------------------------------------------
    def _on_reset_done(self, info):
        self.refresh_needs_reset()
        self._update_actions()
        self.statusBar().showMessage(
            f"New model: {info.num_params:,} parameters, {info.num_train:,} training docs, "
            f"{info.num_val:,} validation docs", 5000)

    def _on_notice(self, message: str):
        self.show_message(message, QMessageBox.Icon.Information)

    def _num_steps_edited(self, num_steps: int) -> None:
        if self.controller.set_num_steps(num_steps):
            self.refresh_needs_reset()  # (applied: no Reset needed for it any more)
            self._update_actions()

    def refresh_needs_reset(self):
        """Tell the user which edited settings only a Reset will apply."""
        info = self.controller.info
        if info is None or self.controls.problem_text():
            self.controls.set_needs_reset([])
            self._update_actions()
            return
        ds = self.datasets.dataset
        labels = {name: spec[0] for name, spec in INT_FIELDS.items()}
        labels.update(learning_rate="Learning rate", val_every="Validate every")
        self.controls.set_needs_reset(reset_reasons(
            self.build_config(), info.config, labels, LIVE,
            data_changed=ds is not None and ds.source != info.dataset_source))
        self._update_actions()

    def _update_actions(self, *_):
        c, a = self.controller, self.act
        has_run = c.info is not None
        running = c.state == "running"
        a["train"].setText("&Pause" if running else "&Train")
        a["train"].setEnabled(has_run and c.state != "finished")
        a["step"].setEnabled(has_run and not running and c.state != "finished")
        a["reset"].setEnabled(not self.controls.problem_text())
        a["generate"].setEnabled(has_run)

    def _apply_theme(self, theme):
        for panel in self.panels.values():
            panel.apply_theme(theme)

    # --- settings and lifecycle ----------------------------------------------------------
    def save_settings(self):
        window_state.save(self)

    def closeEvent(self, event):
        if not self._closing and self.unsaved.at_risk():
            # "Don't save" goes on with this close; "Save" closes again once saved.
            self._asking_to_close = True
            try:
                went_on = self.unsaved.confirm("quit", self._close_after_save)
            finally:
                self._asking_to_close = False
            if not went_on:
                event.ignore()
                return
        self._closing = True
        # The desktop's layout is the one to save (not the projector's, with the controls
        # put away) and its fonts the ones to leave behind. Only now: a close cancelled
        # at "Save a checkpoint first?" stays in projector mode.
        self.projector.set_active(False)
        self.save_settings()
        self.text_size.window_closed()
        self.datasets.cancel()  # a load in progress: stop it, close its progress dialog
        for panel in self.panels.values():
            for timer in panel.findChildren(type(self.status.timer)):
                timer.stop()
        self.status.timer.stop()
        if self.fast_exit:
            # The app closes within a second: a step, file load or sampling job that cannot
            # stop within these waits is left running, and app.main() ends the process
            # without waiting for it (threads_running()).
            self.tasks.shutdown(timeout_ms=300)
            self.controller.shutdown(timeout_ms=500)
        else:
            # Embedded (tests, benchmarks): this process lives on, so no thread may outlive
            # the window (it would emit into deleted objects): wait for them to end.
            self.tasks.shutdown(timeout_ms=None)
            self.controller.shutdown(timeout_ms=None)
        if not self.threads_running():  # else (fast exit) the process is about to end
            self.gc_guard.stop()
        super().closeEvent(event)

    def _close_after_save(self):
        if not self._asking_to_close:  # (else the close in progress simply goes on)
            self.close()

    def threads_running(self) -> bool:
        """A background job or the training thread has not ended (after closeEvent)."""
        c = self.controller
        return bool(self.tasks.active or c._tasks.active) or c.worker_thread.isRunning()

