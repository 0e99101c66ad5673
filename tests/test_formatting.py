"""gui/formatting.py: money in each currency's minor units (exact value kept for tooltips), one duration format,
elided names, SI axis labels. Pure functions: no Qt, no clock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from autosync_desktop.gui import formatting as fmt


@pytest.mark.parametrize(("value", "currency", "shown"), [
    ("176.805165", "USD", "176.81 USD"),  # the 6-decimal example
    ("176.804999", "USD", "176.80 USD"),
    ("0.125", "EUR", "0.13 EUR"),  # half up, not half even (which would give 0.12)
    ("0.135", "EUR", "0.14 EUR"),
    ("1234567.5", "JPY", "1,234,568 JPY"),
    ("1234.4", "KRW", "1,234 KRW"),
    ("12.3455", "KWD", "12.346 KWD"),
    ("7", "BHD", "7.000 BHD"),
    ("5", "XYZ", "5.00 XYZ"),  # an unknown code: 2 decimals, the code still shown
    ("5.678", None, "5.68"),  # no currency: 2 decimals, no code
    ("-3.5", "EUR", "-3.50 EUR"),
    ("-0.125", "USD", "-0.13 USD"),  # half up is away from zero for negatives too
    ("-0.001", "USD", "0.00 USD"),  # never "-0.00"
    ("9876543210.994", "USD", "9,876,543,210.99 USD"),
    ("123456789012345.678901", "USD", "123,456,789,012,345.68 USD"),
    (Decimal("2.5"), "JPY", "3 JPY"),
    ("usd-ish", "USD", "usd-ish"),  # not a number: shown as given, never 0
])
def test_money_is_rounded_to_the_currencys_minor_units(value: object, currency: str | None, shown: str) -> None:
    assert fmt.money(value, currency) == shown  # type: ignore[arg-type]


def test_unknown_money_is_a_dash_never_zero() -> None:
    assert fmt.money(None, "USD") == "—"
    assert fmt.money("", "USD") == "—"
    assert fmt.money_exact(None, "USD") == "—"
    assert fmt.money(None, "USD", empty="") == ""


def test_exact_money_keeps_every_stored_decimal() -> None:
    assert fmt.money_exact("176.805165", "USD") == "176.805165 USD"
    assert fmt.money_exact("1234567.5", "JPY") == "1,234,567.5 JPY"
    assert fmt.money_exact("1234567", "JPY") == "1,234,567 JPY"
    assert fmt.money_exact("3.5", "EUR") == "3.50 EUR"  # at least the minor units
    assert fmt.money_exact("-0.000001", "USD") == "-0.000001 USD"
    assert fmt.money_exact("12.3455", "KWD") == "12.3455 KWD"


def test_minor_units_table() -> None:
    assert [fmt.minor_units(c) for c in ("USD", "EUR", "JPY", "KRW", "KWD", "BHD", "CLF", "XYZ", None, "jpy")] \
        == [2, 2, 0, 0, 3, 3, 4, 2, 2, 0]


def test_fmt_money_keeps_its_name_and_rounds_like_money() -> None:
    assert fmt.fmt_money("165309.415", "USD") == "165,309.42 USD"
    assert fmt.fmt_money(None) == "—"


@pytest.mark.parametrize(("seconds", "shown"), [
    (None, "—"), (0, "0 s"), (0.04, "< 0.1 s"), (0.4, "0.4 s"), (3.26, "3.3 s"), (9.94, "9.9 s"),
    (9.96, "10 s"), (12.4, "12 s"), (59.4, "59 s"), (59.6, "1 min 00 s"), (65, "1 min 05 s"),
    (754, "12 min 34 s"), (3599.4, "59 min 59 s"), (3720, "1 h 02 min"), (86399, "23 h 59 min"),
    (90000, "1 d 1 h"), (-5, "0 s"),
])
def test_one_duration_format(seconds: float | None, shown: str) -> None:
    assert fmt.duration(seconds) == shown
    assert fmt.fmt_duration(seconds) == shown  # the old name, same text


def test_spans_use_the_same_words_in_whole_seconds() -> None:
    assert fmt.fmt_span(4.6) == "5 s"
    assert fmt.fmt_span(754) == "12 min 34 s"
    assert fmt.fmt_span(3720) == "1 h 02 min"


def test_elide_cuts_in_the_middle_counting_wide_characters_double() -> None:
    name = "Acme Europe Performance Max Retargeting Q4 Holiday Campaign 2026"
    short = fmt.elide(name, 30)
    assert len(short) == 30 and short.startswith("Acme Europe") and short.endswith("2026") and "…" in short
    cjk = "東京広告アカウント本番環境二〇二六年第四四半期"
    assert fmt.text_width(fmt.elide(cjk, 20)) <= 20 and fmt.elide(cjk, 20).startswith("東京")
    assert fmt.elide("Demo sync", 30) == "Demo sync"
    assert fmt.elide(None) == "—"


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (0.25, "0.25"), (3.5, "3.5"), (950, "950"), (1000, "1k"), (1234, "1.2k"), (34567, "35k"),
    (1_500_000, "1.5M"), (2e9, "2G"), (None, "—"),
])
def test_si_labels(value: float | None, shown: str) -> None:
    assert fmt.fmt_si(value) == shown
