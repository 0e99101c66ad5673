"""The Data page's chart: spend per day as bars and conversions as a line, for the rows the filters match.

Drawn with QPainter (nothing heavy is imported, so the first frame is not delayed). The series is read in a
worker (`read_series`: one totals query per day through `services.data.summary`, at most MAX_DAYS days). Money
of one currency only (currencies are never added together); a day without rows is a gap, not a zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from autosync_desktop.domain import StatsFilter
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui import theme

MAX_DAYS = 92
SPEND = "#3b7ddd"  # mid-tone blue: reads on light and dark windows
CONVERSIONS = "#e08a1e"  # orange line, also told apart by its dots and the legend's words


@dataclass(frozen=True)
class DayPoint:
    day: date
    spend: Decimal | None  # None: no row that day, or no cost reported
    conversions: float | None


@dataclass(frozen=True)
class Series:
    currency: str | None
    points: tuple[DayPoint, ...]
    note: str = ""  # e.g. "Only USD is charted; pick an account to see EUR"


def chart_range(filters: StatsFilter, newest: date | None, oldest: date | None) -> tuple[date, date] | None:
    """The days to chart: the filter's range, else the data's; the newest MAX_DAYS of it."""
    last = filters.until or newest
    first = filters.since or oldest
    if last is None or first is None or first > last:
        return None
    return max(first, last - timedelta(days=MAX_DAYS - 1)), last


def read_series(services: Any, filters: StatsFilter, currency_hint: str | None = None) -> Series:
    """The per-day spend and conversions of the matching rows (runs in a worker)."""
    newest_page = services.data.stats(filters, 1, 0)
    if not newest_page.rows:
        return Series(None, ())
    newest = newest_page.rows[0].day
    oldest = filters.since or (newest - timedelta(days=MAX_DAYS - 1))
    days = chart_range(filters, newest, oldest)
    if days is None:
        return Series(None, ())
    first, last = days
    per_day: list[tuple[date, dict[str | None, Any]]] = []
    currencies: dict[str | None, int] = {}
    day = first
    while day <= last:
        summary = services.data.summary(StatsFilter(account=filters.account, campaign_id=filters.campaign_id,
                                                    since=day, until=day))
        totals = {t.currency: t for t in summary.totals}
        for total in summary.totals:
            currencies[total.currency] = currencies.get(total.currency, 0) + total.rows
        per_day.append((day, totals))
        day += timedelta(days=1)
    if not currencies:
        return Series(None, tuple(DayPoint(d, None, None) for d, _ in per_day))
    currency = currency_hint if currency_hint in currencies else max(currencies, key=lambda c: currencies[c])
    points = []
    for day, totals in per_day:
        total = totals.get(currency)
        spend = total.cost.amount if total is not None and total.cost is not None else None
        points.append(DayPoint(day, spend, None if total is None else total.conversions))
    others = [c or "no currency" for c in currencies if c != currency]
    note = f"Spend in {currency or 'no currency'} only; pick an account to chart {', '.join(others)}" if others \
        else ""
    return Series(currency, tuple(points), note)


def axis(value: float, most: int = 5) -> tuple[float, int]:
    """(top, steps) of an axis from 0 showing `value`: steps of 1, 2, 2.5 or 5 x 10^n, at most `most` of them."""
    if value <= 0:
        return 1.0, 4
    power = 10.0 ** math.floor(math.log10(value / most))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0, 20.0):
        step = factor * power
        steps = math.ceil(value / step - 1e-9)
        if steps <= most:
            return float(step * max(steps, 1)), max(steps, 1)
    return float(value), 1


def axis_in_steps(value: float, steps: int) -> float:
    """The top of a second axis sharing `steps` grid lines with the first: the smallest nice step that fits."""
    if value <= 0:
        return float(steps)
    power = 10.0 ** math.floor(math.log10(value / steps))
    for factor in (1.0, 2.0, 2.5, 4.0, 5.0, 10.0, 20.0):
        if factor * power * steps >= value - 1e-9:
            return float(factor * power * steps)
    return float(value)


def axis_titles(series: Series) -> tuple[str, str, str]:
    """(bottom, left, right) axis titles with their units: the days, the spend's currency, the conversions."""
    return ("Day (each account's own calendar days)", f"Spend ({series.currency or 'no currency'})",
            "Conversions (count)")


def nice_max(value: float) -> float:
    """A round axis maximum at or above `value`."""
    return axis(value)[0]


