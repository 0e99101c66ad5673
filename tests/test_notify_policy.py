"""The notification policy with a fake clock: one message per problem, recovery, minimum interval, quiet hours,
stale data, sign-in, the daily digest, and state that survives a restart. Pure logic: no threads, no I/O."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from autosync_desktop.notify import messages
from autosync_desktop.notify.config import NotifyConfig
from autosync_desktop.notify.messages import DigestTotals, RunFacts
from autosync_desktop.notify.policy import AccountFreshness, Delivery, Policy, PolicyState

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)  # winter: Berlin is UTC+1
NEXT_RUN = datetime(2026, 1, 16, 5, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
SCHEDULES = ("Daily Acme", "Weekly Acme", "Other", "A", "B", "C")


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def config(**values: Any) -> NotifyConfig:
    """Slack on (with defaults), desktop off; keyword `a__b` means setting notify.a.b."""
    base: dict[str, Any] = {"notify.desktop.enabled": False, "notify.slack.enabled": True}
    base.update({"notify." + k.replace("__", "."): v for k, v in values.items()})
    return NotifyConfig.from_values(base)


def run(clock: Clock, status: str = "failed", error_class: str | None = "Transient", *, run_id: int = 1,
        schedule: str | None = "Daily Acme", account: str = "Acme Ads", error: str | None = "HTTP 503 from the API",
        retry_at: datetime | None = None, next_run_at: datetime | None = NEXT_RUN, rows: int = 0) -> RunFacts:
    failed = status == "failed"
    return RunFacts(run_id=run_id, schedule=schedule, account=account, status=status, trigger="scheduled",
                    at=clock(), error_class=error_class if failed else None, error=error if failed else None,
                    retry_at=retry_at, next_run_at=next_run_at, rows=rows,
                    sign_in_hint=messages.sign_in_command(account))


def kinds(deliveries: list[Delivery]) -> list[tuple[str, str]]:
    return [(d.channel, d.notification.kind) for d in deliveries]


def no_totals(since: datetime, until: datetime) -> DigestTotals:
    return DigestTotals()


def fresh_world(clock: Clock) -> list[AccountFreshness]:
    """The accounts as the periodic check sees them: Acme Ads with its schedules, synced just now."""
    return [account(clock())]


# --- one message per problem ----------------------------------------------------------------------------------

def test_a_repeated_failure_is_announced_once_and_its_recovery_once() -> None:
    clock, cfg = Clock(), config(min_interval_minutes=0)
    policy = Policy(clock, UTC)

    first = policy.run_finished(run(clock, run_id=1), cfg)
    assert kinds(first) == [("slack", "failure")]
    clock.advance(minutes=2)
    assert policy.run_finished(run(clock, run_id=2), cfg) == []  # the retry failed the same way
    clock.advance(hours=6)
    assert policy.run_finished(run(clock, run_id=3), cfg) == []  # and the next scheduled run too
    clock.advance(hours=6)

    recovered = policy.run_finished(run(clock, "succeeded", run_id=4, rows=120), cfg)
    assert kinds(recovered) == [("slack", "recovery")]
    n = recovered[0].notification
    assert n.title == "Sync recovered: Daily Acme (Acme Ads)"
    assert "after 3 failed runs since 2026-01-15 09:00 UTC" in n.summary
    assert n.detail("Rows written") == "120"
    clock.advance(hours=1)
    assert policy.run_finished(run(clock, "succeeded", run_id=5), cfg) == []  # on_success is off by default

    clock.advance(hours=1)
    assert kinds(policy.run_finished(run(clock, run_id=6), cfg)) == [("slack", "failure")]  # a new problem


def test_a_different_error_is_a_new_announcement_and_other_schedules_are_separate_problems() -> None:
    clock, cfg = Clock(), config(min_interval_minutes=0)
    policy = Policy(clock, UTC)
    assert len(policy.run_finished(run(clock, error_class="Transient"), cfg)) == 1
    assert len(policy.run_finished(run(clock, schedule="Weekly Acme"), cfg)) == 1
    changed = policy.run_finished(run(clock, error_class="Permanent", error="Unknown account id 42"), cfg)
    assert kinds(changed) == [("slack", "failure")]
    assert "now the error is a different one" in changed[0].notification.summary
    assert policy.run_finished(run(clock, error_class="Permanent"), cfg) == []
    assert sorted(p["label"] for p in policy.state.problems.values()) == ["Daily Acme (Acme Ads)",
                                                                           "Weekly Acme (Acme Ads)"]
    # cancelled and skipped runs say nothing either way
    assert policy.run_finished(run(clock, "cancelled"), cfg) == []
    assert len(policy.state.problems) == 2


def test_failure_message_says_what_failed_why_when_it_retries_and_what_to_do() -> None:
    clock = Clock()
    n = messages.failure(run(clock, error_class="Permanent", error="Unknown account id 123-456", run_id=7), UTC)
    assert n.title == "Sync failed: Daily Acme (Acme Ads)"
    assert n.detail("What failed") == "schedule 'Daily Acme' of account 'Acme Ads', run 7"
    assert n.detail("Error") == "the platform refused the request: Unknown account id 123-456"
    assert n.detail("Next try") == "The next scheduled run is at 2026-01-16 05:00 UTC."
    assert "Check the account id" in (n.detail("What to do") or "")
    assert n.detail("Run log") == "autosync runs show 7"

    limited = messages.failure(run(clock, error_class="RateLimited", retry_at=T0 + timedelta(minutes=45)), BERLIN)
    assert limited.detail("Next try") == ("AutoSync tries again automatically at 2026-01-15 10:45 CET, when the "
                                          "platform's limit resets.")
    reauth = messages.failure(run(clock, error_class="ReauthRequired"), UTC)
    assert reauth.detail("What to do") == "Sign in again: autosync accounts connect 'Acme Ads'"
    assert "until you sign in again" in (reauth.detail("Next try") or "")
    manual = messages.failure(run(clock, schedule=None, next_run_at=None), UTC)
    assert manual.title == "Sync failed: account Acme Ads"
    assert manual.detail("Next try") == ("No automatic retry (manual or paused schedule). Run it again with: "
                                         "autosync sync 'Acme Ads'")
    text = messages.as_text(n)
    assert "What to do:" in text and "Unknown account id 123-456" in text
    assert len(messages.as_short(n)) <= messages.SMS_LIMIT


# --- minimum interval -----------------------------------------------------------------------------------------

def test_minimum_interval_holds_later_messages_and_sends_them_together() -> None:
    clock, cfg = Clock(), config(min_interval_minutes=60)
    policy = Policy(clock, UTC)
    assert kinds(policy.run_finished(run(clock), cfg)) == [("slack", "failure")]
    clock.advance(minutes=10)
    assert policy.run_finished(run(clock, "succeeded", run_id=2), cfg) == []  # held: 50 minutes to go
    clock.advance(minutes=10)
    assert policy.run_finished(run(clock, error_class="Permanent", run_id=3), cfg) == []  # held too
    clock.advance(minutes=5)
    assert kinds(policy.run_finished(run(clock, schedule="Other"), cfg)) == [("slack", "failure")]  # own interval

    clock.advance(minutes=34)  # 59 minutes after the first message
    assert policy.tick(cfg, fresh_world(clock), no_totals) == []
    clock.advance(minutes=2)
    released = policy.tick(cfg, fresh_world(clock), no_totals)
    assert kinds(released) == [("slack", "summary")]
    summary = released[0].notification
    assert [i.kind for i in summary.items] == ["recovery", "failure"]
    assert summary.title == "Sync failed: Daily Acme (Acme Ads) (+1 earlier update)"
    assert "Still failing: Daily Acme (Acme Ads), Other (Acme Ads)" in summary.summary
    assert policy.state.held == {}

    clock.advance(minutes=5)  # the interval restarted with the summary
    assert policy.run_finished(run(clock, "succeeded", run_id=4), cfg) == []
    clock.advance(minutes=56)
    released = policy.tick(cfg, fresh_world(clock), no_totals)
    assert kinds(released) == [("slack", "recovery")]  # a single held message goes out as it is


# --- quiet hours ----------------------------------------------------------------------------------------------

def test_quiet_hours_in_local_time_hold_messages_and_send_one_summary_when_they_end() -> None:
    clock = Clock(datetime(2026, 1, 15, 21, 30, tzinfo=UTC))  # 22:30 in Berlin: quiet (in UTC it would not be)
    cfg = config(min_interval_minutes=0, quiet_start="22:00", quiet_end="07:00", email__enabled=True)
    policy = Policy(clock, BERLIN)
    assert policy.run_finished(run(clock, schedule="A"), cfg) == []
    clock.advance(minutes=30)
    assert policy.run_finished(run(clock, schedule="B", error_class="Permanent"), cfg) == []
    clock.advance(hours=2)
    assert policy.run_finished(run(clock, "succeeded", schedule="A"), cfg) == []
    clock.now = datetime(2026, 1, 16, 5, 59, tzinfo=UTC)  # 06:59 local: still quiet
    assert policy.tick(cfg, fresh_world(clock), no_totals) == []

    clock.now = datetime(2026, 1, 16, 6, 1, tzinfo=UTC)  # 07:01 local
    released = policy.tick(cfg, fresh_world(clock), no_totals)
    assert kinds(released) == [("email", "summary"), ("slack", "summary")]
    summary = released[0].notification
    assert summary.title == "3 updates from quiet hours"
    assert [i.title for i in summary.items] == ["Sync failed: A (Acme Ads)", "Sync failed: B (Acme Ads)",
                                                "Sync recovered: A (Acme Ads)"]
    assert "Still failing: B (Acme Ads)" in summary.summary
    assert "22:00–07:00" in summary.summary
    assert policy.tick(cfg, fresh_world(clock), no_totals) == []

    clock.advance(hours=3)  # daytime: straight through
    assert kinds(policy.run_finished(run(clock, schedule="C"), cfg)) == [("email", "failure"), ("slack", "failure")]


# --- stale data -----------------------------------------------------------------------------------------------

def account(last_success: datetime | None, *, expected: bool = True, running: bool = False,
            needs_sign_in: bool = False, name: str = "Acme Ads") -> AccountFreshness:
    return AccountFreshness(account=name, last_success_at=last_success, created_at=T0 - timedelta(days=30),
                            expected=expected, schedules=SCHEDULES, running=running,
                            needs_sign_in=needs_sign_in, sign_in_detail="The refresh token was revoked",
                            sign_in_hint=messages.sign_in_command(name))


def test_stale_data_is_announced_once_per_stale_period_and_fresh_data_is_announced() -> None:
    clock, cfg = Clock(), config(min_interval_minutes=0, stale_hours=24)
    policy = Policy(clock, UTC, startup_grace=timedelta(minutes=10))
    last = T0 - timedelta(hours=30)
    assert policy.tick(cfg, [account(last)], no_totals) == []  # right after start: catch-up runs go first
    clock.advance(minutes=11)
    stale = policy.tick(cfg, [account(last)], no_totals)
    assert kinds(stale) == [("slack", "stale")]
    n = stale[0].notification
    assert n.title == "No fresh data: Acme Ads"
    assert "for 30 hours (last success 2026-01-14 03:00 UTC)" in n.summary
    assert "autosync sync 'Acme Ads'" in (n.detail("What to do") or "")
    for _ in range(3):
        clock.advance(hours=1)
        assert policy.tick(cfg, [account(last)], no_totals) == []  # once per stale period

    clock.advance(hours=1)
    # a morning file that lists Acme Ads is written: its data is still stale
    written = policy.run_finished(replace(run(clock, "succeeded", schedule="Morning file"), writes_file=True), cfg)
    assert ("slack", "fresh") not in kinds(written) and "Acme Ads" in policy.state.stale
    fresh = policy.run_finished(run(clock, "succeeded"), cfg)
    assert kinds(fresh) == [("slack", "fresh")]
    assert fresh[0].notification.title == "Data fresh again: Acme Ads"
    last = clock()
    assert policy.tick(cfg, [account(last)], no_totals) == []
    clock.advance(hours=25)
    assert kinds(policy.tick(cfg, [account(last)], no_totals)) == [("slack", "stale")]  # a new stale period


def test_no_stale_alert_for_paused_running_or_switched_off() -> None:
    clock = Clock()
    policy = Policy(clock, UTC, startup_grace=timedelta(0))
    old = T0 - timedelta(days=3)
    cfg = config(stale_hours=24)
    assert policy.tick(cfg, [account(old, expected=False), account(old, running=True, name="B")], no_totals) == []
    assert policy.tick(config(stale_hours=0), [account(old)], no_totals) == []
    assert policy.tick(config(stale_hours=24, slack__on_stale=False), [account(old)], no_totals) == []
    never = AccountFreshness("New", None, T0 - timedelta(hours=25), expected=True)
    n = policy.tick(cfg, [never], no_totals)[0].notification
    assert "since it was added on 2026-01-14 08:00 UTC" in n.summary


# --- sign-in --------------------------------------------------------------------------------------------------

def test_sign_in_needed_is_announced_once_and_the_failed_run_is_not_announced_twice() -> None:
    clock = Clock()
    cfg = config(min_interval_minutes=0, email__enabled=True, email__on_sign_in=False)
    policy = Policy(clock, UTC)
    alert = policy.sign_in_needed("Acme Ads", "The refresh token was revoked",
                                  messages.sign_in_command("Acme Ads"), cfg)
    assert kinds(alert) == [("slack", "sign_in")]  # email does not want sign-in messages
    n = alert[0].notification
    assert n.title == "Sign-in needed: Acme Ads"
    assert n.detail("What to do") == "Sign in again: autosync accounts connect 'Acme Ads'"
    assert policy.sign_in_needed("Acme Ads", "again", "", cfg) == []
    # the run that found out fails with ReauthRequired: Slack already knows, email only hears about the failure
    failed = policy.run_finished(run(clock, error_class="ReauthRequired", error="invalid_grant"), cfg)
    assert kinds(failed) == [("email", "failure")]
    # the periodic check sees the account still needs sign-in: nothing new
    clock.advance(hours=1)
    assert policy.tick(cfg, [account(T0, needs_sign_in=True)], no_totals) == []

    clock.advance(hours=1)
    assert kinds(policy.run_finished(run(clock, "succeeded"), cfg)) == [("email", "recovery"), ("slack", "recovery")]
    assert policy.state.sign_in == {}
    clock.advance(days=1)  # a sign-in noticed by a connectivity probe (the periodic check): announced again
    assert kinds(policy.tick(cfg, [account(clock(), needs_sign_in=True)], no_totals)) == [("slack", "sign_in")]


# --- digest ---------------------------------------------------------------------------------------------------

def test_email_digest_once_a_day_instead_of_single_mails() -> None:
    clock = Clock(datetime(2026, 1, 15, 6, 0, tzinfo=UTC))  # 07:00 Berlin
    cfg = config(min_interval_minutes=0, email__enabled=True, email__digest=True, email__digest_at="08:00")
    policy = Policy(clock, BERLIN, startup_grace=timedelta(0))
    assert kinds(policy.run_finished(run(clock), cfg)) == [("slack", "failure")]  # email waits for the digest
    clock.advance(minutes=20)
    policy.run_finished(run(clock, "succeeded"), cfg)
    policy.run_finished(run(clock, schedule="Weekly Acme", error_class="Permanent"), cfg)
    totals_asked: list[tuple[datetime, datetime]] = []

    def totals(since: datetime, until: datetime) -> DigestTotals:
        totals_asked.append((since, until))
        return DigestTotals(runs=12, succeeded=10, failed=2, rows=3456)

    clock.now = datetime(2026, 1, 15, 6, 59, tzinfo=UTC)  # 07:59 local
    assert policy.tick(cfg, fresh_world(clock), totals) == []
    clock.now = datetime(2026, 1, 15, 7, 0, tzinfo=UTC)  # 08:00 local
    digest = policy.tick(cfg, [*fresh_world(clock), account(clock() - timedelta(hours=30), name="Old Co")], totals)
    assert kinds(digest) == [("email", "digest"), ("slack", "stale")] or kinds(digest) == [
        ("slack", "stale"), ("email", "digest")]
    n = next(d.notification for d in digest if d.channel == "email")
    assert n.title == "AutoSync daily digest 2026-01-15: 2 failures, 1 recovery, 1 still failing"
    assert "12 runs, 10 succeeded, 2 failed, 3456 rows written" in n.summary
    assert n.detail("Still failing") == "Weekly Acme (Acme Ads)"
    assert n.detail("No fresh data") == "Old Co"
    assert [i.kind for i in n.items] == ["failure", "recovery", "failure", "stale"]
    assert totals_asked == [(clock() - timedelta(hours=24), clock())]
    clock.advance(hours=3)
    assert [d for d in policy.tick(cfg, fresh_world(clock), totals) if d.channel == "email"] == []  # once a day
    clock.now = datetime(2026, 1, 16, 7, 5, tzinfo=UTC)
    second = [d for d in policy.tick(cfg, fresh_world(clock), totals) if d.channel == "email"]
    assert len(second) == 1 and second[0].notification.items == ()  # a quiet day is still reported


# --- toggles, removal and restarts ----------------------------------------------------------------------------

def test_per_channel_toggles() -> None:
    clock = Clock()
    cfg = config(min_interval_minutes=0, webhook__enabled=True, webhook__on_success=True, slack__on_failure=False,
                 sms__on_failure=True)  # sms is switched off: its toggles do not matter
    policy = Policy(clock, UTC)
    assert kinds(policy.run_finished(run(clock), cfg)) == [("webhook", "failure")]
    assert kinds(policy.run_finished(run(clock, "succeeded"), cfg)) == [("slack", "recovery"), ("webhook", "recovery")]
    assert kinds(policy.run_finished(run(clock, "succeeded"), cfg)) == [("webhook", "success")]


def test_removed_schedules_and_accounts_are_forgotten() -> None:
    clock, cfg = Clock(), config(min_interval_minutes=0)
    policy = Policy(clock, UTC)
    policy.run_finished(run(clock, schedule="Gone"), cfg)
    policy.run_finished(run(clock, schedule="Daily Acme"), cfg)
    policy.tick(cfg, [account(T0)], no_totals)
    assert list(policy.state.problems) == ["schedule:Daily Acme"]
    policy.forget_account("Acme Ads")
    assert policy.state.problems == {}


def test_state_survives_a_restart_as_json() -> None:
    clock, cfg = Clock(), config(min_interval_minutes=0, quiet_start="00:00", quiet_end="00:01")
    policy = Policy(clock, UTC)
    policy.run_finished(run(clock), cfg)
    clock.now = clock().replace(hour=23, minute=59) + timedelta(minutes=1)  # 00:00: quiet
    policy.run_finished(run(clock, schedule="B"), cfg)
    saved = json.loads(json.dumps(policy.state.to_dict()))

    restarted = Policy(clock, UTC, PolicyState.from_dict(saved))
    assert restarted.state.held_count() == 1
    assert restarted.run_finished(run(clock), cfg) == []  # still the same problem: not repeated
    clock.advance(minutes=2)
    out = restarted.run_finished(run(clock, "succeeded"), cfg)
    assert kinds(out) == [("slack", "failure"), ("slack", "recovery")]  # the held one first, then the new one
    assert PolicyState.from_dict({"version": 999}).problems == {}  # an unknown format starts fresh


def test_held_messages_are_capped_per_channel_and_the_summary_counts_the_rest() -> None:
    from autosync_desktop.notify.policy import HELD_MAX

    clock = Clock(datetime(2026, 1, 15, 23, 0, tzinfo=UTC))
    cfg = config(min_interval_minutes=0, quiet_start="22:00", quiet_end="07:00", slack__on_success=True)
    policy = Policy(clock, UTC)
    for i in range(HELD_MAX + 5):
        policy.run_finished(run(clock, "succeeded", run_id=i, schedule=f"S{i}"), cfg)
    assert policy.state.held_count() == HELD_MAX
    clock.now = datetime(2026, 1, 16, 7, 0, tzinfo=UTC)
    [released] = policy.tick(cfg, [AccountFreshness("Acme Ads", clock(), T0, expected=True)], no_totals)
    n = released.notification
    assert n.title == f"{HELD_MAX + 5} updates from quiet hours" and len(n.items) == HELD_MAX
    assert "5 older ones are not repeated here" in n.summary
    assert n.items[0].title == "Sync succeeded: S5 (Acme Ads)"
