"""Schedules that wait for each other: the pure rules, the scheduler's gate on a real store with an injected clock
(no real-time sleeps), and one end-to-end run through the real scheduler."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from autosync_desktop import events as ev
from autosync_desktop.domain import wait_words
from autosync_desktop.store import dependencies as deps
from autosync_desktop.store import runs
from autosync_desktop.store.models import Account, Schedule, ScheduleDependency, SyncRun
from autosync_desktop.sync import dependencies as rules
from autosync_desktop.sync.dependencies import Action, UpstreamRun
from autosync_desktop.sync.runner import Runner
from autosync_desktop.sync.scheduler import SchedulerService
from autosync_desktop.sync.upstream_gate import UpstreamGate

T0 = datetime(2027, 3, 1, 5, 0)  # naive UTC, as the store keeps times; never today's date


class FixedClock:
    """A clock that reads what the test sets."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at.replace(tzinfo=UTC)

    def today(self, tz: object = None) -> object:
        return self.at.date()

    def monotonic(self) -> float:
        return 0.0

    def sleep(self, seconds: float) -> None:
        pass


# --- the pure rules -------------------------------------------------------------------------------------------

def test_an_upstream_is_fresh_only_when_its_latest_run_since_succeeded() -> None:
    ok, failed = UpstreamRun("succeeded", T0), UpstreamRun("failed", T0)
    assert rules.missing({"Google daily": ok, "Meta daily": ok}) == ()
    assert rules.missing({"Google daily": ok, "Meta daily": failed, "bing": None}) == ("bing", "Meta daily")


def test_a_tick_runs_at_once_when_all_are_fresh_else_opens_one_wait() -> None:
    assert rules.on_tick((), T0, 120).action is Action.RUN
    opened = rules.on_tick(("Meta daily",), T0, 90)
    assert opened.action is Action.OPEN_WAIT and opened.deadline == T0 + timedelta(minutes=90)
    kept = rules.on_tick(("Meta daily",), T0 + timedelta(hours=1), 90, waiting_since=T0)
    assert kept.action is Action.KEEP_WAITING and kept.deadline == T0 + timedelta(minutes=90)  # not pushed back


@pytest.mark.parametrize(("missing", "minutes", "if_missing", "action"), [
    ((), 10, "run", Action.RUN),
    (("A",), 119, "run", Action.KEEP_WAITING),
    (("A",), 120, "run", Action.RUN_WITHOUT),
    (("A",), 120, "skip", Action.SKIP),
])
def test_a_wait_runs_when_all_are_fresh_and_ends_at_its_deadline(missing: tuple[str, ...], minutes: int,
                                                                  if_missing: str, action: Action) -> None:
    decision = rules.on_check(missing, T0 + timedelta(minutes=minutes), time_triggered=True, waiting_since=T0,
                              wait_max_minutes=None, if_missing=if_missing)
    assert decision.action is action and decision.missing == missing


def test_without_a_time_trigger_it_runs_when_all_are_fresh_and_never_on_a_failure() -> None:
    check = dict(time_triggered=False, waiting_since=None, wait_max_minutes=None, if_missing="run")
    assert rules.on_check((), T0, **check).action is Action.RUN  # type: ignore[arg-type]
    assert rules.on_check(("A",), T0 + timedelta(days=30), **check).action is Action.NOTHING  # type: ignore[arg-type]
    # a time-triggered schedule between ticks does not run on its own
    assert rules.on_check((), T0, time_triggered=True, waiting_since=None, wait_max_minutes=None,
                          if_missing="run").action is Action.NOTHING


def test_a_cycle_is_found_with_its_path() -> None:
    edges = {"Google daily": ["Late"], "Late": ["Morning file"], "Morning file": []}
    assert rules.find_cycle("Morning file", ["Google daily"], edges) == [
        "Morning file", "Google daily", "Late", "Morning file"]
    assert rules.find_cycle("Morning file", ["Meta daily"], {**edges, "Meta daily": []}) is None
    assert (rules.cycle_words(["Morning file", "Google daily", "Morning file"])
            == "--after: Morning file → Google daily → Morning file would wait for itself")


@pytest.mark.parametrize(("text", "minutes"), [("30m", 30), ("2h", 120), ("90 minutes", 90), ("1d", 1440),
                                               ("45", 45), ("1.5h", 90), ("7 days", 10080)])
def test_wait_durations_are_read_in_people_units(text: str, minutes: int) -> None:
    assert rules.parse_wait(text) == minutes


@pytest.mark.parametrize("text", ["0m", "8d", "soon", "", "-5m"])
def test_wait_durations_out_of_range_or_unreadable_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"e\.g\. 30m"):
        rules.parse_wait(text)


