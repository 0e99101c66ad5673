"""Peewee models: the schema of the local store (current version; history lives in store/migrations.py).

All timestamps are naive UTC datetimes. Money is integer micros. Platform ids are TEXT.
Free text that may quote a platform (errors, reasons, run events, probe and sign-in messages) is a
`RedactedTextField`: secrets are masked as it enters the store, whoever writes it.
Models are bound to `database_proxy`, which store/db.py initialises when a store is opened.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from peewee import (
    SQL,
    AutoField,
    BooleanField,
    CharField,
    CompositeKey,
    DatabaseProxy,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from autosync_desktop import clock, redaction
from autosync_desktop.errors import UserError

database_proxy = DatabaseProxy()

RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted", "skipped")
ACTIVE_STATUSES = ("queued", "running")
FINAL_STATUSES = ("succeeded", "failed", "cancelled", "interrupted", "skipped")
RUN_TRIGGERS = ("scheduled", "manual", "catch-up", "backfill", "retry")
SCHEDULE_TYPES = ("campaigns", "performance", "both", "export")  # export: writes a file (no account)
IF_MISSING = ("run", "skip")  # what a schedule does when its wait for upstreams ends with some missing
DEFAULT_WAIT_MAX_MINUTES = 120
FREQUENCIES = ("manual", "interval", "hourly", "daily", "weekly", "cron")
MISSED_POLICIES = ("skip", "run_once")
AUTH_STATES = ("ok", "needs_sign_in", "unknown")


def utcnow() -> datetime:
    """Naive UTC now: what every DateTimeField in the store holds."""
    return clock.utcnow_naive()


class RedactedTextField(TextField):
    """A TEXT column whose values are redacted (`redaction.clean`: keyring values read by this process, token
    patterns) on the way in, by inserts and updates alike: a platform's error that echoes a secret is stored masked."""

    def db_value(self, value: object) -> object:
        if isinstance(value, str):
            value = redaction.clean(value)
        return super().db_value(value)


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class SchemaVersion(BaseModel):
    version = IntegerField()
    applied_at = DateTimeField(default=utcnow)


class Account(BaseModel):
    id = AutoField()  # what peewee adds implicitly, declared so the type checker knows it
    name = CharField(unique=True)
    platform = CharField()
    external_id = CharField(default="")
    options = TextField(default="{}")  # JSON object of non-secret options
    currency = CharField(null=True)
    timezone = CharField(null=True)
    auth_state = CharField(default="ok")
    auth_message = RedactedTextField(null=True)
    created_at = DateTimeField(default=utcnow)
    # Set by `accounts remove --keep-data`: the account is gone (no schedules, no credentials, not listed) but its
    # campaigns and daily stats stay readable under its (renamed) name. Schema v6.
    removed_at = DateTimeField(null=True)

    def day_zone(self) -> str:
        """The zone the account's days are in: its own, else its `timezone` option, else UTC (queries.DAY_TZ_SQL)."""
        return str(self.timezone or json.loads(self.options or "{}").get("timezone") or "UTC")


class Schedule(BaseModel):
    id = AutoField()
    name = CharField(unique=True)
    # NULL: an export schedule (it reads the accounts named in export_options, or all). Nullable since schema v10.
    account = ForeignKeyField(Account, backref="schedules", on_delete="CASCADE", null=True)
    if TYPE_CHECKING:
        account_id: int | None
    sync_type = CharField(default="both")
    frequency = CharField(default="daily")
    every_minutes = IntegerField(null=True)
    at_time = CharField(null=True)  # "HH:MM" (daily, weekly) or ":MM" (hourly)
    days = CharField(null=True)  # "mon,tue,..." (weekly)
    cron = CharField(null=True)
    timezone = CharField()
    lookback_days = IntegerField(null=True)  # None: the account's / platform's default
    missed_policy = CharField(default="run_once")
    paused = BooleanField(default=False)
    next_run_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    # Schema v10 (issue 13). Upstreams are in ScheduleDependency. wait_max_minutes NULL: DEFAULT_WAIT_MAX_MINUTES.
    wait_max_minutes = IntegerField(null=True)
    if_missing = CharField(default="run", constraints=[SQL("DEFAULT 'run'")])  # one of IF_MISSING
    waiting_since = DateTimeField(null=True)  # a time trigger's tick opened a wait for upstreams (naive UTC)
    export_options = TextField(null=True)  # JSON object for sync_type "export" (output, format, range, accounts)

    def owner(self) -> Account:
        """The account this sync schedule reads; an export schedule has none, and is refused where one is needed."""
        if self.account is None:
            raise UserError(f"{self.name!r} is an export schedule: it reads no single account")
        return self.account