class SpendChart(QWidget):
    """Bars (spend, left axis) and a line with dots (conversions, right axis), one slot per day."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Spend and conversions per day")
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.series: Series | None = None
        self.message = "Loading…"

    def set_series(self, series: Series | None, message: str = "") -> None:
        self.series = series
        self.message = message
        if series is not None and series.points:
            spend = sum((p.spend for p in series.points if p.spend is not None), Decimal(0))
            conversions = sum(p.conversions for p in series.points if p.conversions is not None)
            self.setAccessibleDescription(
                f"{len(series.points)} days from {series.points[0].day} to {series.points[-1].day}: spend "
                f"{fmt.money(spend, series.currency)}, {fmt.fmt_number(conversions)} conversions")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        muted = theme.muted_color(palette)
        metrics = QFontMetrics(self.font())
        series = self.series
        if series is None or not series.points or all(p.spend is None and p.conversions is None
                                                       for p in series.points):
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             self.message or "No synced data for these filters")
            painter.end()
            return
        spend_max, spend_steps = axis(float(max((p.spend for p in series.points if p.spend is not None),
                                                default=0)))
        conv_steps = spend_steps  # one grid for both axes
        conv_max = axis_in_steps(max((p.conversions for p in series.points if p.conversions is not None),
                                     default=0), conv_steps)
        line = metrics.height()
        left = max(metrics.horizontalAdvance(fmt.fmt_si(spend_max)), line) + line + 12
        right = max(metrics.horizontalAdvance(fmt.fmt_si(conv_max)), line) + line + 12
        top, bottom = line + 10, line * 2 + 10
        plot = QRectF(left, top, max(10, self.width() - left - right), max(10, self.height() - top - bottom))
        # grid and axis labels (4 steps)
        painter.setPen(QPen(muted, 1, Qt.PenStyle.DotLine))
        for step in range(spend_steps + 1):
            y = plot.bottom() - plot.height() * step / spend_steps
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(text)
        for step in range(spend_steps + 1):
            y = plot.bottom() - plot.height() * step / spend_steps
            label = fmt.fmt_si(spend_max * step / spend_steps)
            painter.drawText(QRectF(0, y - line / 2, left - 6, line), Qt.AlignmentFlag.AlignRight, label)
        for step in range(conv_steps + 1):
            y = plot.bottom() - plot.height() * step / conv_steps
            label = fmt.fmt_si(conv_max * step / conv_steps)
            painter.drawText(QRectF(plot.right() + 6, y - line / 2, right - 6, line), Qt.AlignmentFlag.AlignLeft,
                             label)
        # axis titles with units
        days, spend, conversions = axis_titles(series)
        painter.save()
        painter.translate(line / 2 + 2, plot.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-plot.height() / 2, -line / 2, plot.height(), line), Qt.AlignmentFlag.AlignCenter,
                         spend)
        painter.restore()
        painter.save()
        painter.translate(self.width() - line / 2 - 2, plot.center().y())
        painter.rotate(90)
        painter.drawText(QRectF(-plot.height() / 2, -line / 2, plot.height(), line), Qt.AlignmentFlag.AlignCenter,
                         conversions)
        painter.restore()
        painter.setPen(muted)
        painter.drawText(QRectF(plot.left(), plot.bottom() + 4 + line, plot.width(), line),
                         Qt.AlignmentFlag.AlignCenter, days)
        painter.setPen(text)
        # bars
        count = len(series.points)
        slot = plot.width() / count
        bar = max(1.0, slot * 0.7)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(SPEND))
        for index, point in enumerate(series.points):
            if point.spend is None:
                continue
            height = plot.height() * float(point.spend) / spend_max
            x = plot.left() + slot * index + (slot - bar) / 2
            painter.drawRect(QRectF(x, plot.bottom() - height, bar, height))
        # conversions line (gaps where unknown) with dots
        pen = QPen(QColor(CONVERSIONS), 2)
        painter.setPen(pen)
        painter.setBrush(QColor(CONVERSIONS))
        path = QPainterPath()
        drawing = False
        for index, point in enumerate(series.points):
            if point.conversions is None:
                drawing = False
                continue
            spot = QPointF(plot.left() + slot * (index + 0.5),
                           plot.bottom() - plot.height() * point.conversions / conv_max)
            if drawing:
                path.lineTo(spot)
            else:
                path.moveTo(spot)
                drawing = True
            if slot >= 6:
                painter.drawEllipse(spot, 2.5, 2.5)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        # day labels: first, middle, last
        painter.setPen(text)
        for index in sorted({0, count // 2, count - 1}):
            day = series.points[index].day
            label = f"{day:%b} {day.day}"  # "Sep 5", as on the Dashboard
            x = plot.left() + slot * (index + 0.5)
            width = metrics.horizontalAdvance(label) + 4
            x = min(max(plot.left(), x - width / 2), plot.right() - width)
            painter.drawText(QRectF(x, plot.bottom() + 4, width, line), Qt.AlignmentFlag.AlignCenter, label)
        # legend (words, not colour alone)
        legend_y = 4.0
        x = plot.left()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(SPEND))
        painter.drawRect(QRectF(x, legend_y + line / 2 - 5, 12, 10))
        painter.setPen(text)
        words = f"Spend per day ({series.currency or 'no currency'}, bars)"
        painter.drawText(QPointF(x + 16, legend_y + metrics.ascent()), words)
        x += 16 + metrics.horizontalAdvance(words) + 16
        painter.setPen(QPen(QColor(CONVERSIONS), 2))
        painter.drawLine(QPointF(x, legend_y + line / 2), QPointF(x + 14, legend_y + line / 2))
        painter.setPen(text)
        painter.drawText(QPointF(x + 18, legend_y + metrics.ascent()), "Conversions per day (line)")
        painter.end()
