"""LinkedIn conversions by action: adAnalytics with the Statistics finder, pivots CAMPAIGN and CONVERSION.

Per window and group of campaigns (the same requests as the numbers, linkedin_ads.py) one
`q=statistics&pivots=List(CAMPAIGN,CONVERSION)` query gives each conversion rule's externalWebsiteConversions and
conversionValueInLocalCurrency per campaign and day. Rules are named from `GET /rest/conversions?q=account` (read
once per run; without access to it a rule is called "conversion <id>"). LinkedIn's own total,
externalWebsiteConversions with the CAMPAIGN pivot, stays the blended column: several rules may count the same
action, so the rules' rows need not add up to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from .base import ActionConversions, ConnectorError, DailyStatRecord, Permanent, money_to_micros
from .linkedin_rest import (
    as_float,
    campaign_id_of,
    campaign_urn,
    date_of,
    restli_date_range,
    restli_encode,
    restli_list,
)

if TYPE_CHECKING:
    from .linkedin_ads import LinkedInAdsConnector

FIELDS = ("dateRange", "pivotValues", "externalWebsiteConversions", "conversionValueInLocalCurrency")
CONVERSION_URN = "urn:lla:llaPartnerConversion:"


def statistics_params(campaign_ids: Sequence[str], start: date, end: date) -> list[tuple[str, str]]:
    return [("q", "statistics"), ("pivots", "List(CAMPAIGN,CONVERSION)"), ("timeGranularity", "DAILY"),
            ("dateRange", restli_date_range(start, end)),
            ("campaigns", restli_list([campaign_urn(c) for c in campaign_ids])), ("fields", ",".join(FIELDS))]


def attach(connector: LinkedInAdsConnector, campaign_ids: Sequence[str], start: date, end: date,
           page: list[DailyStatRecord]) -> None:
    """Set each record's conversions by rule, from one statistics request for these campaigns and days."""
    if connector.rules is None:
        connector.rules = rule_names(connector)
    data = connector._get("/rest/adAnalytics", statistics_params(campaign_ids, start, end))
    elements = data.get("elements", [])
    if not isinstance(elements, list):
        raise Permanent("LinkedIn sent an unexpected conversion analytics response (no list of elements).")
    actions = by_campaign_day([e for e in elements if isinstance(e, dict)], connector.rules)
    for record in page:
        record.actions = actions.get((record.campaign_id, record.date), ())


def rule_names(connector: LinkedInAdsConnector) -> dict[str, str]:
    """Conversion rule id -> name, for the account (empty, logged, when LinkedIn does not let us read them)."""
    account = f"urn:li:sponsoredAccount:{connector.account_id}"
    try:
        data = connector._get("/rest/conversions", [("q", "account"), ("account", restli_encode(account))])
    except ConnectorError as exc:
        connector.ctx.log("warning", f"LinkedIn: conversion rule names are not readable ({exc.message}); rules are "
                                     "named by their id")
        return {}
    names = {}
    for element in data.get("elements") or []:
        if isinstance(element, dict) and element.get("id") is not None and element.get("name"):
            names[str(element["id"]).rsplit(":", 1)[-1]] = str(element["name"])
    return names


def by_campaign_day(elements: list[dict[str, Any]], names: dict[str, str]
                    ) -> dict[tuple[str, date], tuple[ActionConversions, ...]]:
    """Statistics elements (pivotValues [campaign, conversion]) as each (campaign, day)'s actions."""
    sums: dict[tuple[str, date], dict[str, list[Any]]] = {}
    for element in elements:
        pivots = element.get("pivotValues")
        if not isinstance(pivots, list) or len(pivots) != 2:
            continue
        campaign_id = campaign_id_of(pivots[0])
        date_range = element.get("dateRange")
        day = date_of(date_range.get("start")) if isinstance(date_range, dict) else None
        rule = str(pivots[1]).rsplit(":", 1)[-1]
        if campaign_id is None or day is None or not rule:
            continue
        count = as_float(element.get("externalWebsiteConversions"), "conversions count")
        value = element.get("conversionValueInLocalCurrency")
        micros = None if value is None else money_to_micros(value)
        if not count and not micros:
            continue
        total = sums.setdefault((campaign_id, day), {}).setdefault(names.get(rule) or f"conversion {rule}",
                                                                    [0.0, None])
        total[0] += count
        if micros is not None:
            total[1] = (total[1] or 0) + micros
    return {key: tuple(ActionConversions(name, n, v) for name, (n, v) in sorted(per.items()))
            for key, per in sums.items()}
