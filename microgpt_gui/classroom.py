"""Plugs the classroom features (issue 5) into the main window.

MainWindow calls install(window) once; everything goes through its extension points
(add_panel, add_action, menus, config_modifiers), like analysis_hooks. What it adds:
projector mode (F11) and a demo toolbar, Help ▸ Shortcuts and "What am I seeing?" (F1),
live-change markers on the curves plus a live validation interval, the per-letter
surprise panel, head roles under the attention heads, name-quality stats under the
generated names, File ▸ Open/Save lesson and the lesson's notes (N).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLayout,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
)

from . import demo_toolbar, help_texts
from .head_roles_view import HeadRoles
from .lesson import bundled_lessons, load_lesson
from .lesson_actions import LessonManager
from .lesson_dialogs import ask_open, ask_save, open_asking
from .lesson_notes import LessonNotesPanel
from .live_changes import LiveChanges
from .name_stats import NameStats
from .panels import Panel
from .projector import HIDE_PROPERTY, ProjectorMode
from .surprise_view import SurprisePanel


class HelpPanel(Panel):
    """'What am I seeing?': every panel's explanation in one readable pane."""

    panel_id = "help"
    title = "What am I seeing?"
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, ctx):
        super().__init__(ctx)
        self.browser = QTextBrowser()
        self.browser.setHtml(help_texts.all_html())
        self.browser.setAccessibleName(self.title)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.browser)
        ctx.themes.changed.connect(self.apply_theme)

    def show_topic(self, panel_id: str) -> None:
        if panel_id in help_texts.HELP:
            self.browser.scrollToAnchor(panel_id)

    def apply_theme(self, theme) -> None:
        font = self.browser.font()
        font.setPointSize(theme.font_size)
        self.browser.setFont(font)


def toggle_dock(window, panel_id: str) -> None:
    """Show or hide a dock that projector mode puts away (F1 help, N lesson notes).
    Projector mode takes every dock out of the layout and puts back only its own; a dock
    shown while out of it would sit as a small box in the window's top-left corner, so it
    goes back into the layout first (on the left, beside the curves; leaving projector
    mode restores the desktop layout anyway), and the other docks are fitted again."""
    dock = window.docks[panel_id]
    if dock.isVisible():
        dock.hide()
        window.projector.refit()
        return
    if not dock.isFloating() and \
            window.dockWidgetArea(dock) == Qt.DockWidgetArea.NoDockWidgetArea:
        window.projector.put_in(dock, Qt.DockWidgetArea.LeftDockWidgetArea)
        return
    dock.show()
    dock.raise_()  # a tab behind another one comes to the front


def toggle_help(window) -> None:
    """F1: show or hide the help pane."""
    toggle_dock(window, "help")


def toggle_notes(window) -> None:
    """N: show or hide the open lesson's notes."""
    toggle_dock(window, "lesson_notes")


SHORTCUTS_INTRO = ("Space, S, R, G, N and D work anywhere except while typing in a text box; "
                   "on a check box, button or list you moved to with Tab, Space ticks or "
                   "presses it.")


