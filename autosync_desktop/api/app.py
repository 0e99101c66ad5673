"""The local REST API's FastAPI app: the sync endpoints, their errors, and the OpenAPI 3.1 document.

Every handler is a plain function (FastAPI runs it on its thread pool, never on the GUI thread) that goes through
the services layer, so the API validates and words errors exactly like the CLI and the window. An expected error
becomes `{"error": {"code", "message", "field"}}`: 404 for an unknown id, 409 for a conflict, 422 for bad input
(the message as the CLI words it, `field` the JSON field it is about). Every message passes the redaction.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException

from autosync_desktop import __version__, clock, redaction
from autosync_desktop.api import models as m
from autosync_desktop.api.events import EventRing
from autosync_desktop.domain import IntegrityCheck, Period, RunCursor, RunFilter, RunStatus, Trigger
from autosync_desktop.errors import AutoSyncError, UserError, one_line
from autosync_desktop.services import Services

log = logging.getLogger(__name__)
MAX_ID = 2**63 - 1
T = TypeVar("T")
ScheduleId = Annotated[int, Path(ge=1, le=MAX_ID, description="the schedule's id")]
JobIdParam = Annotated[int, Path(ge=1, le=MAX_ID, description="the job's (run's) id")]
CHART_DAYS = {Period.DAY: 1, Period.WEEK: 7, Period.MONTH: 30}
INTEGRITY_EVERY_S = 600.0
CACHE_S = 1.0  # how long a page of jobs or the metrics may be reused for other polling clients

# The CLI's option names (as its messages start) and the JSON field each one is in the API.
CLI_FIELDS = {"--name": "name", "--account": "account", "--type": "type", "--frequency": "frequency",
              "--every-minutes": "every_minutes", "--at": "at", "--days": "days", "--cron": "cron",
              "--timezone": "timezone", "--lookback-days": "lookback_days", "--missed": "missed", "--from": "from",
              "--to": "to", "--period": "period", "--status": "status", "--limit": "limit", "--after": "after",
              **{name: name for name in ("limit", "period", "status", "cursor", "schedule_id", "account", "since")}}
_FIELD = re.compile(r"^(--[a-z][a-z-]*|[a-z_]+)(?=[:\s/])")


class NotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Busy(Exception):
    """A run of the schedule is already queued or running."""

    def __init__(self, message: str, running_job_id: int) -> None:
        super().__init__(message)
        self.message = message
        self.running_job_id = running_job_id


def field_of(message: str) -> str | None:
    """The JSON field a service's message is about ("--frequency: must be one of ..." -> "frequency")."""
    if message.startswith("Unknown account"):
        return "account"
    match = _FIELD.match(message)
    return CLI_FIELDS.get(match.group(1)) if match else None


def _error(status: int, code: str, message: str, field: str | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": redaction.clean(message), "field": field}, **extra},
                        status_code=status)