def test_wait_words() -> None:
    assert [wait_words(m) for m in (120, 90, 45, 1440, 1500)] == ["2 h", "1 h 30 min", "45 min", "1 day",
                                                                        "1 day 1 h"]


# --- the gate on a real store, with an injected clock --------------------------------------------------------

class Fired:
    """The gate's `fire`: records a run of the schedule queued at the clock's moment (and the missing inputs)."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.calls: list[tuple[str, str, tuple[str, ...]]] = []

    def __call__(self, schedule_id: int, trigger: str, missing: Sequence[str]) -> int:
        schedule = Schedule.get_by_id(schedule_id)
        self.calls.append((schedule.name, trigger, tuple(missing)))
        run = SyncRun.create(schedule=schedule, account=schedule.account, schedule_name=schedule.name,
                             account_name="a", platform="demo", trigger=trigger, status="succeeded",
                             queued_at=self.clock.at, finished_at=self.clock.at,
                             missing_inputs=json.dumps(list(missing)) if missing else None)
        return int(run.id)


@pytest.fixture
def world(store, bus):
    account = Account.create(name="a", platform="demo", external_id="a")
    clock = FixedClock(T0)
    fired = Fired(clock)
    announced: list[SyncRun] = []
    gate = UpstreamGate(store, bus, clock, fired, announced.append)
    google = Schedule.create(name="Google daily", account=account, frequency="daily", at_time="05:00",
                             timezone="UTC", created_at=T0 - timedelta(days=1))
    meta = Schedule.create(name="Meta daily", account=account, frequency="daily", at_time="05:00", timezone="UTC",
                           created_at=T0 - timedelta(days=1))
    return dict(account=account, clock=clock, fired=fired, gate=gate, google=google, meta=meta,
                announced=announced)


def _downstream(world, name: str = "Morning file", **fields) -> Schedule:
    schedule = Schedule.create(name=name, account=world["account"], timezone="UTC",
                               created_at=T0 - timedelta(hours=12), **fields)
    deps.set_upstreams(schedule.id, [world["google"].id, world["meta"].id])
    return schedule


def _finished(schedule: Schedule, status: str, at: datetime) -> None:
    SyncRun.create(schedule=schedule, account=schedule.account, schedule_name=schedule.name, account_name="a",
                   platform="demo", status=status, queued_at=at - timedelta(minutes=5), finished_at=at)


def test_all_fresh_runs_the_downstream_once(world) -> None:
    _downstream(world, frequency="manual")
    gate, fired = world["gate"], world["fired"]
    _finished(world["google"], "succeeded", T0 + timedelta(minutes=5))
    world["clock"].at = T0 + timedelta(minutes=6)
    assert gate.check() == [] and fired.calls == []  # Meta has not synced yet
    _finished(world["meta"], "succeeded", T0 + timedelta(minutes=10))
    world["clock"].at = T0 + timedelta(minutes=11)
    assert len(gate.check()) == 1
    assert fired.calls == [("Morning file", "scheduled", ())]
    world["clock"].at = T0 + timedelta(minutes=30)
    assert gate.check() == [] and len(fired.calls) == 1  # once, not at every check
    _finished(world["google"], "succeeded", T0 + timedelta(minutes=40))  # only one of them again: not yet
    world["clock"].at = T0 + timedelta(minutes=41)
    assert gate.check() == []
    _finished(world["meta"], "succeeded", T0 + timedelta(minutes=50))
    world["clock"].at = T0 + timedelta(minutes=51)
    assert len(gate.check()) == 1 and len(fired.calls) == 2


def test_a_failed_upstream_never_triggers_its_downstream(world) -> None:
    _downstream(world, frequency="manual")
    _finished(world["google"], "succeeded", T0 + timedelta(minutes=5))
    _finished(world["meta"], "succeeded", T0 + timedelta(minutes=6))
    _finished(world["meta"], "failed", T0 + timedelta(minutes=20))  # its latest run failed
    world["clock"].at = T0 + timedelta(days=3)
    assert world["gate"].check() == [] and world["fired"].calls == []
    assert Schedule.get(Schedule.name == "Morning file").waiting_since is None  # no deadline, no alert


def test_a_tick_with_an_upstream_failed_waits_then_runs_without_it_at_the_deadline(world, recorder) -> None:
    downstream = _downstream(world, frequency="daily", at_time="07:00", wait_max_minutes=90)
    gate, fired, clock = world["gate"], world["fired"], world["clock"]
    _finished(world["google"], "succeeded", T0 + timedelta(minutes=30))
    _finished(world["meta"], "failed", T0 + timedelta(minutes=40))
    clock.at = T0 + timedelta(hours=2)  # the 07:00 tick
    assert gate.tick(downstream) is True and fired.calls == []
    assert Schedule.get_by_id(downstream.id).waiting_since == clock.at
    clock.at += timedelta(minutes=89)
    assert gate.check() == []
    clock.at += timedelta(minutes=1)  # the deadline: 08:30
    [run_id] = gate.check()
    assert fired.calls == [("Morning file", "scheduled", ("Meta daily",))]
    assert json.loads(SyncRun.get_by_id(run_id).missing_inputs) == ["Meta daily"]
    words = [e.message for e in SyncRun.get_by_id(run_id).events]
    assert words == ["Waited 1 h 30 min for Meta daily; ran without it"]
    assert Schedule.get_by_id(downstream.id).waiting_since is None
    [ended] = recorder.of(ev.WaitEnded)
    assert (ended.schedule, ended.missing, ended.ran, ended.waited) == ("Morning file", ("Meta daily",), True,
                                                                          "1 h 30 min")
    clock.at += timedelta(hours=1)
    assert gate.check() == []  # the wait is over: nothing more until the next tick


def test_at_the_deadline_skip_records_a_skipped_run_with_the_missing_inputs(world, recorder) -> None:
    downstream = _downstream(world, frequency="daily", at_time="07:00", if_missing="skip")
    gate, clock = world["gate"], world["clock"]
    clock.at = T0 + timedelta(hours=2)
    assert gate.tick(downstream)
    clock.at += timedelta(hours=2)  # the default wait: 2 h
    [run_id] = gate.check()
    run = SyncRun.get_by_id(run_id)
    assert run.status == "skipped" and json.loads(run.missing_inputs) == ["Google daily", "Meta daily"]
    assert run.reason.startswith("Skipped: waited 2 h for Google daily, Meta daily, but they did not sync")
    assert world["fired"].calls == [] and [r.id for r in world["announced"]] == [run_id]
    assert [e.ran for e in recorder.of(ev.WaitEnded)] == [False]


def test_upstreams_succeeding_during_the_wait_run_it_at_once(world) -> None:
    downstream = _downstream(world, frequency="daily", at_time="07:00")
    gate, fired, clock = world["gate"], world["fired"], world["clock"]
    clock.at = T0 + timedelta(hours=2)
    assert gate.tick(downstream)
    _finished(world["google"], "succeeded", clock.at + timedelta(minutes=10))
    _finished(world["meta"], "succeeded", clock.at + timedelta(minutes=20))
    clock.at += timedelta(minutes=21)
    assert len(gate.check()) == 1 and fired.calls == [("Morning file", "scheduled", ())]
    assert Schedule.get_by_id(downstream.id).waiting_since is None


def test_a_tick_with_all_fresh_is_not_held(world) -> None:
    downstream = _downstream(world, frequency="daily", at_time="07:00")
    _finished(world["google"], "succeeded", T0 + timedelta(minutes=5))
    _finished(world["meta"], "succeeded", T0 + timedelta(minutes=6))
    world["clock"].at = T0 + timedelta(hours=2)
    assert world["gate"].tick(downstream) is False  # the scheduler queues it as usual


def test_a_wait_survives_a_restart(world, store, bus) -> None:
    downstream = _downstream(world, frequency="daily", at_time="07:00", wait_max_minutes=60)
    world["clock"].at = T0 + timedelta(hours=2)
    assert world["gate"].tick(downstream)
    later = FixedClock(T0 + timedelta(hours=3, minutes=1))  # a new process after the deadline
    fired = Fired(later)
    assert len(UpstreamGate(store, bus, later, fired, lambda run: None).check()) == 1
    assert fired.calls == [("Morning file", "scheduled", ("Google daily", "Meta daily"))]


def test_a_paused_downstream_stops_waiting(world) -> None:
    downstream = _downstream(world, frequency="daily", at_time="07:00")
    world["clock"].at = T0 + timedelta(hours=2)
    assert world["gate"].tick(downstream)
    Schedule.update(paused=True).where(Schedule.id == downstream.id).execute()
    world["clock"].at += timedelta(hours=5)
    assert world["gate"].check() == [] and Schedule.get_by_id(downstream.id).waiting_since is None


def test_a_skipped_run_records_missing_inputs_through_create_run(store) -> None:
    account = Account.create(name="b", platform="demo", external_id="b")
    schedule = Schedule.create(name="s", account=account, timezone="UTC")
    run = runs.create_run(store, account=account, schedule=schedule, trigger="scheduled", sync_type="both",
                          missing_inputs=("X", "Y"))
    assert json.loads(SyncRun.get_by_id(run.id).missing_inputs) == ["X", "Y"]


# --- end to end through the real scheduler (as test_scheduler.py does) ---------------------------------------

def _wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_scheduler_runs_a_dependency_only_schedule_after_its_upstream_succeeds(store, bus) -> None:
    account = Account.create(name="demo", platform="demo", external_id="d", options='{"latency_ms": 0}')
    upstream = Schedule.create(name="up", account=account, frequency="manual", timezone="UTC")
    down = Schedule.create(name="down", account=account, frequency="manual", timezone="UTC")
    ScheduleDependency.create(schedule=down, upstream=upstream)
    service = SchedulerService(store, bus, Runner(store, bus, max_workers=2))
    try:
        service.start()
        service.run_now(upstream.id)
        _wait_for(lambda: SyncRun.select().where((SyncRun.schedule_name == "down")
                                                 & (SyncRun.status == "succeeded")).count() == 1)
        time.sleep(0.3)
        assert [(r.schedule_name, r.trigger) for r in SyncRun.select().order_by(SyncRun.id)] == [
            ("up", "manual"), ("down", "scheduled")]
    finally:
        service.stop()


def test_a_wait_that_ended_without_inputs_raises_the_stale_data_alert() -> None:
    from autosync_desktop.notify.policy import Policy
    from tests.test_notify_policy import Clock, config

    clock = Clock(T0.replace(tzinfo=UTC))
    policy = Policy(clock, UTC)
    [delivery] = policy.inputs_missing("Morning file", ("Meta daily",), True, "2 h", config())
    n = delivery.notification
    assert (delivery.channel, n.kind, n.title) == ("slack", "stale", "Waited for Meta daily; Morning file ran "
                                                                     "without it")
    assert "waited 2 h for Meta daily" in n.summary and n.facts["missing"] == ["Meta daily"]
    # the stale toggle governs it
    assert policy.inputs_missing("Morning file", ("A", "B"), False, "1 h", config(slack__on_stale=False)) == []


def test_the_notifier_turns_a_wait_ended_event_into_the_alert() -> None:
    from autosync_desktop.notify import Dispatcher
    from tests.test_notify_dispatcher import FakeBackend

    shown: list = []
    bus = ev.EventBus()
    fake = FakeBackend({"notify.desktop.enabled": True})
    notifier = Dispatcher(bus, fake.backend(), tick_s=3600, retry_delays=(), desktop_sink=shown.append).start()
    try:
        bus.publish(ev.WaitEnded(schedule="Morning file", missing=("Meta daily", "X daily"), ran=False, run_id=7,
                                 waited_minutes=120, waited="2 h"))
        assert notifier.flush()
    finally:
        notifier.stop()
    assert [n.title for n in shown] == ["Waited for Meta daily, X daily; Morning file was skipped"]


def test_successes_while_the_downstream_runs_count_for_its_next_run(world) -> None:
    downstream = _downstream(world, frequency="manual")
    clock, gate, fired = world["clock"], world["gate"], world["fired"]
    busy = SyncRun.create(schedule=downstream, account=world["account"], schedule_name="Morning file",
                          account_name="a", platform="demo", status="running", queued_at=T0)
    _finished(world["google"], "succeeded", T0 + timedelta(minutes=5))
    _finished(world["meta"], "succeeded", T0 + timedelta(minutes=6))
    clock.at = T0 + timedelta(minutes=7)
    assert gate.check() == [] and fired.calls == []  # not a skipped run that would use the inputs up
    SyncRun.update(status="succeeded", finished_at=clock.at).where(SyncRun.id == busy.id).execute()
    clock.at += timedelta(minutes=1)
    assert len(gate.check()) == 1 and fired.calls == [("Morning file", "scheduled", ())]


def test_a_wait_that_ends_in_a_skipped_run_does_not_say_it_ran(world, recorder) -> None:
    downstream = _downstream(world, frequency="daily", at_time="07:00")
    gate, clock = world["gate"], world["clock"]

    def held(schedule_id: int, trigger: str, missing: Sequence[str]) -> int:  # e.g. a platform hold
        run = SyncRun.create(schedule=schedule_id, account=world["account"], schedule_name="Morning file",
                             account_name="a", platform="demo", trigger=trigger, status="skipped",
                             queued_at=clock.at, finished_at=clock.at, missing_inputs=json.dumps(list(missing)))
        return int(run.id)

    gate.fire = held
    clock.at = T0 + timedelta(hours=2)
    assert gate.tick(downstream)
    clock.at += timedelta(hours=2)
    [run_id] = gate.check()
    assert [e.message for e in SyncRun.get_by_id(run_id).events] == []  # no "ran without them"
    assert [e.ran for e in recorder.of(ev.WaitEnded)] == [False]
