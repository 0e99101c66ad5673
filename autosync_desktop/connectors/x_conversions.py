"""X Ads web conversions by action: the WEB_CONVERSION metric group, added up per campaign, day and action.

Facts (shared/docs/platform-apis.md §6; docs.x.com/x-ads-api/analytics): WEB_CONVERSION is requested on its own
(not together with ENGAGEMENT/BILLING), with the same entities, days and placements. Each of its metrics
(`conversion_purchases`, `conversion_sign_ups`, `conversion_site_visits`, `conversion_downloads`,
`conversion_custom`) is an object of day arrays: `post_engagement`, `post_view`, `assisted`, `metric`,
`order_quantity`, `sale_amount`, ...; a whole metric, an array or an element may be `null` (no data).
`sale_amount` is in micros of the account currency, like `billed_charge_local_micro` (⚠ X does not say so in
words; tap-twitter-ads and X's own SDK treat it as local micros).

The rule AutoSync applies (README, *Conversions by action*):
- count of an action on a day = post_engagement + post_view (X's total: conversions after an engagement plus
  those after a view, under the account's attribution windows); `assisted` is left out (not attributed to X's
  ad), `metric` is not read (it is that same total where X sends it); value = `sale_amount`; placements summed.
- the action's name is X's without its prefix: purchase, sign_up, site_visit, download, custom.
- an action is stored only when X sent a number for it that day and the count or the value is not 0; a null
  array or element gives no row.
- the blended `conversions` of the day is the sum of those counts (0 when X sent only zeros), and
  `conversion_value` the sum of their values; both stay unknown (NULL) when X sent no number at all in
  WEB_CONVERSION for that campaign and day (a campaign without the pixel, or nothing that day), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .base import ActionConversions, Transient

METRIC_GROUP = "WEB_CONVERSION"
ACTIONS = (("conversion_purchases", "purchase"), ("conversion_sign_ups", "sign_up"),
           ("conversion_site_visits", "site_visit"), ("conversion_downloads", "download"),
           ("conversion_custom", "custom"))
COUNTED = ("post_engagement", "post_view")  # X's total; "assisted" is not counted
VALUE = "sale_amount"


def _elements(metric: dict[str, Any], key: str, name: str, length: int) -> list[int | None]:
    """One day array of a conversion metric; a missing or null array is all None (no data)."""
    values = metric.get(key)
    if values is None:
        return [None] * length
    if not isinstance(values, list) or len(values) != length:
        raise Transient(f"X sent a {name}.{key} series of the wrong length")
    for value in values:
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise Transient(f"X sent a non-integer {name}.{key} value: {value!r}")
    return values


@dataclass
class DayConversions:
    """One campaign-day's web conversions summed over placements; `reported`: X sent at least one number."""

    reported: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)

    def actions(self) -> tuple[ActionConversions, ...]:
        names = sorted(n for n in self.counts.keys() | self.values.keys()
                       if self.counts.get(n) or self.values.get(n))
        return tuple(ActionConversions(n, float(self.counts.get(n, 0)), self.values.get(n)) for n in names)

    def blended(self) -> tuple[float | None, int | None]:
        """(conversions, conversion value micros) of the day: the actions' sums, None when X sent nothing."""
        if not self.reported:
            return None, None
        return float(sum(self.counts.values())), (sum(self.values.values()) if self.values else None)


class ConversionSum:
    """Adds up the WEB_CONVERSION metrics of every placement and chunk of one window."""

    def __init__(self) -> None:
        self.days: dict[tuple[str, date], DayConversions] = {}

    def add_metrics(self, entity_id: str, metrics: dict[str, Any], first: date, length: int) -> None:
        for name, action in ACTIONS:
            metric = metrics.get(name)
            if metric is None:
                continue
            if not isinstance(metric, dict):
                raise Transient(f"X sent {name} that is not an object of day arrays")
            counted = [_elements(metric, key, name, length) for key in COUNTED]
            values = _elements(metric, VALUE, name, length)
            for i in range(length):
                numbers = [n for n in (series[i] for series in counted) if n is not None]
                value = values[i]
                if not numbers and value is None:
                    continue  # no data for this action that day
                day = self.days.setdefault((entity_id, first + timedelta(days=i)), DayConversions())
                day.reported = True
                if numbers:
                    day.counts[action] = day.counts.get(action, 0) + sum(numbers)
                if value is not None:
                    day.values[action] = day.values.get(action, 0) + value

    def get(self, key: tuple[str, date]) -> DayConversions:
        return self.days.get(key) or DayConversions()