def shortcuts_table(window) -> str:
    rows = []
    for action in window.act.values():
        key = action.shortcut().toString()
        if key:
            text = action.text().replace("&", "")
            rows.append(f"<tr><td><b>{key}</b></td><td>&nbsp;&nbsp;{text}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


def shortcuts_html(window) -> str:
    return f"<p>{SHORTCUTS_INTRO}</p>{shortcuts_table(window)}"


def show_shortcuts(window) -> QDialog:
    dialog = QDialog(window)
    dialog.setObjectName("shortcuts_dialog")
    dialog.setWindowTitle("Keyboard shortcuts")
    table = QLabel(shortcuts_table(window))
    # The opening paragraph wraps, at the table's width or 50 letters: on one line it
    # made the dialog 1,600 px wide in projector mode, its end cut off by a 1280x720
    # screen. A fixed width, so its height is known before the dialog is sized.
    intro = QLabel(SHORTCUTS_INTRO)
    intro.setWordWrap(True)
    screen = window.screen()
    room = screen.availableGeometry().width() - 80 if screen is not None else 10_000
    letters = 50 * intro.fontMetrics().averageCharWidth()
    intro.setFixedWidth(max(200, min(max(table.sizeHint().width(), letters), room)))
    lay = QVBoxLayout(dialog)
    lay.addWidget(intro)
    lay.addWidget(table)
    # Its own size, not Qt's first guess for a window (at most 2/3 of the screen's height,
    # which cut the last shortcuts off in projector mode).
    lay.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()  # not modal: it can stay open beside the window during a demo
    return dialog


def _form_row(form, field) -> list:
    """The label and every widget of the QFormLayout row holding `field` (a row's field
    may be a sub-layout, e.g. the count box beside the Generate button)."""
    if form is None:
        return []
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if item is None:
            continue
        sub = item.layout()
        if item.widget() is field or (sub is not None and sub.indexOf(field) >= 0):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            out = [label.widget()] if label is not None else []
            if sub is not None:
                out += [sub.itemAt(i).widget() for i in range(sub.count())]
            return out
    return []


def _mark_for_projector(window) -> None:
    """Widgets projector mode hides: view options and rarely used fields. The demo
    toolbar keeps Train/Step/Reset/Generate, speed and learning rate."""
    hide = []
    curves = window.panels.get("curves")
    if curves is not None:
        hide += [getattr(curves, n, None) for n in ("smoothing", "log_y", "follow", "readout")]
        hide += [x for x in curves.findChildren(QLabel) if x.text() == "Smoothing"]
    attention = window.panels.get("attention")
    if attention is not None:
        hide += [getattr(attention, n, None) for n in ("follow", "word", "readout")]
    sampling = window.panels.get("sampling")
    if sampling is not None:
        hide.append(getattr(sampling, "message", None))  # the name stats say it, bigger
        hide.append(getattr(sampling, "results", None))  # the name stats list them, flowing
        form = sampling.findChild(QFormLayout)
        for field in (getattr(sampling, "prefix", None), getattr(sampling, "count", None)):
            if field is not None:
                hide += [field, *_form_row(form, field)]
    surprise = window.panels.get("surprise")
    if surprise is not None:
        hide += [surprise.view.title, surprise.view.entry]  # the lesson sets the word
    for x in hide:
        if x is not None:
            x.setProperty(HIDE_PROPERTY, True)


def install(window) -> None:
    ctx = window.ctx
    # panels
    surprise = SurprisePanel(ctx)
    window.add_panel(surprise)
    if "attention" in window.docks:  # a tab beside the heatmaps: the desktop stays calm
        window.tabifyDockWidget(window.docks["attention"], window.docks["surprise"])
        window.docks["attention"].raise_()
    help_panel = HelpPanel(ctx)
    window.add_panel(help_panel, visible=False)
    attention = window.panels.get("attention")
    if attention is not None:
        window.head_roles = HeadRoles(attention, window.controller, window.themes)
    sampling = window.panels.get("sampling")
    if sampling is not None:
        stats = NameStats(sampling)
        window.name_stats = stats
        root = sampling.results.parentWidget().layout()  # (in its scroll area)
        root.insertWidget(max(0, root.indexOf(sampling.results)), stats)
        sampling.samples_ready.connect(lambda out: stats.show_batch([n for n, _ in out]))
        window.name_sets = NameSets(window, stats)
        window.controller.reset_done.connect(window.name_sets.load)
        window.themes.changed.connect(stats.apply_theme)
        stats.apply_theme(window.themes.theme)

    # projector mode, toolbar, shortcuts, help
    projector = ProjectorMode(window, window.themes)
    window.projector = projector
    act = window.add_action("projector", "&Projector mode", "F11", None, menu="view",
                            tip="Full screen, big text, thick lines, essentials only (F11)")
    act.setCheckable(True)
    act.toggled.connect(projector.set_active)
    projector.toggled.connect(act.setChecked)
    window.toolbar = demo_toolbar.build(window)  # (also D: the data menu)
    if sampling is not None:
        projector.toggled.connect(window.name_stats.set_show_names)
        projector.toggled.connect(sampling.set_projector)
    if attention is not None:  # another model, role labels: share out the column again
        attention.grid_height_changed.connect(projector.refit)
    window.menus["view"].addAction(window.toolbar.toggleViewAction())
    # Right-clicking the toolbar opens the View menu: the way to a panel in projector
    # mode, whose menu bar is put away (Qt's own menu there lists only the docks in the
    # layout, not those projector mode took out).
    bar = window.toolbar
    bar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    bar.customContextMenuRequested.connect(
        lambda pos: window.menus["view"].exec(bar.mapToGlobal(pos)))
    window.add_action("shortcuts", "&Keyboard shortcuts", None,
                      lambda: show_shortcuts(window), menu="help")
    window.add_action("what_am_i_seeing", "&What am I seeing?", "F1",
                      lambda: toggle_help(window), menu="help",
                      tip="Plain-language explanations of every panel (F1)")
    window.live_changes = live = LiveChanges(window)
    _mark_for_projector(window)
    for name in ("projector", "shortcuts", "what_am_i_seeing"):
        window.addAction(window.act[name])  # shortcuts work even without the menu bar

    # lessons
    lessons = LessonManager(window, projector, live)
    window.lessons = lessons
    lessons.failed.connect(window.show_error)
    file_menu = window.menus["file"]
    first = file_menu.actions()[0] if file_menu.actions() else None
    open_l = window.add_action("open_lesson", "Open &lesson…", "Ctrl+L",
                               lambda: ask_open(lessons),
                               tip="A prepared demo: data, model, settings, layout")
    save_l = window.add_action("save_lesson", "Save lesson…", "Ctrl+Shift+L",
                               lambda: ask_save(lessons),
                               tip="Save every setting as a lesson file")
    examples = QMenu("Example lessons", file_menu)
    for path in bundled_lessons():
        try:
            title = load_lesson(path).title or path.stem
        except ValueError:
            continue  # a broken bundled file must not stop the window
        examples.addAction(title, lambda p=str(path): open_asking(lessons, p))
    for a in (open_l, save_l):
        window.addAction(a)
        file_menu.insertAction(first, a)
    file_menu.insertMenu(first, examples)
    window.add_panel(LessonNotesPanel(ctx, lessons), visible=False)
    notes = window.add_action("lesson_notes", "Lesson &notes", "N",
                              lambda: toggle_notes(window),
                              tip="The open lesson's title and notes for the teacher (N)")
    window.addAction(notes)
    file_menu.insertAction(first, notes)
    file_menu.insertSeparator(first)


class NameSets:
    """Feeds the name-quality stats the whole dataset as a set and its mean length.

    The worker thread only hands over the trainer's document list (a reference: the
    trainer never changes it); the set is built by a background job, so neither the GUI
    thread nor training waits while millions of documents are hashed. The training names
    come ready-made in the run's RunInfo."""

    def __init__(self, window, stats):
        self.window, self.stats = window, stats
        self.run = 0  # bumps on every reset: only the latest run's sets are shown

    def load(self, info) -> None:
        self.run += 1
        run = self.run

        def build(docs):
            from engine.insights import mean_length

            from .runinfo import doc_set

            return doc_set(docs), mean_length(docs)

        def show(result):
            if run == self.run:
                # doc_set(trainer.docs) holds the training names too: no union needed.
                self.stats.set_data(info.train_docs, *result, complete=True)

        def got_docs(docs):
            if run == self.run:
                self.window.tasks.run(lambda _progress: build(docs), show, lambda _m: None)

        self.window.controller.call_in_worker(lambda trainer: trainer.docs, got_docs,
                                              lambda _m: None)
