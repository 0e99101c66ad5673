"""Microsoft Advertising's campaign performance report: the Submit body, the Poll answer and the ZIP/CSV it yields.

- `report_request`: a CampaignPerformanceReportRequest for one account and date range, aggregated Daily, as CSV
  with the report header and footer excluded (column headers kept), and `ReportTimeZone` always set: omitted,
  Microsoft reports in Pacific time whatever the account's zone.
- `poll_state`: the `ReportRequestStatus` of a Poll answer as (status, download URL); "Success" without a URL
  is Microsoft's "no data in this range".
- `read_report`: the ZIP's CSV (UTF-8, with a byte-order mark) into one record per campaign and day. Money
  (Spend, Revenue) goes through Decimal to micros; an empty or "--" cell is unknown (None), never 0; rows of the
  same campaign and day (should Microsoft split them) are added up.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, TypeVar

from .base import DailyStatRecord, Permanent, Transient

COLUMNS = ("TimePeriod", "CampaignId", "CampaignName", "CampaignStatus", "CurrencyCode", "Impressions", "Clicks",
           "Spend", "Conversions", "Revenue")
_UNKNOWN = ("", "--")
_MICROS = Decimal(1_000_000)
_ONE = Decimal(1)


def _day(value: date) -> dict[str, int]:
    return {"Day": value.day, "Month": value.month, "Year": value.year}


def report_request(account_id: str, start: date, end: date, report_time_zone: str) -> dict[str, Any]:
    """The body of GenerateReport/Submit."""
    return {"ReportRequest": {
        "Type": "CampaignPerformanceReportRequest",
        "ExcludeColumnHeaders": False,
        "ExcludeReportFooter": True,
        "ExcludeReportHeader": True,
        "Format": "Csv",
        "FormatVersion": "2.0",
        "ReportName": f"AutoSync campaigns {start.isoformat()}..{end.isoformat()}",
        "ReturnOnlyCompleteData": False,
        "Aggregation": "Daily",
        "Columns": list(COLUMNS),
        "Scope": {"AccountIds": [int(account_id)]},
        "Time": {"CustomDateRangeStart": _day(start), "CustomDateRangeEnd": _day(end),
                 "ReportTimeZone": report_time_zone},
    }}


def poll_state(body: dict[str, Any]) -> tuple[str, str | None]:
    """(Status, ReportDownloadUrl or None) of a GenerateReport/Poll answer."""
    status = body.get("ReportRequestStatus")
    if not isinstance(status, dict):
        raise Transient("Microsoft Advertising answered the report poll without a ReportRequestStatus")
    url = status.get("ReportDownloadUrl")
    return str(status.get("Status") or ""), str(url) if isinstance(url, str) and url.strip() else None


def csv_text(archive: bytes) -> str:
    """The CSV inside the downloaded ZIP (Transient when the download is not a readable ZIP with a CSV)."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            names = [n for n in zipped.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise Transient("Microsoft Advertising's report download holds no CSV file; it will be asked again")
            return zipped.read(names[0]).decode("utf-8-sig")
    except (zipfile.BadZipFile, UnicodeDecodeError, EOFError) as exc:
        raise Transient(f"Microsoft Advertising's report download is damaged ({type(exc).__name__}); it will be "
                        "asked again") from None


def _number(text: str, what: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "")
    if cleaned in _UNKNOWN:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise Permanent(f"Microsoft Advertising sent a non-numeric {what} in the report: {text!r}")
    return value


def _count(text: str, what: str) -> int | None:
    if text.isdigit():  # the usual case, without a Decimal
        return int(text)
    value = _number(text, what)
    if value is not None and value != value.to_integral_value():
        raise Permanent(f"Microsoft Advertising sent a non-integer {what} in the report: {text!r}")
    return None if value is None else int(value)


def _decimal(text: str, what: str) -> Decimal | None:
    try:
        value: Decimal | None = Decimal(text)  # the usual case: a plain decimal such as "12.34"
    except InvalidOperation:
        value = _number(text, what)
    if value is not None and not value.is_finite():
        raise Permanent(f"Microsoft Advertising sent a non-numeric {what} in the report: {text!r}")
    return value


def _money(text: str, what: str) -> int | None:
    value = _decimal(text, what)
    return None if value is None else int((value * _MICROS).quantize(_ONE, rounding=ROUND_HALF_EVEN))


def _date(text: str) -> date:
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in ("%m/%d/%Y",):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise Permanent(f"Microsoft Advertising sent an unreadable TimePeriod in the report: {text!r}")


_N = TypeVar("_N", int, float)


def _add(a: _N | None, b: _N | None) -> _N | None:
    """The sum of two metrics where None is unknown: unknown only when both are."""
    return b if a is None else a if b is None else a + b


def _float_or_none(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass(slots=True)
class ReportRows:
    records: list[DailyStatRecord]
    skipped: int  # rows without a campaign id or outside the asked range


def read_report(text: str, start: date, end: date, currency: str | None) -> ReportRows:
    """The CSV's rows as records within start..end (in the report's time zone, i.e. the account's)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    missing = [c for c in ("TimePeriod", "CampaignId") if c not in header]
    if missing:
        raise Transient(f"Microsoft Advertising's report lacks the column(s) {', '.join(missing)}; it will be asked "
                        "again")
    n = len(header)
    (i_day, i_id, i_name, _i_status, i_currency, i_impressions, i_clicks, i_spend, i_conversions,
     i_revenue) = (header.index(c) if c in header else n for c in COLUMNS)  # n: past the cells, i.e. empty
    pad = any(c not in header for c in COLUMNS)
    out: dict[tuple[str, date], DailyStatRecord] = {}
    skipped = 0
    for row in reader:
        if pad or len(row) < n:
            row = row + [""] * (n + 1 - len(row))
        campaign_id = row[i_id].strip()
        if not campaign_id.isdigit():
            skipped += 1
            continue
        day = _date(row[i_day])
        if not start <= day <= end:
            skipped += 1
            continue
        record = DailyStatRecord(
            campaign_id=campaign_id, date=day,
            impressions=_count(row[i_impressions], "Impressions count"),
            clicks=_count(row[i_clicks], "Clicks count"),
            cost_micros=_money(row[i_spend], "Spend"),
            conversions=_float_or_none(_decimal(row[i_conversions], "Conversions count")),
            conversion_value_micros=_money(row[i_revenue], "Revenue"),
            currency=row[i_currency].strip().upper() or currency,
            campaign_name=row[i_name].strip() or None)
        seen = out.get((campaign_id, day))
        if seen is not None:
            seen.impressions = _add(seen.impressions, record.impressions)
            seen.clicks = _add(seen.clicks, record.clicks)
            seen.cost_micros = _add(seen.cost_micros, record.cost_micros)
            seen.conversions = _add(seen.conversions, record.conversions)
            seen.conversion_value_micros = _add(seen.conversion_value_micros, record.conversion_value_micros)
        else:
            out[(campaign_id, day)] = record
    return ReportRows(list(out.values()), skipped)
