"""The demo toolbar: what a class demo touches, and all projector mode keeps of the controls.

Train / Step / Reset / Generate, the data (a menu: the bundled names, makemore's names or
a text file), the speed and the learning rate, and the projector toggle. The data menu is
also D: projector mode puts the controls dock and the menu bar away, and with them the
only other ways to the bundled and makemore names, so the button is reached with Tab too
(a click leaves the focus where it was, so Space still trains).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QMenu, QToolBar, QToolButton

DATA_ACTIONS = ("bundled_dataset", "download_makemore", "open_dataset")


def build(window) -> QToolBar:
    bar = QToolBar("Demo", window)
    bar.setObjectName("toolbar-demo")
    bar.data_button, bar.data_menu = _data_button(window, bar)
    bar.addWidget(bar.data_button)
    bar.addSeparator()
    for name in ("train", "step", "reset", "generate"):
        bar.addAction(window.act[name])
    bar.addWidget(_speed_box(window))
    lr_src = window.controls.fields.get("learning_rate")
    if lr_src is not None:  # the one hyperparameter worth changing live in front of a class
        lr_label = QLabel(" lr ")
        bar.addWidget(lr_label)
        lr = QDoubleSpinBox()
        lr.setObjectName("toolbar-lr")
        lr_label.setBuddy(lr)
        lr.setAccessibleName("Learning rate")  # "lr" is short for the slide, not for ears
        lr.setDecimals(lr_src.decimals())
        lr.setRange(lr_src.minimum(), lr_src.maximum())
        lr.setSingleStep(lr_src.singleStep())
        lr.setValue(lr_src.value())
        lr.setKeyboardTracking(False)
        lr.setToolTip(lr_src.toolTip())  # (the controls' own: it changes live)
        lr.valueChanged.connect(lr_src.setValue)
        lr_src.valueChanged.connect(lr.setValue)
        bar.addWidget(lr)
    bar.addSeparator()
    bar.addAction(window.act["projector"])
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    window.add_action("data_menu", "Choose the &data…", "D", lambda: show_data_menu(window),
                      tip="Bundled names, makemore names or a text file (D)")
    return bar


def _data_button(window, bar) -> tuple[QToolButton, QMenu]:
    menu = QMenu("Data", bar)
    menu.setObjectName("data-menu")
    for name in DATA_ACTIONS:
        menu.addAction(window.act[name])
    button = QToolButton()
    button.setObjectName("toolbar-data")
    button.setText("Data ▾")
    button.setToolTip("Which names to train on: bundled, makemore's or a text file (D)")
    # Tab reaches it (Space opens the menu, keyboard.py); a click leaves Space to Train.
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    # popup(), not the button's own menu: that runs a nested event loop (QMenu.exec).
    button.clicked.connect(lambda: show_data_menu(window))
    return button, menu


def show_data_menu(window) -> QMenu:
    """The data menu under its toolbar button (or at the curves if the button is hidden),
    its first entry selected so arrows and Enter work at once."""
    bar = window.toolbar
    button, menu = bar.data_button, bar.data_menu
    if button.isVisible():
        pos = button.mapToGlobal(QPoint(0, button.height()))
    else:  # the toolbar is hidden or too narrow for the button
        pos = window.centralWidget().mapToGlobal(QPoint(20, 20))
    # Qt's Fusion style leaves a gap of a few fixed pixels between the longest entry and
    # the shortcut column, too little at projector font sizes: it drew "Download
    # ma…more names…". Two letters' more room, in the menu's font of the moment.
    menu.setMinimumWidth(0)
    menu.setMinimumWidth(menu.sizeHint().width() + 2 * menu.fontMetrics().horizontalAdvance("M"))
    menu.popup(pos)
    menu.setActiveAction(menu.actions()[0])
    return menu


def _speed_box(window) -> QComboBox:
    speed = QComboBox()
    speed.setObjectName("toolbar-speed")
    src = window.controls.speed
    for i in range(src.count()):
        speed.addItem(src.itemText(i), src.itemData(i))
    speed.setCurrentIndex(src.currentIndex())
    speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep Space for Train
    speed.setAccessibleName("Speed")  # (no label: the values say "steps/s")
    speed.setToolTip(src.toolTip())
    speed.currentIndexChanged.connect(src.setCurrentIndex)
    src.currentIndexChanged.connect(speed.setCurrentIndex)
    return speed
