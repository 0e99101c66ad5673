"""The Insights page's words for restatements (pure, no Qt): the "Restated days" tab's rows (account, day, what
changed, between which ages; the service's sentence as every cell's tooltip), its empty message, and the
Accounts tab's "Still changing" cell. Money is in the account's currency with its decimals; unknown is
"unknown" (a change) or "—" (a count) with a tooltip saying why, never 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from autosync_desktop.domain import AccountInsight, RestatementDelta
from autosync_desktop.gui import formatting as fmt
from autosync_desktop.gui.dashboard.text import day_label
from autosync_desktop.gui.insights.text import UNKNOWN, Cell

HEADERS = ("Account", "Day", "What changed", "Between")
TIPS = ("The account whose day the platform changed",
        "The day whose numbers changed (in the account's time zone)",
        "How much the platform changed the day's figure: the latest value against the first one stored after the "
        "day was over",
        "The day's age (days after it) when the first value and the latest one were fetched")
METRIC_WORDS = {"cost": "Cost", "clicks": "Clicks", "conversions": "Conversions"}


def _signed(number: float, decimals: int = 0) -> str:
    shown = f"{abs(number):,.{decimals}f}"
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")  # 1.2, not 1.20
    return f"+{shown}" if number > 0 else f"-{shown}" if number < 0 else shown


def _percent(percent: float) -> str:
    return f"{percent:+.0f} %" if abs(percent) >= 1 else f"{percent:+.1f} %"


def amount(d: RestatementDelta, value: float) -> str:
    """The change (or a value) in the metric's unit: '+4.10 EUR' (micros, the account's currency and decimals; a
    plain number when the platform gave no currency), '+40 clicks', '+3.5'."""
    if d.metric == "cost":
        exact = Decimal(round(value)).scaleb(-6)
        shown = fmt.money(exact, d.currency)
        if not any(ch in "123456789" for ch in shown.split(" ")[0]):  # rounds to 0.00: show every decimal
            shown = fmt.money_exact(exact, d.currency)
        return f"+{shown}" if value > 0 and not shown.startswith("-") else shown
    if d.metric == "clicks":
        return _signed(value) + (" click" if abs(value) == 1 else " clicks")
    return _signed(value, 2)


def what_changed(d: RestatementDelta) -> str:
    """'Conversions +12 % (+3)', 'Cost +4.10 EUR (+3 %)', 'Clicks +5 (from 0)', 'Conversions unknown'."""
    word = METRIC_WORDS.get(d.metric, d.metric.capitalize())
    if d.change is None:
        return f"{word} unknown"
    if d.percent is None:  # the first value was 0
        return f"{word} {amount(d, d.change)} (from 0)"
    if d.metric == "cost":
        return f"{word} {amount(d, d.change)} ({_percent(d.percent)})"
    return f"{word} {_percent(d.percent)} ({amount(d, d.change)})"


def _value(d: RestatementDelta, value: float) -> str:
    if d.metric == "cost":
        return fmt.money_exact(Decimal(round(value)).scaleb(-6), d.currency)
    return _signed(value, 2).lstrip("+")


def why(d: RestatementDelta) -> str:
    """The tooltip: the service's sentence, then the value first stored and the latest one ("41 → 46"), or for an
    unknown change why it is unknown."""
    if d.change is None:
        return (f"{d.text}. Unknown: a campaign's {d.metric} was not reported in one of the fetches, so the day's "
                "total cannot be compared")
    if d.before is None:
        return d.text
    return (f"{d.text}\n{METRIC_WORDS.get(d.metric, d.metric)} first stored {_value(d, d.before)}, now "
            f"{_value(d, d.before + d.change)}")


def rows(deltas: Sequence[RestatementDelta], labels: Mapping[str, str]) -> list[list[Cell]]:
    """One row per restated metric of an account's day, in the service's order (largest change first)."""
    out = []
    for d in deltas:
        tip = why(d)
        platform = labels.get(d.platform, d.platform)
        out.append([(d.account, f"{platform}\n{tip}"), (day_label(d.day), tip), (what_changed(d), tip),
                    (f"day {d.from_age_days} → day {d.to_age_days}", tip)])
    return out


def empty_message(accounts: Sequence[AccountInsight], period_label: str) -> str:
    """Why the tab is empty: no accounts, nothing recorded by the freshness planner yet, or no change."""
    current = [a for a in accounts if a.zone is not None]
    if not current:
        return "No accounts yet"
    if all(a.days_still_settling is None for a in current):
        return ("Nothing recorded yet: the freshness planner notes here how the platforms change past days once "
                "it has fetched a day again (after the next syncs)")
    return (f"No restated days in the {period_label[0].lower()}{period_label[1:]}: the numbers the platforms sent "
            "did not change after the day was over")


def still_changing_cell(a: AccountInsight, platform_label: str) -> Cell:
    """'3 days' / 'none' / '—' (unknown, with why)."""
    if a.zone is None:
        return UNKNOWN, "The account was removed"
    count = a.days_still_settling
    if count is None:
        return UNKNOWN, ("Unknown: the freshness planner has not fetched a day of this account again yet (it "
                         "counts after the next syncs)")
    window = f"the restatement window of {platform_label}"
    if count == 0:
        return "none", (f"No day in {window} changed at its last fetch: the recent numbers look final")
    days = f"{count:,} day{'' if count == 1 else 's'}"
    return days, (f"{days} in {window} changed at {'its' if count == 1 else 'their'} last fetch: "
                  f"{'its' if count == 1 else 'their'} numbers are not final yet")
