"""The window's first frame: shown before the heavy imports and the store, replaced by the real window.

`show_first_frame()` needs only QtWidgets and the theme: it paints the window's title, icon and tab names with
"Starting…" at the size and place the real window will take (its remembered geometry), so a person sees the
window at once while the pages, the charts and the store are loaded. The main window then opens over it at the
same geometry and the frame closes.

`AUTOSYNC_FIRST_FRAME=PATH` (benchmarks/cold_start.py, tests) also grabs the painted frame into PATH and prints
"First frame saved to PATH" on stdout.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QEventLoop, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QWidget

from autosync_desktop.gui import theme

TAB_TITLES = ("Dashboard", "Scheduler", "History", "Data", "Settings")
FIRST_FRAME_ENV = "AUTOSYNC_FIRST_FRAME"


class StartupFrame(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("AutoSync Desktop")
        self.setWindowIcon(theme.app_icon())
        self.setAccessibleName("AutoSync Desktop starting")
        starting = QLabel("Starting…")
        starting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        starting.setAccessibleName("Starting")
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        for index, title in enumerate(TAB_TITLES):
            tabs.addTab(starting if index == 0 else QWidget(), title)
        self.setCentralWidget(tabs)
        self.statusBar().showMessage("Loading…")


def show_first_frame(size: tuple[int, int], geometry: QByteArray | None = None) -> StartupFrame:
    """Show the frame (at `geometry` when the window remembered one, else `size`) and let it paint."""
    frame = StartupFrame()
    if geometry is None or not frame.restoreGeometry(geometry):
        frame.resize(*size)
    frame.show()
    QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    target = os.environ.get(FIRST_FRAME_ENV)
    if target:
        frame.grab().save(str(Path(target)))
        print(f"First frame saved to {target}", flush=True)
    return frame
