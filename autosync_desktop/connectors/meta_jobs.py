"""Meta's asynchronous insights report jobs, several at a time, handed back in date order.

A first sync of a large Meta account is a row of 30-day windows, each an async report job that takes seconds to
minutes on Meta's side. One job at a time leaves Meta idle between them; here up to `async_max_jobs` (option,
default 4, 1..10) jobs of one account are in flight while the engine writes the finished windows in date order:

- a new job starts only while every usage figure Meta sent last (`X-Business-Use-Case-Usage`,
  `x-fb-ads-insights-throttle`, `X-App-Usage`, `X-Ad-Account-Usage`) is at most HOLD_BACK_PCT; one job always
  runs, so a busy account still makes progress;
- each job is polled on its own schedule, `poll_delay(elapsed)`: at most POLL_SHARE of the time it has run so far
  (within ASYNC_POLL_FIRST_S..ASYNC_POLL_MAX_S of the connector), so seeing a job's end costs at most 1.4x its
  own time for jobs of 2.5 s or more;
- the engine gets one page iterator per window, in the windows' order; a window's rows are downloaded only when
  the engine asks for them (its turn), so memory holds one window. A window whose job could not start, failed,
  or ran too long carries its error in its iterator: the engine's retry fetches that window again the ordinary
  way (`fetch_daily_stats`), and the jobs ahead of it keep running;
- a cancel wakes the waiting sleep (ConnectorContext.sleep raises Cancelled): polling stops, and since the
  engine writes a window only when all its pages are in, no half window is written.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .base import ConnectorError, DailyStatRecord, Transient
from .meta_records import ROW_ERRORS, stat_record, unreadable

if TYPE_CHECKING:
    from .meta_ads import MetaAdsConnector

DEFAULT_MAX_JOBS = 4
MAX_JOBS = 10
HOLD_BACK_PCT = 75.0  # no new job while Meta's usage is above this
POLL_SHARE = 0.4  # the next poll comes after at most this share of the job's time so far


def poll_delay(elapsed: float, first: float, cap: float) -> float:
    """Seconds until a job that has run `elapsed` seconds is polled again."""
    return min(cap, max(first, POLL_SHARE * elapsed))


def one_job_pages(connector: MetaAdsConnector, params: Mapping[str, str]) -> Iterator[list[dict[str, Any]]]:
    """One window through one report job (a run without prefetching): start it, wait for it, read its pages."""
    started = connector._call("POST", connector._url(f"act_{connector.account_id}/insights"), data=params)
    run_id = str(started.get("report_run_id") or "")
    if not run_id:
        raise Transient("Meta did not return a report_run_id for the insights report job")
    _wait_for_job(connector, run_id)
    yield from connector._pages(f"{quote(run_id, safe='')}/insights", {}, "insights")


def _wait_for_job(connector: MetaAdsConnector, run_id: str) -> None:
    from . import meta_ads  # its poll constants (tests make them tiny)

    ctx = connector.ctx
    url = connector._url(quote(run_id, safe=""), {"fields": "id,async_status,async_percent_completion"})
    began = time.monotonic()
    delay = poll_delay(0.0, meta_ads.ASYNC_POLL_FIRST_S, meta_ads.ASYNC_POLL_MAX_S)
    polls = 0
    while True:
        job = connector._call("GET", url)
        polls += 1
        status = str(job.get("async_status") or "")
        percent = job.get("async_percent_completion")
        if status == "Job Completed":
            ctx.log("info", f"Meta report {run_id} ready after {polls} poll(s)")
            return
        if status in ("Job Failed", "Job Skipped"):
            raise Transient(f"Meta's insights report job {run_id} ended with {status!r}; it will be asked again",
                            platform_message=status)
        if polls % meta_ads.ASYNC_POLL_LOG_EVERY == 1:
            ctx.log("info", f"Meta report {run_id}: {status or 'pending'}, {percent or 0}% done")
        waited = time.monotonic() - began
        remaining = ctx.remaining()
        if waited >= meta_ads.ASYNC_MAX_WAIT_S or (remaining is not None and remaining <= 0):
            raise Transient(f"Meta's insights report job {run_id} did not finish within {waited:.0f} s")
        ctx.sleep(delay)
        delay = poll_delay(time.monotonic() - began, meta_ads.ASYNC_POLL_FIRST_S, meta_ads.ASYNC_POLL_MAX_S)


@dataclass(slots=True)
class _Slot:
    """One window and, when it goes async, its report job."""

    start: date
    end: date
    use_job: bool
    run_id: str | None = None
    started_at: float = 0.0  # time.monotonic() when the job was started
    next_poll: float = 0.0
    polls: int = 0
    done: bool = False  # the job completed (its rows can be read), or the window needs no job
    error: ConnectorError | None = None

    @property
    def finished(self) -> bool:
        return self.done or self.error is not None


class ReportJobs:
    """Runs the report jobs of a run's windows ahead of the engine (see the module's docstring)."""

    def __init__(self, connector: MetaAdsConnector, windows: Sequence[tuple[date, date]], max_jobs: int) -> None:
        self.connector = connector
        self.ctx = connector.ctx
        threshold = connector.async_threshold_days
        self.slots = []
        for start, end in windows:
            use_job = 0 < threshold <= (end - start).days + 1
            self.slots.append(_Slot(start, end, use_job, done=not use_job))
        self.max_jobs = max(1, max_jobs)
        self.peak_in_flight = 0  # the most jobs this run had running at once (the run log says it)
        self.held_back = 0  # how often a new job waited for Meta's usage to come down

    def __iter__(self) -> Iterator[Iterator[list[DailyStatRecord]]]:
        pending = [slot for slot in self.slots if slot.use_job]
        for index, slot in enumerate(self.slots):
            while not slot.finished:
                self._start_jobs(pending)
                if slot.finished:
                    break
                self._poll_due()
            if index == len(self.slots) - 1:
                self._summary()  # before the last window: the engine asks for no more after it
            yield self._pages(slot)

    def _summary(self) -> None:
        if any(slot.use_job for slot in self.slots):
            self.ctx.log("info", f"Meta report jobs: at most {self.peak_in_flight} at once (async_max_jobs "
                                 f"{self.max_jobs})" + (f"; new jobs waited {self.held_back} time(s) for Meta's "
                                                        "usage to fall" if self.held_back else ""))

    # --- starting and polling ---

    def _in_flight(self) -> list[_Slot]:
        return [s for s in self.slots if s.run_id is not None and not s.finished]

    def _start_jobs(self, pending: list[_Slot]) -> None:
        while pending:
            running = len(self._in_flight())
            if running >= self.max_jobs:
                return
            usage = self.connector.usage
            if running and usage is not None and usage.pct > HOLD_BACK_PCT:
                self.held_back += 1
                return
            self._start(pending.pop(0))
            self.peak_in_flight = max(self.peak_in_flight, len(self._in_flight()))

    def _start(self, slot: _Slot) -> None:
        from .meta_ads import STATUS_FILTERS

        connector = self.connector
        statuses = STATUS_FILTERS[connector._filter_level["insights"]]  # the widest filter Meta accepted so far
        params = connector._insights_params(slot.start, slot.end, statuses)
        try:
            started = connector._call("POST", connector._url(f"act_{connector.account_id}/insights"), data=params)
            run_id = str(started.get("report_run_id") or "")
            if not run_id:
                raise Transient("Meta did not return a report_run_id for the insights report job")
        except ConnectorError as exc:
            slot.error = exc
            return
        slot.run_id, slot.started_at = run_id, time.monotonic()
        slot.next_poll = slot.started_at + self._delay(0.0)

    def _delay(self, elapsed: float) -> float:
        from . import meta_ads  # its poll constants (tests make them tiny)

        return poll_delay(elapsed, meta_ads.ASYNC_POLL_FIRST_S, meta_ads.ASYNC_POLL_MAX_S)

    def _poll_due(self) -> None:
        flying = self._in_flight()
        if not flying:
            return
        wait = min(s.next_poll for s in flying) - time.monotonic()
        if wait > 0:
            self.ctx.sleep(wait)  # raises Cancelled on a cancel
        now = time.monotonic()
        for slot in flying:
            if slot.next_poll <= now:
                self._poll(slot)

    def _poll(self, slot: _Slot) -> None:
        from . import meta_ads

        connector, run_id = self.connector, str(slot.run_id)
        url = connector._url(quote(run_id, safe=""), {"fields": "id,async_status,async_percent_completion"})
        try:
            job: dict[str, Any] = connector._call("GET", url)
        except ConnectorError as exc:
            slot.error = exc
            return
        slot.polls += 1
        status = str(job.get("async_status") or "")
        elapsed = time.monotonic() - slot.started_at
        if status == "Job Completed":
            slot.done = True
            self.ctx.log("info", f"Meta report {run_id} ({slot.start}..{slot.end}) ready after {elapsed:.1f} s, "
                                 f"{slot.polls} poll(s)")
        elif status in ("Job Failed", "Job Skipped"):
            slot.error = Transient(f"Meta's insights report job {run_id} ended with {status!r}; it will be asked "
                                   "again", platform_message=status)
        elif elapsed >= meta_ads.ASYNC_MAX_WAIT_S or self._time_is_up():
            slot.error = Transient(f"Meta's insights report job {run_id} did not finish within {elapsed:.0f} s")
        else:
            slot.next_poll = time.monotonic() + self._delay(elapsed)

    def _time_is_up(self) -> bool:
        remaining = self.ctx.remaining()  # the run's deadline (sync.run_timeout_minutes)
        return remaining is not None and remaining <= 0

    # --- handing a window over ---

    def _pages(self, slot: _Slot) -> Iterator[list[DailyStatRecord]]:
        if slot.error is not None:
            raise slot.error
        connector = self.connector
        if not slot.use_job:
            yield from connector.fetch_daily_stats(slot.start, slot.end)
            return
        types = connector.action_types
        for data in connector._pages(f"{quote(str(slot.run_id), safe='')}/insights", {}, "insights"):
            try:
                records = [stat_record(row, types, connector.currency) for row in data]
            except ROW_ERRORS as exc:
                raise unreadable("insights", exc) from exc
            yield records
