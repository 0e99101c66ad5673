"""Schedules in words (pure): cron in words, next runs with a fixed now, human spans, errors, backfill sizes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from autosync_desktop.gui.scheduler import describe as d
from autosync_desktop.services.schedules import BackfillLimits, backfill_estimate

NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # a Friday, 17:00 in Berlin


@pytest.mark.parametrize(("expr", "words"), [
    ("0 6 * * 1-5", "At 06:00, Monday to Friday"),
    ("*/5 * * * *", "Every 5 minutes"),
    ("* * * * *", "Every minute"),
    ("30 8,17 * * *", "At 08:30 and 17:30, every day"),
    ("0 6 1 * *", "At 06:00, on the 1st of the month"),
    ("0 6 1,15 * *", "At 06:00, on the 1st and 15th of the month"),
    ("0 6 * 1-3 *", "At 06:00, every day, in January to March"),
    ("0 9-17 * * 1-5", "Every hour from 09:00 to 17:00, Monday to Friday"),
    ("*/15 9-17 * * *", "Every 15 minutes from 09:00 to 17:59"),
    ("15 */2 * * *", "Every 2 hours at :15"),
    ("0 6 * * 0,6", "At 06:00, on Saturday and Sunday"),
    ("0 6 * * 7", "At 06:00, on Sunday"),
    ("0 6 * * mon,wed,fri", "At 06:00, on Monday, Wednesday and Friday"),
    ("0 0 1 1 *", "At 00:00, on the 1st of the month, in January"),
])
def test_cron_in_words(expr: str, words: str) -> None:
    assert d.cron_in_words(expr) == words


@pytest.mark.parametrize("expr", ["0 6 L * *", "@daily", "1-10/2 * * * *", "0 6 * *", "0 6 1 * 1", "61 6 * * *", ""])
def test_cron_it_cannot_describe_is_none_and_the_schedule_says_custom(expr: str) -> None:
    assert d.cron_in_words(expr) is None
    assert d.frequency_words("cron", cron=expr, timezone="Europe/Berlin") == "Custom schedule (Berlin)"


def test_next_run_text_is_relative_to_the_given_now_in_the_schedules_zone() -> None:
    assert d.next_run_text(datetime(2026, 12, 5, 5, 0, tzinfo=UTC), "Europe/Berlin", NOW) == \
        "Sat 5 Dec, 06:00 Berlin · in 13 h"
    assert d.next_run_text(datetime(2026, 12, 4, 16, 5, tzinfo=UTC), "UTC", NOW) == "Fri 4 Dec, 16:05 UTC · in 5 min"
    assert d.next_run_text(datetime(2026, 12, 4, 18, 30, tzinfo=UTC), "America/New_York", NOW) == \
        "Fri 4 Dec, 13:30 New York · in 2 h 30 min"
    # another year says so; a far one counts days
    assert d.next_run_text(datetime(2027, 1, 5, 5, 0, tzinfo=UTC), "Europe/Berlin", NOW) == \
        "Tue 5 Jan 2027, 06:00 Berlin · in 32 d"
    assert d.next_run_text(None, "UTC", NOW) == "—"
    assert d.until_words(NOW, NOW) == "due now"


def test_frequencies_in_human_units() -> None:
    assert d.frequency_words("interval", every_minutes=5) == "Every 5 min"
    assert d.frequency_words("interval", every_minutes=60) == "Every 1 h"
    assert d.frequency_words("interval", every_minutes=120) == "Every 2 h"
    assert d.frequency_words("interval", every_minutes=90) == "Every 1 h 30 min"
    assert d.frequency_words("daily", at="06:00", timezone="Europe/Berlin") == "Daily at 06:00 (Berlin)"
    assert d.frequency_words("hourly", at=":10", timezone="UTC") == "Hourly at :10 (UTC)"
    assert d.frequency_words("weekly", at="06:30", days="mon,wed", timezone="America/New_York") == \
        "Mon, Wed at 06:30 (New York)"
    assert d.frequency_words("weekly", at="07:00", days="mon,tue,wed,thu,fri", timezone="UTC") == \
        "Mon–Fri at 07:00 (UTC)"
    assert d.frequency_words("cron", cron="0 6 * * 1-5", timezone="Europe/Berlin") == \
        "At 06:00, Monday to Friday (Berlin)"
    assert d.frequency_words("manual") == "Manual only"
    assert d.minutes_words(1440) == "1 d" and d.minutes_words(None) == "—"


def test_errors_in_plain_words() -> None:
    assert d.error_words("platform said: 429 RESOURCE_EXHAUSTED") == "The platform asked us to slow down (rate limit)"
    assert d.error_words("HTTP 401 Unauthorized").startswith("The sign-in has expired")
    assert d.error_words("read timed out") == "The platform took too long to answer"
    assert d.error_words(None, "scheduler stopped", "interrupted") == "AutoSync stopped while this sync was running"
    assert d.error_words("KeyError: 'x'") == "The sync failed: see the run's log"
    # a platform's server error (the Demo sandbox's failures too) says what happened, not "see the log"
    temporary = "The platform had a temporary problem; the next sync tries again"
    assert d.error_words("The demo sandbox had a temporary server error (simulated).") == temporary
    assert d.error_words("HTTP 503 Service Unavailable") == temporary
    assert d.error_words(None) == ""


def test_backfill_estimate_counts_windows_and_calls() -> None:
    limits = BackfillLimits(max_window_days=7, platform_label="Meta Ads", reads_campaigns=True)
    estimate = backfill_estimate(date(2026, 10, 1), date(2026, 11, 11), limits)
    assert (estimate.days, estimate.windows, estimate.calls) == (42, 6, 7)
    assert d.backfill_words(estimate.days, estimate.windows, estimate.window_days, estimate.calls) == \
        "42 days in 6 windows of up to 7 days, about 7 API calls"
    stats_only = BackfillLimits(max_window_days=30, platform_label="Demo", reads_campaigns=False)
    one = backfill_estimate(date(2026, 11, 1), date(2026, 11, 10), stats_only)
    assert (one.days, one.windows, one.calls) == (10, 1, 1)
    assert d.backfill_words(one.days, one.windows, one.window_days, one.calls) == \
        "10 days in one request window, about 1 API call"
    assert backfill_estimate(date(2026, 11, 2), date(2026, 11, 1), stats_only).days == 0
