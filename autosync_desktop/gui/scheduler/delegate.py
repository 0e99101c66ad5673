"""Paints one schedule per row of the Schedules list (two lines, elided to the width it gets) and finds the
last-runs dot under the mouse; `ScheduleList` is the list view that opens a run when one is clicked."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QHelpEvent, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from autosync_desktop import domain
from autosync_desktop.gui import theme
from autosync_desktop.gui.scheduler import describe
from autosync_desktop.gui.scheduler.model import ENTRY_ROLE, Entry

# a badge's fill behind white text (each >= 4.5:1 with white)
PLATFORM_COLORS = {"demo": "#6b21a8", "google_ads": "#1967d2", "meta_ads": "#4338ca", "linkedin_ads": "#0a5ca8",
                   "microsoft_ads": "#107c10", "ga4": "#a14a07", "tiktok_ads": "#be123c", "x_ads": "#3f3f46",
                   "export": "#0f766e"}  # an export schedule ("the morning file"): its badge reads "File"
DOTS = 10
DOT = 10
DOT_GAP = 4
PAD = 8
STATUS_W = 116
_Index = QModelIndex | QPersistentModelIndex


def _entry(index: _Index) -> Entry | None:
    value = index.data(ENTRY_ROLE)
    return value if isinstance(value, Entry) else None


def dot_rects(rect: QRect, entry: Entry) -> list[tuple[QRect, domain.ScheduleRun]]:
    """The last runs' dots on the first line's right end, oldest left, newest right."""
    runs = list(reversed(entry.recent[:DOTS]))
    right = rect.right() - PAD
    top = rect.top() + PAD + 3
    out = []
    for i, run in enumerate(runs):
        x = right - (len(runs) - i) * (DOT + DOT_GAP) + DOT_GAP
        out.append((QRect(x, top, DOT, DOT), run))
    return out


def run_tip(run: domain.ScheduleRun) -> str:
    from autosync_desktop.gui import formatting as fmt

    text = f"Run #{run.id} · {theme.label_of(run.status.value)} · {fmt.fmt_time(run.queued_at)}"
    if run.status == domain.RunStatus.SUCCEEDED:
        text += f" · {run.rows:,} rows in {fmt.duration(run.duration_s)}"
    words = describe.error_words(run.error, run.reason, run.status.value)
    if words and run.status != domain.RunStatus.SUCCEEDED:
        text += f"\n{words}"
    return text + "\nClick to open it in History"


class ScheduleDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        height = option.fontMetrics.height()
        return QSize(0, 2 * height + 2 * PAD + 6)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        entry = _entry(index)
        if entry is None:
            return
        rect: QRect = option.rect
        palette: QPalette = option.palette
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        elif bool(state & QStyle.StateFlag.State_MouseOver):
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(palette.color(QPalette.ColorRole.Midlight))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        text_color = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = text_color if selected else theme.muted_color(palette)
        base_font = QFont(option.font)
        fm = painter.fontMetrics()
        line = fm.height()
        x = rect.left() + PAD
        top1 = rect.top() + PAD
        top2 = top1 + line + 4
        # status: icon + word (never colour alone)
        status, word = entry.status()
        theme.status_icon(status).paint(painter, QRect(x, top1 + (line - 16) // 2, 16, 16))
        bold = QFont(base_font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(text_color if selected else theme.status_color(status, palette))
        painter.drawText(QRect(x + 20, top1, STATUS_W - 22, line), Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(word, Qt.TextElideMode.ElideRight, STATUS_W - 22))
        # right end of line 1: the last runs
        dots = dot_rects(rect, entry)
        strip_left = dots[0][0].left() - PAD if dots else rect.right() - PAD
        for dot, run in dots:
            self._dot(painter, dot, run.status.value, palette, selected)
        # platform badge + name
        name_x = x + STATUS_W
        badge_text = describe.platform_short(entry.item.platform, entry.item.platform_label)
        small = QFont(base_font)
        small.setWeight(QFont.Weight.DemiBold)
        painter.setFont(small)
        badge_w = painter.fontMetrics().horizontalAdvance(badge_text) + 12
        room = max(0, strip_left - name_x - badge_w - 2 * PAD)
        painter.setFont(bold)
        name = painter.fontMetrics().elidedText(entry.name, Qt.TextElideMode.ElideRight, room)
        name_w = painter.fontMetrics().horizontalAdvance(name)
        painter.setPen(text_color)
        painter.drawText(QRect(name_x, top1, room, line), Qt.AlignmentFlag.AlignVCenter, name)
        badge = QRectF(name_x + name_w + PAD, top1 + 1, badge_w, line - 2)
        if room > 0:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(PLATFORM_COLORS.get(entry.item.platform, "#3f3f46")))
            painter.drawRoundedRect(badge, 4, 4)
            painter.setFont(small)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, badge_text)
        # line 2: account and when (or what went wrong) on the left, the next run or live progress on the right
        painter.setFont(base_font)
        fm = painter.fontMetrics()
        right_text = entry.progress_text() if entry.run_id is not None else entry.next_text(self_now(index))
        right_w = min(fm.horizontalAdvance(right_text) + 4, max(0, (rect.width() - STATUS_W) * 3 // 5))
        right_text = fm.elidedText(right_text, Qt.TextElideMode.ElideRight, right_w)
        painter.setPen(text_color if selected else palette.color(QPalette.ColorRole.Text))
        painter.drawText(QRect(rect.right() - PAD - right_w, top2, right_w, line),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, right_text)
        words, _ = entry.problem()
        left_text = f"{entry.owner} · " + (words if words and entry.run_id is None else entry.when())
        left_w = max(0, rect.right() - PAD - right_w - PAD - name_x)
        painter.setPen(text_color if selected else (theme.status_color("failed", palette) if words and
                                                      entry.run_id is None else muted))
        painter.drawText(QRect(name_x, top2, left_w, line), Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(left_text, Qt.TextElideMode.ElideRight, left_w))
        if entry.run_id is not None:  # a thin progress line along the row's bottom
            bar = QRect(rect.left(), rect.bottom() - 3, rect.width(), 3)
            painter.fillRect(bar, palette.color(QPalette.ColorRole.Midlight))
            share = min(1.0, (entry.done + 0.5) / entry.total) if entry.total else 0.15
            painter.fillRect(QRect(bar.left(), bar.top(), int(bar.width() * share), 3),
                             QColor(theme.CHART["running"]))
        painter.restore()

    @staticmethod
    def _dot(painter: QPainter, rect: QRect, status: str, palette: QPalette, selected: bool) -> None:
        """Succeeded: a filled circle; failed: a filled square; skipped/cancelled: a ring; active: a ring with a
        centre (shape as well as colour)."""
        color = QColor(theme.CHART.get(status, theme.CHART["cancelled"]))
        if status == "interrupted":
            color = QColor(theme.CHART["failed"])
        painter.setPen(QColor(palette.color(QPalette.ColorRole.HighlightedText)) if selected else Qt.PenStyle.NoPen)
        kind = theme.kind_of(status)
        if kind == "ok":
            painter.setBrush(color)
            painter.drawEllipse(rect)
        elif kind == "failed":
            painter.setBrush(color)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        elif kind == "running":
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(color)
            painter.drawEllipse(rect.adjusted(1, 1, -1, -1))
            painter.setBrush(color)
            painter.drawEllipse(rect.adjusted(3, 3, -3, -3))
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(color, 2))
            painter.drawEllipse(rect.adjusted(1, 1, -1, -1))

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem,
                  index: _Index) -> bool:
        entry = _entry(index)
        if entry is not None:
            for rect, run in dot_rects(option.rect, entry):
                if rect.adjusted(-2, -3, 2, 3).contains(event.pos()):
                    QToolTip.showText(event.globalPos(), run_tip(run), view)
                    return True
        return super().helpEvent(event, view, option, index)


def self_now(index: _Index) -> datetime:
    """The model's "now" (the view sets it each minute), else the wall clock."""
    now = getattr(index.model(), "now", None)
    return now if isinstance(now, datetime) else datetime.now(UTC)


class ScheduleList(QListView):
    """The list of schedules; a click on one of a row's last-runs dots emits `run_clicked(run_id)`."""

    run_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(ScheduleDelegate(self))
        self.setUniformItemSizes(True)
        self.setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def run_at(self, pos: QPoint) -> int | None:
        index = self.indexAt(pos)
        entry = _entry(index) if index.isValid() else None
        if entry is None:
            return None
        for rect, run in dot_rects(self.visualRect(index), entry):
            if rect.adjusted(-2, -3, 2, 3).contains(pos):
                return run.id
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            run_id = self.run_at(event.position().toPoint())
            if run_id is not None:
                self.run_clicked.emit(run_id)
                event.accept()
                return
        super().mousePressEvent(event)