class PollCache:
    """Answers of the polled reads (a page of jobs, the metrics) shared by every client asking the same within
    CACHE_S, computed once while others wait (single flight), and dropped at once when a job or schedule changes
    state (`changed`); so 50 dashboards polling the same page cost about one query a second, not fifty."""

    def __init__(self, ttl_s: float = CACHE_S) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._keys: dict[tuple[Any, ...], threading.Lock] = {}
        self._answers: dict[tuple[Any, ...], tuple[float, int, Any]] = {}
        self._generation = 0

    def changed(self) -> None:
        with self._lock:
            self._generation += 1
            self._answers.clear()

    def get(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            if len(self._keys) > 2000:  # bounded: every cursor is a key (a dropped lock only costs a second query)
                self._keys.clear()
            key_lock = self._keys.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                found = self._answers.get(key)
                generation = self._generation
            if found is not None and found[1] == generation and time.monotonic() < found[0]:
                return found[2]  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                if generation == self._generation:
                    if len(self._answers) > 1000:
                        self._answers.clear()
                    self._answers[key] = (time.monotonic() + self.ttl_s, generation, value)
            return value


@dataclass
class ApiContext:
    """What the app needs beyond the services: the event ring and what this process knows about its scheduler."""

    services: Services
    ring: EventRing
    scheduler_since: datetime | None = None
    last_wake_up: datetime | None = None
    trigger_lock: threading.Lock = field(default_factory=threading.Lock)
    integrity: tuple[float, datetime, IntegrityCheck] | None = None
    cache: PollCache = field(default_factory=PollCache)


class DropEmptyQuery:
    """ASGI wrapper: `?status=&limit=50` means "no status filter" (empty query values are left out), so a URL
    template with every filter present but blank works as documented."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            pairs = [p for p in scope["query_string"].split(b"&") if p and not p.endswith(b"=")]
            scope = {**scope, "query_string": b"&".join(pairs)}
        await self.app(scope, receive, send)


def _encode_cursor(cursor: RunCursor) -> str:
    raw = f"{cursor.queued_at.astimezone(UTC).isoformat()}|{cursor.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(text: str) -> RunCursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        moment, _, number = raw.partition("|")
        queued = datetime.fromisoformat(moment)
        run_id = int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise UserError("cursor: not a cursor this API returned; use next_cursor from the previous page") from None
    if not 0 <= run_id <= MAX_ID or queued.tzinfo is None:
        raise UserError("cursor: not a cursor this API returned; use next_cursor from the previous page")
    return RunCursor(queued_at=queued, id=run_id)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


COMMON: dict[int | str, dict[str, Any]] = {
    401: {"model": m.Error, "description": "missing or wrong bearer token"},
    413: {"model": m.Error, "description": "request body over 1 MB"},
    421: {"model": m.Error, "description": "Host is not 127.0.0.1:<port> or localhost:<port>"},
    422: {"model": m.Error, "description": "invalid input; `field` names the field"},
    429: {"model": m.Error, "description": "ten failed authentications within a minute; see Retry-After"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": m.Error, "description": "unknown id"}}


def create_app(ctx: ApiContext) -> FastAPI:
    """The FastAPI app for `ctx.services` (the security rules are wrapped around it by server.py)."""
    svc = ctx.services
    app = FastAPI(title="AutoSync Desktop local API", version=__version__, docs_url=None, redoc_url=None,
                  description="The sync system of AutoSync Desktop on 127.0.0.1. Every request needs "
                              "`Authorization: Bearer <token>` (`autosync api token`).",
                  responses=COMMON)

    # --- errors ---

    @app.exception_handler(UserError)
    def user_error(_: Request, exc: UserError) -> JSONResponse:
        message = one_line(exc)
        flag = getattr(exc, "field", None)  # a ScheduleSpecError names its CLI flag
        field = CLI_FIELDS.get(flag) if isinstance(flag, str) else None
        return _error(422, "invalid", message, field or field_of(str(exc)))

    @app.exception_handler(NotFound)
    def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _error(404, "not_found", exc.message)

    @app.exception_handler(Busy)
    def busy(_: Request, exc: Busy) -> JSONResponse:
        return _error(409, "already_running", exc.message, running_job_id=exc.running_job_id)

    @app.exception_handler(AutoSyncError)
    def unavailable(_: Request, exc: AutoSyncError) -> JSONResponse:
        return _error(503, "unavailable", one_line(exc))

    @app.exception_handler(Exception)
    def bug(_: Request, exc: Exception) -> JSONResponse:  # the traceback goes to the log (redacted there)
        log.error("unexpected error in the local API", exc_info=exc)
        return _error(500, "internal", f"Unexpected error: {type(exc).__name__} (details in the log)")

    @app.exception_handler(RequestValidationError)
    def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header")]
        where = loc[-1] if loc else None
        message = str(first.get("msg", "invalid request"))
        return _error(422, "invalid", f"{where}: {message}" if where else message, where)

    @app.exception_handler(HTTPException)
    def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body that is not JSON text at all: invalid input like any other
            return _error(422, "invalid", f"The request body is not valid JSON ({exc.detail})")
        codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        return _error(exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail))

    def schedule_name(schedule_id: int) -> str:
        name = svc.schedules.name_of(schedule_id)
        if name is None:
            raise NotFound(f"No schedule with id {schedule_id}; see GET /sync/schedules")
        return name

    def one_schedule(name: str) -> m.SyncSchedule:
        ids = svc.schedules.ids()
        card = next(c for c in svc.schedules.cards() if c.name == name)
        return m.sync_schedule(card, ids[name])

    # --- schedules ---

    @app.get("/sync/schedules", response_model=list[m.SyncSchedule], tags=["schedules"])
    def list_schedules() -> list[m.SyncSchedule]:
        """Every schedule, by name."""
        ids = svc.schedules.ids()
        return [m.sync_schedule(card, ids[card.name]) for card in svc.schedules.cards() if card.name in ids]

    @app.post("/sync/schedules", status_code=201, response_model=m.SyncSchedule, tags=["schedules"])
    def create_schedule(body: m.ScheduleBody) -> m.SyncSchedule:
        """Create a schedule; 422 names the field when the input is invalid."""
        info = svc.schedules.add(body.name, body.account, body.type, body.frequency,
                                 every_minutes=body.every_minutes, at=body.at, days=body.days, cron=body.cron,
                                 timezone=body.timezone, lookback_days=body.lookback_days, missed=body.missed,
                                 paused=not body.enabled, after=body.after or ())
        return one_schedule(info.name)

    @app.put("/sync/schedules/{schedule_id}", response_model=m.SyncSchedule, responses=NOT_FOUND,
             tags=["schedules"])
    def replace_schedule(schedule_id: ScheduleId, body: m.ScheduleBody) -> m.SyncSchedule:
        """Replace a schedule (every field; those left out take their defaults)."""
        name = schedule_name(schedule_id)
        info = svc.schedules.update(
            name, new_name=body.name, account=body.account, sync_type=body.type,
            frequency=body.frequency, every_minutes=body.every_minutes, at=body.at, days=body.days,
            cron=body.cron, timezone=body.timezone or svc.schedules.default_timezone(),
            lookback_days=body.lookback_days, missed=body.missed, paused=not body.enabled, after=body.after)
        return one_schedule(info.name)

    @app.delete("/sync/schedules/{schedule_id}", status_code=204, response_class=Response, responses=NOT_FOUND,
                tags=["schedules"])
    def delete_schedule(schedule_id: ScheduleId) -> Response:
        """Remove a schedule; its jobs stay in the history; schedules that ran after it lose that link."""
        svc.schedules.remove(schedule_name(schedule_id), confirmed=True)
        return Response(status_code=204)

    @app.post("/sync/schedules/{schedule_id}/trigger", status_code=202, response_model=m.JobId,
              responses={**NOT_FOUND, 409: {"model": m.Conflict, "description": "a job of it is queued or running"}},
              tags=["schedules"])
    def trigger(schedule_id: ScheduleId) -> m.JobId:
        """Sync the schedule now; 409 (with its id) when a job of it is already queued or running."""
        name = schedule_name(schedule_id)
        with ctx.trigger_lock:
            running = [run for run in svc.runs.active() if run.schedule == name]
            if running:
                raise Busy(f"Schedule {name!r} already has job {running[0].id} {running[0].status.value}",
                           running[0].id)
            request = svc.runs.request(name, trigger=Trigger.MANUAL)
        return m.JobId(job_id=request.run_id)

    @app.post("/sync/schedules/{schedule_id}/resync", status_code=202, response_model=m.JobId,
              responses=NOT_FOUND, tags=["schedules"])
    def resync(schedule_id: ScheduleId, body: m.ResyncBody) -> m.JobId:
        """Re-sync a date range (a backfill job). The range must start within what the platform keeps; a long one
        is not asked about (the CLI's --yes): the caller named it."""
        request = svc.runs.request(schedule_name(schedule_id), body.from_, body.to, Trigger.BACKFILL, confirmed=True)
        return m.JobId(job_id=request.run_id)

    # --- jobs ---

    @app.get("/sync/jobs", response_model=m.JobPage, tags=["jobs"])
    def list_jobs(status: RunStatus | None = None,
                  schedule_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                  account: Annotated[str | None, Query(max_length=200)] = None,
                  since: datetime | None = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                  cursor: Annotated[str | None, Query(max_length=200)] = None) -> m.JobPage:
        """Jobs, newest first, keyset-paged: pass `next_cursor` as `cursor` for the next page."""
        key = ("jobs", status, schedule_id, account, since, limit, cursor)
        return ctx.cache.get(key, lambda: jobs_page(status, schedule_id, account, since, limit, cursor))

    def jobs_page(status: RunStatus | None, schedule_id: int | None, account: str | None, since: datetime | None,
                  limit: int, cursor: str | None) -> m.JobPage:
        schedule = None
        if schedule_id is not None:
            schedule = svc.schedules.name_of(schedule_id)
            if schedule is None:
                raise UserError(f"schedule_id: no schedule with id {schedule_id}")
        filters = RunFilter(statuses=(status,) if status else (), schedule=schedule, account=account,
                            since=_aware(since) if since else None)
        page = svc.runs.page(filters, _decode_cursor(cursor) if cursor else None, limit)
        more = not page.done and page.cursor is not None
        return m.JobPage(jobs=[m.job(row) for row in page.rows],
                         next_cursor=_encode_cursor(page.cursor) if more and page.cursor else None)

    @app.get("/sync/jobs/{job_id}", response_model=m.JobDetail, responses=NOT_FOUND, tags=["jobs"])
    def get_job(job_id: JobIdParam) -> m.JobDetail:
        """One job with its windows, counts, retries, error and log lines."""
        try:
            return m.job_detail(svc.runs.detail(job_id))
        except UserError:
            raise NotFound(f"No job with id {job_id}; see GET /sync/jobs") from None

    @app.post("/sync/jobs/{job_id}/cancel", status_code=202, response_model=m.CancelAccepted, responses=NOT_FOUND,
              tags=["jobs"])
    def cancel_job(job_id: JobIdParam) -> m.CancelAccepted:
        """Cancel a job: a queued one ends at once, a running one at its next page."""
        try:
            result = svc.runs.cancel(job_id)
        except UserError:
            raise NotFound(f"No job with id {job_id}; see GET /sync/jobs") from None
        return m.CancelAccepted(job_id=job_id, status=result.word)

    # --- metrics and status ---

    @app.get("/sync/metrics", response_model=m.Metrics, tags=["status"])
    def metrics(period: Period = Period.DAY) -> m.Metrics:
        """Success rate, total syncs, average duration and data points of the period and the one before it, with
        per-day series for charts; `insights`: the period's figures per platform, account and schedule, and
        `insights.series` the same runs per UTC hour (24h) or day (7d, 30d)."""
        def compute() -> m.Metrics:
            comparison = svc.metrics.period_comparison(period.value)
            days = svc.metrics.chart_series(CHART_DAYS[period], 0, comparison.until).days
            series = svc.insights.series(period.value, 0, comparison.until)  # UTC hours or days
            return m.metrics(comparison, days, svc.insights.period(period.value, comparison.until), series)

        return ctx.cache.get(("metrics", period), compute)

    @app.get("/sync/system-status", response_model=m.SystemStatus, tags=["status"])
    def system_status() -> m.SystemStatus:
        """The scheduler, the database, the keyring and every account's health."""
        info = svc.metrics.scheduler_info()
        database = svc.metrics.database_info()
        checked = integrity()
        keyring = svc.accounts.keyring_state()
        status = svc.metrics.status("24h")
        cards = {card.name: card for card in svc.accounts.cards()}
        prune = database.last_prune
        return m.SystemStatus(
            scheduler=m.SchedulerState(
                running=info.running, owner=info.owner, since=ctx.scheduler_since, paused_all=info.paused_all,
                active_runs=info.active_runs, next_run=info.next_run_at, next_schedule=info.next_schedule,
                last_wake_up=ctx.last_wake_up),
            database=m.DatabaseState(
                size_bytes=database.size_bytes, schema_version=database.schema_version,
                last_prune=None if prune is None else m.LastPrune(at=prune.at, runs_deleted=prune.runs_deleted,
                                                                  stats_deleted=prune.stats_deleted),
                integrity=checked[1].text, integrity_checked_at=checked[0]),
            keyring=m.KeyringInfo(status=keyring.status.value, backend=keyring.backend,
                                  message=redaction.clean(keyring.message)),
            accounts=[m.account_health(a, cards.get(a.name)) for a in status.accounts])

    def integrity() -> tuple[datetime, IntegrityCheck]:
        now = time.monotonic()
        if ctx.integrity is None or now - ctx.integrity[0] > INTEGRITY_EVERY_S:
            ctx.integrity = (now, clock.now(), svc.metrics.integrity_check())
        return ctx.integrity[1], ctx.integrity[2]

    # --- events ---

    @app.get("/sync/events", response_class=StreamingResponse, tags=["events"],
             responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                              "description": "Server-Sent Events: run_queued, run_started, run_progress, run_log, "
                                             "run_finished, schedule_changed (data: the event as JSON)"}})
    def events(last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=30)] = None,
               ) -> StreamingResponse:
        """Every job state change and progress event as it happens; reconnect with Last-Event-ID to get what you
        missed (the last 1,000 events are kept)."""
        last = int(last_event_id) if last_event_id and last_event_id.strip().isdigit() else None
        return StreamingResponse(ctx.ring.stream(last), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                                 description=app.description, routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer", "description": "autosync api token"}}
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app

