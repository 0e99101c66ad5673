"""The schedule editor's "Write a file (morning file)" fields: which accounts (all, or chosen ones), the range in
plain words ("Last 30 days", "Month to date"), the format, and the file with a Browse… button.

`ExportFields.check()` turns them into an `ExportSpec` through the services' own `make_spec` (a UserError names
the field, shown under it); nothing here touches the store. Whether the file's folder exists is asked on the read
lane (a network drive may be slow), remembered per path, and shown when the answer comes. The format follows the
file's extension and changing the format changes the extension, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.errors import UserError
from autosync_desktop.gui.widgets.dialogs import split_field
from autosync_desktop.gui.widgets.field_error import FieldError
from autosync_desktop.services.export_schedules import (
    FORMAT_WORDS,
    FORMATS,
    RANGES,
    ExportSpec,
    folder_problem,
    make_spec,
)

if TYPE_CHECKING:
    from autosync_desktop.gui.workers import Workers

LABELS = {"--accounts": "Accounts", "--range": "Range", "--format": "Format", "--output": "File"}
FILTERS = "Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv);;Parquet (*.parquet)"


def default_output() -> str:
    """ads.xlsx in the Documents folder, or in the home folder when there is none."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return str(Path(folder or Path.home()) / "ads.xlsx")  # no file-system look-up here: the GUI thread


class ExportFields(QWidget):
    changed = Signal(str)  # the field (--accounts, --range, --format, --output) the person changed

    def __init__(self, accounts: Sequence[domain.AccountInfo], workers: Workers | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workers = workers
        self.folders: dict[str, str | None] = {}  # path -> its folder problem (None: fine, or not answered yet)
        self.errors = {field: FieldError(label) for field, label in LABELS.items()}
        self.who = QComboBox()
        self.who.addItem("All accounts (also those added later)", "all")
        self.who.addItem("Chosen accounts", "chosen")
        self.chosen = QListWidget()
        self.chosen.setAccessibleName("Chosen accounts")
        for account in accounts:
            item = QListWidgetItem(account.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(account.name)
            self.chosen.addItem(item)
        self.chosen.setMaximumHeight(110)
        self.chosen.setVisible(False)
        self.range = QComboBox()
        for key, words in RANGES.items():
            self.range.addItem(words, key)
        self.range.setCurrentIndex(self.range.findData("last_30_days"))
        self.format = QComboBox()
        for key in FORMATS:
            self.format.addItem(f"{FORMAT_WORDS[key]} (.{key})", key)
        self.output = QLineEdit(default_output())
        self.output.setPlaceholderText("e.g. ~/AutoSync/ads.xlsx")
        self.browse = QPushButton("Browse…")
        self.browse.setAccessibleName("Browse for the file")
        self.browse.clicked.connect(self._browse)
        self._sync_format_from_path()
        self.who.currentIndexChanged.connect(self._who_changed)
        self.chosen.itemChanged.connect(lambda _: self.changed.emit("--accounts"))
        self.range.currentIndexChanged.connect(lambda _: self.changed.emit("--range"))
        self.format.currentIndexChanged.connect(self._format_changed)
        self.output.textEdited.connect(self._path_edited)

    # --- rows for the editor's form ---

    def accounts_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.who)
        column.addWidget(self.chosen)
        self.who.setAccessibleName("Accounts")
        return box

    def output_box(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.output, 1)
        row.addWidget(self.browse)
        return box

    # --- behaviour ---

    def _who_changed(self) -> None:
        self.chosen.setVisible(self.who.currentData() == "chosen")
        self.changed.emit("--accounts")

    def _browse(self) -> None:
        start = self.output.text().strip() or default_output()
        chosen, _ = QFileDialog.getSaveFileName(self, "Where to write the morning file", start, FILTERS)
        if chosen:
            self.output.setText(chosen)
            self._sync_format_from_path()
            self.changed.emit("--output")

    def _path_edited(self, _text: str) -> None:
        self._sync_format_from_path()
        self.changed.emit("--output")

    def _sync_format_from_path(self) -> None:
        suffix = Path(self.output.text().strip()).suffix.lower().lstrip(".")
        if suffix in FORMATS and self.format.currentData() != suffix:
            self.format.blockSignals(True)
            self.format.setCurrentIndex(self.format.findData(suffix))
            self.format.blockSignals(False)

    def _format_changed(self) -> None:
        text = self.output.text().strip()
        fmt = self.format.currentData()
        if text and Path(text).suffix.lower().lstrip(".") in FORMATS and not text.lower().endswith(f".{fmt}"):
            self.output.setText(str(Path(text).with_suffix(f".{fmt}")))
        self.changed.emit("--format")

    def chosen_names(self) -> list[str]:
        return [self.chosen.item(i).text() for i in range(self.chosen.count())
                if self.chosen.item(i).checkState() == Qt.CheckState.Checked]

    def check(self) -> tuple[ExportSpec | None, dict[str, str]]:
        """The options as set, or the messages by field (without the field's name)."""
        names = self.chosen_names() if self.who.currentData() == "chosen" else None
        if names is not None and not names:
            return None, {"--accounts": "tick at least one account, or choose All accounts"}
        try:
            spec = make_spec(self.output.text(), self.range.currentData(), self.format.currentData(), names,
                             check_folder=False)
        except UserError as exc:
            field, message = split_field(str(exc))
            return None, {field or "--output": message}
        problem = self._folder_problem(spec.output)
        return (None, {"--output": problem}) if problem else (spec, {})

    def _folder_problem(self, output: str) -> str | None:
        """The remembered answer for `output`; the first time, None while it is asked on the read lane (saving
        checks again in the service)."""
        if output not in self.folders:
            self.folders[output] = None
            if self.workers is not None:
                self.workers.run(folder_problem, output, lane="read", owner=self,
                                 on_done=partial(self._folder_answered, output),
                                 on_error=partial(self._folder_unknown, output))
        return self.folders[output]

    def _folder_unknown(self, output: str, _error: Exception) -> None:
        self.folders.pop(output, None)  # could not be asked: ask again at the next check (saving checks it anyway)

    def forget_folders(self) -> None:
        """Ask again (Save: the person may have created the folder meanwhile; the service checks it anyway)."""
        self.folders.clear()

    def _folder_answered(self, output: str, problem: str | None) -> None:
        self.folders[output] = problem
        if problem:
            self.changed.emit("--output")  # the editor validates again and shows it

    def fill(self, spec: ExportSpec) -> None:
        self.output.setText(spec.output)
        self.range.setCurrentIndex(max(0, self.range.findData(spec.range)))
        self.format.blockSignals(True)
        self.format.setCurrentIndex(max(0, self.format.findData(spec.format)))
        self.format.blockSignals(False)
        self.who.setCurrentIndex(1 if spec.accounts else 0)
        self.chosen.setVisible(bool(spec.accounts))
        wanted = {n.casefold() for n in spec.accounts or ()}
        for i in range(self.chosen.count()):
            item = self.chosen.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text().casefold() in wanted else Qt.CheckState.Unchecked)