class ScheduleDependency(BaseModel):
    """`schedule` runs after `upstream` (schema v10): once all its upstreams have succeeded since its last run."""

    schedule = ForeignKeyField(Schedule, backref="upstream_links", on_delete="CASCADE", index=False)
    upstream = ForeignKeyField(Schedule, backref="downstream_links", on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("schedule", "upstream")
        without_rowid = True


class SyncRun(BaseModel):
    id = AutoField()
    # Names are copied into the run so history survives the removal of a schedule or account.
    schedule = ForeignKeyField(Schedule, null=True, backref="runs", on_delete="SET NULL", index=False)
    account = ForeignKeyField(Account, null=True, backref="runs", on_delete="SET NULL", index=False)
    if TYPE_CHECKING:  # peewee's foreign-key id columns, for the type checker
        schedule_id: int | None
        account_id: int | None
    schedule_name = CharField(null=True)
    account_name = CharField()
    platform = CharField()
    sync_type = CharField(default="both")
    trigger = CharField(default="manual")
    status = CharField(default="queued")
    reason = RedactedTextField(null=True)  # why skipped / interrupted / cancelled
    window_from = DateField(null=True)  # explicit backfill range, if any
    window_to = DateField(null=True)
    queued_at = DateTimeField(default=utcnow)
    started_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)
    heartbeat_at = DateTimeField(null=True)
    duration_s = FloatField(null=True)
    rows = IntegerField(default=0)  # daily-stat rows written
    campaigns = IntegerField(default=0)
    pages = IntegerField(default=0)
    api_calls = IntegerField(default=0)
    api_errors = IntegerField(default=0)
    api_latency_ms = FloatField(default=0.0)  # sum over api_calls
    # Seconds spent waiting on rate limits (the platform's and our own pacing); NULL: recorded before schema v9.
    rate_limit_wait_s = FloatField(null=True, default=0.0)
    # JSON list of upstream schedule names that had not succeeded when this run's wait ended (schema v10)
    missing_inputs = TextField(null=True)
    attempt = IntegerField(default=1)
    error_class = CharField(null=True)
    error_message = RedactedTextField(null=True)
    owner_pid = IntegerField(null=True)  # process executing the run; NULL while waiting to be claimed
    owner_host = CharField(null=True)
    cancel_requested = BooleanField(default=False)

    class Meta:
        indexes = (
            (("queued_at", "status", "duration_s", "rows"), False),
            (("status", "queued_at", "duration_s", "rows"), False),
            (("schedule", "queued_at"), False),
            (("account", "queued_at"), False),
            (("account", "status", "queued_at"), False),
        )


class RunEvent(BaseModel):
    id = AutoField()
    run = ForeignKeyField(SyncRun, backref="events", on_delete="CASCADE")
    at = DateTimeField(default=utcnow)
    level = CharField(default="info")
    message = RedactedTextField()


class Campaign(BaseModel):
    account = ForeignKeyField(Account, backref="campaigns", on_delete="CASCADE", index=False)
    campaign_id = CharField()
    name = CharField()
    status = CharField(default="OTHER")
    status_raw = CharField(null=True)
    currency = CharField(null=True)
    updated_at = CharField(null=True)
    extra = TextField(null=True)
    synced_at = DateTimeField(default=utcnow)

    class Meta:
        primary_key = CompositeKey("account", "campaign_id")
        without_rowid = True


class DailyStat(BaseModel):
    account = ForeignKeyField(Account, backref="daily_stats", on_delete="CASCADE", index=False)
    campaign_id = CharField()
    date = DateField()
    impressions = IntegerField(null=True)
    clicks = IntegerField(null=True)
    cost_micros = IntegerField(null=True)
    currency = CharField(null=True)
    conversions = FloatField(null=True, default=0.0)  # NULL: the platform does not report conversions
    conversion_value_micros = IntegerField(null=True)
    extra = TextField(null=True)  # JSON object of platform metric names -> strings, exact as received
    synced_at = DateTimeField(default=utcnow)
    run_id = IntegerField(null=True)

    class Meta:
        primary_key = CompositeKey("account", "date", "campaign_id")
        without_rowid = True


