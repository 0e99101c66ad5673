"""The local REST API served for real (uvicorn on a free port of 127.0.0.1) and driven with `requests`: every
endpoint, every error status, the security rules, the settings switch, and a trigger followed to `succeeded`
through /sync/jobs/{id} and through /sync/events."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from autosync_desktop import redaction
from tests import travel_launch
from tests.api_support import LiveApi, free_port, live_api, wait_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    with live_api(tmp_path_factory.mktemp("api")) as live:
        yield live


@pytest.fixture(autouse=True)
def _fresh_throttle(api: LiveApi) -> Iterator[None]:
    api.api.throttle.reset()
    yield
    api.api.throttle.reset()


def ids(api: LiveApi) -> dict[str, int]:
    return {s["name"]: s["id"] for s in api.get("/sync/schedules").json()}


def cli_run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = travel_launch.env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return subprocess.run(travel_launch.command("--data-dir", str(data_dir), *args),
                          capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)


def error_of(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body["error"]) == {"code", "message", "field"}
    return body["error"]  # type: ignore[no-any-return]


# --- security ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/sync/schedules", "/openapi.json", "/sync/jobs/1", "/nowhere"])
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic abc", "Bearer "])
def test_every_path_needs_the_token(api: LiveApi, path: str, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = requests.get(api.url + path, headers=headers, timeout=10)
    assert response.status_code == 401
    assert error_of(response) == {"code": "unauthorized", "message": "Unauthorized", "field": None}


def test_token_is_the_keyring_one_and_never_in_texts(api: LiveApi) -> None:
    assert api.token == api.services.api_access.token()
    assert redaction.clean(f"Authorization: {api.token}") == "Authorization: [redacted]"


def test_host_must_be_loopback_with_the_port(api: LiveApi) -> None:
    for host in (f"evil.example:{api.port}", "127.0.0.1", "localhost:1", f"127.0.0.1.nip.io:{api.port}"):
        response = api.get("/sync/schedules", headers={"Host": host})
        assert response.status_code == 421, host
        assert error_of(response)["code"] == "misdirected"
    assert api.get("/sync/schedules", headers={"Host": f"localhost:{api.port}"}).status_code == 200


def test_no_cors_headers(api: LiveApi) -> None:
    response = api.get("/sync/schedules", headers={"Origin": "https://evil.example"})
    preflight = api.session.options(api.url + "/sync/schedules", timeout=10, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    for r in (response, preflight):
        assert not [h for h in r.headers if h.lower().startswith("access-control-")]


def test_body_over_one_megabyte_is_refused(api: LiveApi) -> None:
    big = json.dumps({"name": "x" * (1024 * 1024 + 10)})
    response = api.post("/sync/schedules", data=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        for _ in range(20):
            yield b" " * 65536
    response = api.post("/sync/schedules", data=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_ten_failed_authentications_a_minute_get_429(api: LiveApi) -> None:
    for _ in range(10):
        assert requests.get(api.url + "/sync/schedules", timeout=10).status_code == 401
    response = requests.get(api.url + "/sync/schedules", timeout=10)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert api.get("/sync/schedules").status_code == 429  # the client is slowed down, whatever it sends
    api.api.throttle.reset()
    assert api.get("/sync/schedules").status_code == 200


def test_rotated_token_stops_working_at_once(api: LiveApi) -> None:
    old = api.token
    new = api.services.api_access.rotate_token()
    try:
        assert new != old
        assert api.get("/sync/schedules").status_code == 401
        assert requests.get(api.url + "/sync/schedules", headers={"Authorization": f"Bearer {new}"},
                            timeout=10).status_code == 200
    finally:
        api.token = new
        api.session.headers["Authorization"] = f"Bearer {new}"


# --- schedules --------------------------------------------------------------------------------------------------


def test_list_schedules_has_the_spec_fields_and_extras(api: LiveApi) -> None:
    schedules = api.get("/sync/schedules").json()
    fast = next(s for s in schedules if s["name"] == "Fast sync")
    assert set(fast) == {"id", "name", "type", "frequency", "next_run", "last_run", "status", "enabled", "account",
                         "platform", "timezone", "at", "days", "every_minutes", "cron", "lookback_days", "missed",
                         "last_status", "after", "waiting_for"}
    assert (fast["after"], fast["waiting_for"]) == ([], [])
    assert (fast["type"], fast["frequency"], fast["enabled"], fast["account"]) == ("both", "manual", True, "Demo fast")


def test_create_replace_delete_a_schedule(api: LiveApi) -> None:
    body = {"name": "API daily", "account": "Demo fast", "type": "performance", "frequency": "daily", "at": "06:30",
            "timezone": "Europe/Berlin", "lookback_days": 3}
    created = api.post("/sync/schedules", json=body)
    assert created.status_code == 201, created.text
    schedule = created.json()
    assert schedule["next_run"].endswith("Z") and schedule["status"] == "active" and schedule["enabled"] is True
    assert (schedule["at"], schedule["timezone"], schedule["lookback_days"]) == ("06:30", "Europe/Berlin", 3)
    listed = json.loads(cli_run(api.data_dir, "schedules", "list", "--json").stdout)
    assert {"name": "API daily", "frequency": "daily", "at": "06:30"}.items() <= next(
        s for s in listed if s["name"] == "API daily").items()

    replaced = api.put(f"/sync/schedules/{schedule['id']}", json={
        "name": "API weekly", "account": "Demo fast", "type": "campaigns", "frequency": "weekly", "at": "07:00",
        "days": "mon,fri", "enabled": False})
    assert replaced.status_code == 200, replaced.text
    after = replaced.json()
    assert (after["id"], after["name"], after["frequency"], after["days"], after["lookback_days"]) == (
        schedule["id"], "API weekly", "weekly", "mon,fri", None)
    assert (after["enabled"], after["status"], after["next_run"]) == (False, "paused", None)

    follower = api.post("/sync/schedules", json={"name": "API after", "account": "Demo fast", "type": "both",
                                                 "frequency": "manual", "after": ["API weekly"]})
    assert follower.status_code == 201 and follower.json()["after"] == ["API weekly"], follower.text
    cycle = api.put(f"/sync/schedules/{schedule['id']}", json={"name": "API weekly", "account": "Demo fast",
                                                                 "type": "both", "frequency": "manual",
                                                                 "after": ["API after"]})
    assert cycle.status_code == 422 and error_of(cycle)["field"] == "after"
    assert "API weekly → API after → API weekly" in error_of(cycle)["message"]

    assert api.delete(f"/sync/schedules/{schedule['id']}").status_code == 204  # the link goes with it
    assert "API weekly" not in ids(api)
    assert next(s for s in api.get("/sync/schedules").json() if s["name"] == "API after")["after"] == []
    assert api.delete(f"/sync/schedules/{follower.json()['id']}").status_code == 204
    gone = api.delete(f"/sync/schedules/{schedule['id']}")
    assert gone.status_code == 404 and error_of(gone)["code"] == "not_found"
    assert api.put(f"/sync/schedules/{schedule['id']}", json=body).status_code == 404
    assert api.post(f"/sync/schedules/{schedule['id']}/trigger").status_code == 404


def test_invalid_schedule_is_422_worded_like_the_cli(api: LiveApi) -> None:
    response = api.post("/sync/schedules", json={"name": "Bad", "account": "Demo fast", "type": "both",
                                                  "frequency": "daily", "at": "25:00"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "at"
    cli = cli_run(api.data_dir, "schedules", "add", "--name", "Bad", "--account", "Demo fast", "--type", "both",
                  "--frequency", "daily", "--at", "25:00")
    assert cli.returncode == 2
    assert cli.stderr.strip() == f"autosync: {error['message']}"
    cases = [({"frequency": "fortnightly"}, "frequency"), ({"type": "all"}, "type"), ({"missed": "never"}, "missed"),
             ({"account": "Nobody"}, "account"), ({"name": "Fast sync"}, "name"),
             ({"frequency": "interval", "every_minutes": 0}, "every_minutes"),
             ({"lookback_days": 999}, "lookback_days"),
             ({"frequency": "cron", "cron": "not a cron"}, "cron"), ({"timezone": "Mars/Olympus"}, "timezone")]
    for change, field in cases:
        body = {"name": "Bad", "account": "Demo fast", "type": "both", "frequency": "daily", **change}
        response = api.post("/sync/schedules", json=body)
        assert response.status_code == 422, (change, response.text)
        assert error_of(response)["field"] == field, (change, response.text)
    assert error_of(api.post("/sync/schedules", json={"name": "x"}))["field"] in ("account", "type", "frequency")
    assert api.post("/sync/schedules", data="{not json", headers={"Content-Type": "application/json"}
                    ).status_code == 422
    assert "Bad" not in ids(api)


# --- jobs -------------------------------------------------------------------------------------------------------


def test_trigger_is_followed_to_succeeded_through_jobs_and_events(api: LiveApi) -> None:
    frames: list[tuple[int, str, dict[str, Any]]] = []
    done = threading.Event()
    job: dict[str, int] = {}
    ready = threading.Event()

    def listen() -> None:
        with api.session.get(api.url + "/sync/events", stream=True, timeout=30) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            ready.set()
            event: dict[str, str] = {}
            for line in response.iter_lines(decode_unicode=True):
                if line:
                    key, _, value = line.partition(": ")
                    event[key] = value
                    continue
                if "data" in event:
                    frames.append((int(event["id"]), event["event"], json.loads(event["data"])))
                    if done.is_set():
                        return
                event = {}

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert ready.wait(10)
    response = api.post(f"/sync/schedules/{ids(api)['Fast sync']}/trigger")
    assert response.status_code == 202
    job["id"] = response.json()["job_id"]
    detail = api.wait_job(job["id"])
    assert detail["status"] == "succeeded"
    assert detail["rows"] > 0 and detail["retries"] == 0 and detail["error_class"] is None
    assert detail["windows"]["first"] <= detail["windows"]["last"]
    assert detail["log"] and all(line["at"].endswith("Z") for line in detail["log"])
    wait_for(lambda: any(name == "run_finished" and data["run_id"] == job["id"] for _, name, data in frames),
             what="run_finished on /sync/events")
    done.set()
    mine = [(name, data) for _, name, data in frames if data.get("run_id") == job["id"]]
    names = [name for name, _ in mine]
    assert names[0] == "run_queued" and "run_started" in names and names[-1] == "run_finished"
    assert mine[-1][1]["status"] == "succeeded" and mine[-1][1]["at"].endswith("Z")

    # resume: everything after the run's first event comes back at once, in order
    first_id = next(i for i, _, data in frames if data.get("run_id") == job["id"])
    with api.session.get(api.url + "/sync/events", headers={"Last-Event-ID": str(first_id)}, stream=True,
                         timeout=30) as response:
        replayed: list[int] = []
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("id: "):
                replayed.append(int(line[4:]))
                if replayed[-1] == frames[-1][0]:
                    break
    assert replayed == [i for i, _, _ in frames if i > first_id]


def test_trigger_while_running_is_409_and_cancel_is_202(api: LiveApi) -> None:
    slow = ids(api)["Slow sync"]
    first = api.post(f"/sync/schedules/{slow}/trigger")
    assert first.status_code == 202
    job_id = first.json()["job_id"]
    second = api.post(f"/sync/schedules/{slow}/trigger")
    assert second.status_code == 409
    assert second.json()["running_job_id"] == job_id and error_of(second)["code"] == "already_running"
    assert api.get(f"/sync/jobs/{job_id}").json()["status"] in ("queued", "running")  # never cancelled by it
    cancel = api.post(f"/sync/jobs/{job_id}/cancel")
    assert cancel.status_code == 202 and cancel.json()["job_id"] == job_id
    assert api.wait_job(job_id)["status"] == "cancelled"
    assert api.post("/sync/jobs/999999999/cancel").status_code == 404


def test_resync_queues_a_backfill(api: LiveApi) -> None:
    fast = ids(api)["Fast sync"]
    today = api.services.metrics.period_comparison("24h").until.date()
    from datetime import timedelta

    body = {"from": (today - timedelta(days=2)).isoformat(), "to": (today - timedelta(days=1)).isoformat()}
    response = api.post(f"/sync/schedules/{fast}/resync", json=body)
    assert response.status_code == 202, response.text
    job = api.wait_job(response.json()["job_id"])
    assert (job["trigger"], job["status"]) == ("backfill", "succeeded")
    assert job["windows"] == {"first": body["from"], "last": body["to"], "count": None, "backfill": True}
    bad = api.post(f"/sync/schedules/{fast}/resync", json={"from": body["to"], "to": body["from"]})
    assert bad.status_code == 422
    assert api.post("/sync/schedules/424242/resync", json=body).status_code == 404


def test_jobs_are_keyset_paged_and_filtered(api: LiveApi) -> None:
    fast = ids(api)["Fast sync"]
    for _ in range(3):
        api.wait_job(api.post(f"/sync/schedules/{fast}/trigger").json()["job_id"])
    everything = api.get("/sync/jobs", params={"limit": 1000}).json()
    assert everything["next_cursor"] is None
    all_ids = [j["id"] for j in everything["jobs"]]
    assert len(all_ids) >= 4
    seen: list[int] = []
    cursor = None
    while True:
        page = api.get("/sync/jobs", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [j["id"] for j in page["jobs"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == all_ids
    succeeded = api.get("/sync/jobs", params={"status": "succeeded", "schedule_id": fast}).json()["jobs"]
    assert succeeded and all(j["status"] == "succeeded" and j["schedule"] == "Fast sync" for j in succeeded)
    slow = api.get("/sync/jobs", params={"account": "Demo slow"}).json()["jobs"]
    assert slow and all(j["account"] == "Demo slow" for j in slow)
    blank = api.get("/sync/jobs?status=&schedule_id=&account=&since=&limit=1000&cursor=").json()
    assert [j["id"] for j in blank["jobs"]] == all_ids  # blank filters are no filters
    future = api.get("/sync/jobs", params={"since": "2999-01-01T00:00:00Z"}).json()
    assert future == {"jobs": [], "next_cursor": None}
    for params, field in (({"cursor": "garbage"}, "cursor"), ({"status": "sleeping"}, "status"),
                          ({"limit": 0}, "limit"), ({"account": "Nobody"}, "account"),
                          ({"schedule_id": 424242}, "schedule_id")):
        response = api.get("/sync/jobs", params=params)
        assert response.status_code == 422, params
        assert error_of(response)["field"] == field, (params, response.text)
    assert api.get("/sync/jobs/999999999").status_code == 404


# --- metrics, status, document ----------------------------------------------------------------------------------


def test_metrics_compare_with_the_previous_period(api: LiveApi) -> None:
    api.wait_job(api.post(f"/sync/schedules/{ids(api)['Fast sync']}/trigger").json()["job_id"])
    for period, days in (("24h", 1), ("7d", 7), ("30d", 30)):
        metrics = api.get("/sync/metrics", params={"period": period}).json()
        assert metrics["period"] == period and len(metrics["series"]) == days
        assert metrics["total_syncs"]["value"] >= 1 and metrics["total_syncs"]["previous"] == 0
        assert 0 < metrics["success_rate"]["value"] <= 1 and metrics["data_points_processed"]["value"] > 0
        assert sum(day["runs"] for day in metrics["series"]) >= 1
        slots = metrics["insights"]["series"]["slots"]  # the Insights charts' series, per UTC hour or day
        assert metrics["insights"]["series"]["step"] == ("hour" if period == "24h" else "day")
        assert len(slots) in ((24, 25) if period == "24h" else (days, days + 1))
        assert slots[0]["since"] == metrics["since"] and slots[-1]["until"] == metrics["until"]
        assert sum(slot["runs"] for slot in slots) == metrics["insights"]["total"]["runs"] >= 1
    bad = api.get("/sync/metrics", params={"period": "1y"})
    assert bad.status_code == 422 and error_of(bad)["field"] == "period"


def test_system_status(api: LiveApi) -> None:
    status = api.get("/sync/system-status").json()
    assert status["scheduler"]["running"] is True and status["scheduler"]["owner"] == "this process"
    assert status["database"]["integrity"] == "ok" and status["database"]["size_bytes"] > 0
    assert status["keyring"]["status"] == "available"
    names = {a["name"] for a in status["accounts"]}
    assert {"Demo fast", "Demo slow"} <= names
    fast = next(a for a in status["accounts"] if a["name"] == "Demo fast")
    assert {"health", "uptime_24h", "average_latency_ms", "errors_24h", "last_success", "data_through",
            "api_version", "api_sunset"} <= set(fast)


def test_openapi_document(api: LiveApi) -> None:
    document = api.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/sync/schedules", "/sync/schedules/{schedule_id}", "/sync/schedules/{schedule_id}/trigger",
        "/sync/schedules/{schedule_id}/resync", "/sync/jobs", "/sync/jobs/{job_id}", "/sync/jobs/{job_id}/cancel",
        "/sync/metrics", "/sync/system-status", "/sync/events"}
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert set(document["paths"]["/sync/schedules/{schedule_id}"]) == {"put", "delete"}


# --- serving: status, switch, busy port -------------------------------------------------------------------------


def test_api_status_says_who_serves(api: LiveApi) -> None:
    result = cli_run(api.data_dir, "api", "status", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"enabled": True, "url": api.url, "served_by_pid": os.getpid()}


def test_switching_off_and_on_and_a_busy_port(api: LiveApi) -> None:
    settings = api.services.settings
    settings.set("api.enabled", False)
    wait_for(lambda: api.api.server is None, what="the API to stop")
    with pytest.raises(requests.ConnectionError):
        requests.get(api.url + "/sync/schedules", timeout=5)
    assert api.services.api_access.status().served_by_pid is None
    with socket.socket() as other:
        busy = free_port()
        other.bind(("127.0.0.1", busy))
        other.listen(1)
        settings.set("api.port", busy)
        settings.set("api.enabled", True)
        wait_for(lambda: "in use" in (api.services.api_access.status().problem or ""),
                 what="the busy port to be reported")
        status = api.services.api_access.status()
        assert status.served_by_pid is None and f"Port {busy} on 127.0.0.1 is in use" in (status.problem or "")
        assert api.services.scheduler is not None and api.services.scheduler.running  # the app keeps running
    settings.set("api.port", api.port)
    wait_for(lambda: api.api.server is not None, what="the API to serve again")
    assert api.get("/sync/schedules").status_code == 200
    assert api.services.api_access.status().served_by_pid == os.getpid()


def test_another_process_switches_it_off_and_on(api: LiveApi) -> None:
    assert cli_run(api.data_dir, "settings", "set", "api.enabled", "off").returncode == 0
    wait_for(lambda: api.api.server is None, what="the API to stop after another process turned it off")
    assert cli_run(api.data_dir, "settings", "set", "api.enabled", "on").returncode == 0
    wait_for(lambda: api.api.server is not None, what="the API to serve again")
    assert api.get("/sync/schedules").status_code == 200


# --- pieces without a server ------------------------------------------------------------------------------------


def test_event_ring_keeps_the_last_thousand_for_resume() -> None:
    from autosync_desktop import events as ev
    from autosync_desktop.api.events import EventRing

    ring = EventRing()
    for run_id in range(1, 1101):
        ring.publish(ev.RunQueued(run_id=run_id, schedule="s", account="a", trigger="manual"))
    ring.publish(ev.SettingChanged(key="x", value=1))  # not a run event: not streamed
    assert ring.latest_id() == 1100
    assert [e.id for e in ring.after(5)] == list(range(101, 1101))  # older ones are gone: the oldest kept follow
    assert [e.id for e in ring.after(1098)] == [1099, 1100]
    assert ring.after(5000) == []  # an id from an earlier life of the process: nothing to replay
    frame = ring.after(1099)[0].frame().decode()
    assert frame.startswith("id: 1100\nevent: run_queued\ndata: {") and frame.endswith("}\n\n")
    assert json.loads(frame.split("data: ", 1)[1])["run_id"] == 1100


def test_event_ring_masks_secrets_in_texts() -> None:
    from autosync_desktop import events as ev
    from autosync_desktop.api.events import EventRing

    redaction.remember(["s3cr3t-token-value-123"])
    ring = EventRing()
    ring.publish(ev.RunLog(run_id=1, level="error", message="HTTP 401 for token s3cr3t-token-value-123"))
    assert "s3cr3t" not in ring.after(None)[0].data and "[redacted]" in ring.after(None)[0].data


def test_throttle_counts_failures_in_a_sliding_minute() -> None:
    from autosync_desktop.api.security import Throttle

    now = [1000.0]
    throttle = Throttle(monotonic=lambda: now[0])
    for _ in range(9):
        throttle.failed("127.0.0.1")
    assert throttle.retry_after("127.0.0.1") is None
    throttle.failed("127.0.0.1")
    assert throttle.retry_after("127.0.0.1") == 60
    assert throttle.retry_after("10.0.0.2") is None  # per client
    now[0] += 30
    assert throttle.retry_after("127.0.0.1") == 30
    now[0] += 30
    assert throttle.retry_after("127.0.0.1") is None


def test_token_source_rereads_the_keyring_only_when_rotated() -> None:
    from autosync_desktop.api.security import TokenSource

    loads: list[int] = []
    generation = [1]
    tokens = TokenSource(lambda: loads.append(1) or f"token-{generation[0]}", lambda: generation[0])
    assert tokens.current() == b"token-1" and tokens.current() == b"token-1" and len(loads) == 1
    generation[0] = 2
    assert tokens.current() == b"token-2" and len(loads) == 2


def test_cli_field_names_map_to_json_fields() -> None:
    from autosync_desktop.api.app import field_of

    assert field_of("--every-minutes: must be at least 1") == "every_minutes"
    assert field_of("--from 2020-01-01: Demo has 3 days of history") == "from"
    assert field_of("--from/--to: this backfill takes 40 windows") == "from"
    assert field_of("Unknown account 'x' (see 'accounts list')") == "account"
    assert field_of("cursor: not a cursor this API returned") == "cursor"
    assert field_of("The database is damaged") is None


def test_the_api_package_never_imports_qt_and_cli_commands_never_import_fastapi() -> None:
    check = ("import sys, autosync_desktop.api.server, autosync_desktop.api.app; "
             "assert not [m for m in sys.modules if m.startswith('PySide6')]")
    assert subprocess.run([sys.executable, "-c", check], cwd=ROOT, timeout=60).returncode == 0
    lazy = ("import sys; from autosync_desktop import cli; cli.build_parser(); "
            "assert 'fastapi' not in sys.modules and 'uvicorn' not in sys.modules")
    assert subprocess.run([sys.executable, "-c", lazy], cwd=ROOT, timeout=60).returncode == 0


def test_poll_cache_shares_answers_until_a_change_or_a_second() -> None:
    from autosync_desktop.api.app import PollCache

    cache = PollCache(ttl_s=60)
    computed: list[int] = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    assert cache.get(("jobs", 1), compute) == 1 and cache.get(("jobs", 1), compute) == 1
    assert cache.get(("jobs", 2), compute) == 2  # another query: its own answer
    cache.changed()  # a job changed state: computed afresh
    assert cache.get(("jobs", 1), compute) == 3
    assert PollCache(ttl_s=0).get(("m",), compute) == 4 and len(computed) == 4
    for i in range(2100):  # one key per cursor: the locks stay bounded
        cache.get(("jobs", i, "cursor"), lambda: 0)
    assert len(cache._keys) <= 2001


def test_requests_are_not_logged_with_their_token(api: LiveApi, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    with caplog.at_level(logging.DEBUG):
        assert api.get("/sync/schedules").status_code == 200
        assert requests.get(api.url + "/sync/jobs", headers={"Authorization": f"Bearer {api.token}x"},
                            timeout=10).status_code == 401
        api.get("/sync/jobs/123456789")
    assert caplog.records is not None
    assert not [r for r in caplog.records if api.token in r.getMessage()]
    assert not [r for r in caplog.records if r.name == "uvicorn.access"]
