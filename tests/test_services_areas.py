"""The per-area services return domain read models: schedules, accounts, settings, notifications.

Each test drives a real store through `Services` and checks typed fields (enums, datetimes, dates), the
editor's live trigger check, partial updates, and that the window's pages no longer reach below the services.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from autosync_desktop.domain import (
    AccountCard,
    AuthState,
    Frequency,
    Health,
    KeyringStatus,
    MissedPolicy,
    RunStatus,
    ScheduleCard,
    SettingType,
    SyncType,
)
from autosync_desktop.services import Services, UserError
from autosync_desktop.services.schedules import SchedulesService

DEMO = "Demo"


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    services.accounts.add("demo", DEMO, options={"latency_ms": "0", "campaigns": "2", "history_days": "3"})
    yield services
    services.close()


def _synced(svc: Services, name: str) -> None:
    request = svc.runs.request(name)
    assert svc.runs.wait(request.run_id, poll_s=0.02, timeout_s=30).status == RunStatus.SUCCEEDED


# --- schedules ------------------------------------------------------------------------------------------------


def test_validate_previews_dst_correct_runs_and_names_the_bad_field() -> None:
    after = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # Berlin moves to summer time on Sunday 29 March
    ok = SchedulesService.validate("daily", "Europe/Berlin", at="6:00", count=3, after=after)
    assert ok.ok and ok.errors == {}
    assert [t.astimezone(UTC) for t in ok.next_runs] == [
        datetime(2026, 3, 28, 5, 0, tzinfo=UTC), datetime(2026, 3, 29, 4, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 4, 0, tzinfo=UTC)]
    bad = SchedulesService.validate("interval", "UTC", every_minutes="abc")
    assert not bad.ok and list(bad.errors) == ["--every-minutes"] and bad.next_runs == ()
    assert "'abc' is not a whole number" in bad.errors["--every-minutes"]
    too_often = SchedulesService.validate("interval", "UTC", every_minutes="2", platform="google_ads")
    assert "at least 5" in too_often.errors["--every-minutes"]
    assert SchedulesService.validate("interval", "UTC", every_minutes="2", platform="demo").ok
    assert SchedulesService.validate("daily", "Mars/Olympus", at="06:00").errors.keys() == {"--timezone"}
    manual = SchedulesService.validate("manual", "UTC")
    assert manual.ok and manual.next_runs == ()


def test_add_update_keep_and_clear_fields(svc: Services) -> None:
    added = svc.schedules.add("Morning", DEMO, "performance", "daily", at="6:05", timezone="Europe/Berlin",
                              lookback_days=4, missed="skip")
    assert (added.type, added.frequency, added.missed) == (SyncType.PERFORMANCE, Frequency.DAILY, MissedPolicy.SKIP)
    assert added.at == "06:05" and added.lookback_days == 4 and added.next_run_at is not None
    assert added.next_run_at.tzinfo is not None and added.last_status is None
    moved = svc.schedules.update("Morning", at="07:30")  # only the time changes
    assert (moved.at, moved.timezone, moved.lookback_days, moved.missed) == ("07:30", "Europe/Berlin", 4,
                                                                             MissedPolicy.SKIP)
    cleared = svc.schedules.update("Morning", lookback_days=None, new_name="Early")  # None is a value here
    assert cleared.name == "Early" and cleared.lookback_days is None and cleared.at == "07:30"
    with pytest.raises(UserError, match="--at"):
        svc.schedules.update("Early", at="25:00")
    assert svc.schedules.get("Early").at == "07:30"  # nothing written when validation fails
    assert [s.name for s in svc.schedules.list()] == ["Early"]


def test_cards_carry_the_last_run_and_both_pause_flags(svc: Services) -> None:
    svc.schedules.add("Every 5", DEMO, "both", "interval", every_minutes=5)
    _synced(svc, "Every 5")
    (card,) = svc.schedules.cards()
    assert isinstance(card, ScheduleCard) and card.platform_label == "Demo (sandbox data)"
    assert card.last_run is not None and card.last_run.status == RunStatus.SUCCEEDED and card.last_run.rows > 0
    assert card.active_run is None and card.last_status == RunStatus.SUCCEEDED
    assert card.last_run.finished_at is not None and card.last_run.finished_at.tzinfo is not None
    svc.schedules.pause("Every 5")
    paused = svc.schedules.cards()[0]
    assert paused.own_paused and paused.paused and paused.next_run_at is None
    svc.schedules.resume("Every 5")
    until = svc.schedules.pause_all(hours=1, now=datetime(2030, 1, 1, 8, 0, 30, 250, tzinfo=UTC))
    everything = svc.schedules.cards()[0]
    assert everything.paused and everything.paused_all and not everything.own_paused
    assert until == datetime(2030, 1, 1, 9, 0, 30, 250, tzinfo=UTC)
    assert svc.schedules.paused_until() == datetime(2030, 1, 1, 9, 0, 30, tzinfo=UTC)  # stored to the second
    assert svc.schedules.next_runs("Every 5") == ()
    svc.schedules.resume_all()
    assert svc.schedules.paused_until() is None and len(svc.schedules.next_runs("Every 5", 3)) == 3


# --- accounts -------------------------------------------------------------------------------------------------


def test_accounts_list_and_cards_are_typed(svc: Services) -> None:
    (before,) = svc.accounts.list()
    assert (before.health, before.auth_state, before.last_success_at) == (Health.NEVER_SYNCED, AuthState.OK, None)
    assert before.options["latency_ms"] == "0" and before.account_id == DEMO
    _synced(svc, DEMO)
    after = svc.accounts.get(DEMO)
    assert after.health == Health.HEALTHY and after.last_success_at is not None
    (card,) = svc.accounts.cards()
    assert isinstance(card, AccountCard) and card.sandbox and card.health == Health.HEALTHY
    assert isinstance(card.data_through, date) and card.settling_from is not None
    assert card.settling_days == (card.data_through - card.settling_from).days + 1
    assert card.errors_24h == 0 and card.runs_24h == 1 and card.last_run_status == RunStatus.SUCCEEDED
    with pytest.raises(UserError, match="Unknown account 'Nope'"):
        svc.accounts.get("Nope")


def test_platforms_and_keyring_state(svc: Services) -> None:
    platforms = {p.name: p for p in svc.accounts.platforms()}
    assert platforms["demo"].sandbox and not platforms["demo"].browser_sign_in
    assert platforms["google_ads"].browser_sign_in and not platforms["google_ads"].sandbox
    assert platforms["google_ads"].min_interval_minutes == 5
    assert "login_customer_id" in platforms["google_ads"].option_names
    state = svc.accounts.keyring_state()  # nothing stored: "not needed yet", the keyring not opened
    assert state.status == KeyringStatus.NOT_NEEDED and "Not needed yet" in state.message
    state = svc.accounts.keyring_state(check=True)  # the tests' process-wide backend is keyring's 'fail' one
    assert state.status == KeyringStatus.MISSING and state.message


# --- settings -------------------------------------------------------------------------------------------------


def test_settings_list_says_label_unit_type_and_bounds(svc: Services) -> None:
    specs = {s.key: s for s in svc.settings.list()}
    delay = specs["retry.base_delay_s"]
    assert (delay.label, delay.unit, delay.type, delay.minimum, delay.maximum) == (
        "First retry delay", " s", SettingType.FLOAT, 0, 3600)
    assert specs["scheduler.max_concurrent_runs"].note.startswith("Takes effect the next time")
    assert specs["notify.stale_hours"].unit == " h" and specs["notify.email.security"].choices
    per_platform = specs["http.requests_per_minute.google_ads"]
    assert per_platform.platform == "google_ads" and per_platform.label == "Requests per minute — Google Ads"
    assert "http.requests_per_minute.demo" not in specs  # the sandbox has no API to limit
    assert svc.settings.set("http.requests_per_minute", "12") == 12.0
    assert {s.key: s for s in svc.settings.list()}["http.requests_per_minute.google_ads"].value == 12.0
    assert svc.settings.spec("http.requests_per_minute.google_ads").value == 12.0  # the general value applies
    svc.settings.set("http.requests_per_minute.google_ads", 3)
    assert svc.settings.spec("http.requests_per_minute.google_ads").value == 3.0
    assert svc.settings.value("retry.max_attempts") == 4
    with pytest.raises(UserError, match=r"retry\.max_attempts: must be at most 20"):
        svc.settings.set("retry.max_attempts", "99")
    assert "retention.last_prune" in svc.settings.values()  # what `settings list` prints, state keys too


# --- notifications --------------------------------------------------------------------------------------------


def test_notification_catalog_and_a_failed_test_recorded(svc: Services) -> None:
    catalog = {c.name: c for c in svc.notifications.catalog()}
    assert list(catalog) == ["desktop", "email", "slack", "webhook", "sms"]
    assert [(s.which, s.label) for s in catalog["webhook"].secrets] == [
        ("secret", "webhook signing secret"), ("url", "webhook URL (with its token)")]
    assert catalog["desktop"].secrets == () and "failure" in catalog["email"].toggles
    with pytest.raises(UserError, match="slack: No Slack webhook URL in the keyring"):  # none stored: not opened
        svc.notifications.test("slack")
    status = svc.notifications.channels()
    slack = next(c for c in status.channels if c.name == "slack")
    assert not slack.ready and not slack.enabled and slack.problem
    assert slack.last_result is not None and not slack.last_result.ok and slack.last_result.kind == "test"
    assert slack.last_result.at.tzinfo is not None
    assert status.sender is None and status.failing == () and status.held == 0


# --- layering -------------------------------------------------------------------------------------------------

PAGES = ("scheduler", "settings", "dashboard/health_cards.py", "tray_model.py", "welcome.py", "main_window.py")
BELOW = ("autosync_desktop.store", "autosync_desktop.sync", "autosync_desktop.notify", "autosync_desktop.connectors",
         "autosync_desktop.secrets", "autosync_desktop.autostart")


def test_the_converted_pages_import_no_layer_below_the_services() -> None:
    gui = Path(__file__).resolve().parents[1] / "autosync_desktop" / "gui"
    files = [p for part in PAGES for p in ((gui / part).rglob("*.py") if (gui / part).is_dir() else [gui / part])]
    assert len(files) > 8
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            found += [f"{path.name}: {n}" for n in names if n.startswith(BELOW)]
    assert found == []