class DailyConversion(BaseModel):
    """A campaign's conversions on one day for one conversion action, where the platform reports per action.

    `count` may be fractional (modelled or data-driven attribution); `value_micros` NULL: no value reported.
    The blended `daily_stat.conversions` keeps its own per-platform rule (README, "Conversions by action").
    Schema v8.
    """

    account = ForeignKeyField(Account, backref="daily_conversions", on_delete="CASCADE", index=False)
    platform = CharField()
    campaign_id = CharField()
    date = DateField()
    action = CharField()
    count = FloatField()
    value_micros = IntegerField(null=True)
    synced_at = DateTimeField(default=utcnow)
    run_id = IntegerField(null=True)

    class Meta:
        primary_key = CompositeKey("account", "date", "campaign_id", "action")
        without_rowid = True


class DayFetch(BaseModel):
    """One account day's fetch history, kept by the writer with the day's data (schema v11; sync/freshness.py).

    `last_age_days`: the day's age (days before today in the account's zone) at its last fetch.
    `unchanged_streak`: re-fetches in a row that left cost, clicks and conversions as they were (numbers stored
    after the day was over), counting at most one per day of age (`streak_age_days`: the age of the last one
    counted), so hourly re-fetches of yesterday do not settle it. `last_changed`: the last re-fetch changed them.
    """

    account = ForeignKeyField(Account, backref="day_fetches", on_delete="CASCADE", index=False)
    date = DateField()
    fetches = IntegerField()
    first_fetched_at = DateTimeField()
    last_fetched_at = DateTimeField()
    last_age_days = IntegerField()
    unchanged_streak = IntegerField()
    streak_age_days = IntegerField(null=True)
    last_changed = BooleanField()

    class Meta:
        primary_key = CompositeKey("account", "date")
        without_rowid = True


class Restatement(BaseModel):
    """What one re-fetch of a day changed, summed over the account's campaigns (schema v11).

    Written only when cost, clicks or conversions changed and the stored values were fetched after the day was over
    (`prev_age_days` >= 1). before_*: the stored values; d_*: new minus before. NULL: unknown (a campaign's metric
    was not reported, before or after), never 0.
    """

    id = AutoField()
    account = ForeignKeyField(Account, backref="restatements", on_delete="CASCADE", index=False)
    date = DateField()
    age_days = IntegerField()
    prev_age_days = IntegerField()
    fetched_at = DateTimeField()
    run_id = IntegerField(null=True)
    before_cost_micros = IntegerField(null=True)
    before_clicks = IntegerField(null=True)
    before_conversions = FloatField(null=True)
    d_cost_micros = IntegerField(null=True)
    d_clicks = IntegerField(null=True)
    d_conversions = FloatField(null=True)

    class Meta:
        indexes = ((("account", "date"), False), (("fetched_at",), False))


class SyncState(BaseModel):
    account = ForeignKeyField(Account, backref="sync_states", on_delete="CASCADE", index=False)
    stream = CharField()  # "campaigns" | "daily_stats"
    last_complete_date = DateField(null=True)
    last_synced_at = DateTimeField(null=True)

    class Meta:
        primary_key = CompositeKey("account", "stream")


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = TextField()  # JSON
    updated_at = DateTimeField(default=utcnow)


class HealthProbe(BaseModel):
    """One light connectivity check of an account between syncs (a cheap real API call)."""

    account = ForeignKeyField(Account, backref="probes", on_delete="CASCADE", index=False)
    at = DateTimeField(default=utcnow)
    ok = BooleanField()
    latency_ms = FloatField(null=True)
    error_class = CharField(null=True)
    message = RedactedTextField(null=True)

    class Meta:
        indexes = ((("account", "at"), False),)


class ProcessLease(BaseModel):
    """Processes that have the store open, so others can tell whether a scheduler is alive."""

    pid = IntegerField()
    host = CharField()
    kind = CharField()  # service | gui | cli
    runs_scheduler = BooleanField(default=False)
    started_at = DateTimeField(default=utcnow)
    heartbeat_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("host", "pid"), True),)


MODELS: list[type[BaseModel]] = [
    SchemaVersion, Account, Schedule, ScheduleDependency, SyncRun, RunEvent, Campaign, DailyStat, DailyConversion,
    SyncState, Setting, HealthProbe, ProcessLease, DayFetch, Restatement,
]
