"""Load on the local REST API: 50 polling clients while a 200,000-row Demo sync runs, on a store of 1,000,000 runs.

    python benchmarks/api_load.py [--runs 1000000] [--rows 200000] [--clients 50] [--interval 1.0] [--db PATH]

The store is seeded like benchmarks/history.py (raw executemany; `--db PATH` keeps it for reuse). This process
plays `autosync service`: the scheduler and the API (uvicorn on its own thread, 127.0.0.1, a token in an in-memory
keyring) run in it, exactly as in the window or the service. The clients run in 5 other processes (threads with
their own `requests` session): each client polls `GET /sync/jobs?limit=50` (following `next_cursor` up to 20 pages
deep, then back to page 1) and `GET /sync/metrics?period=24h`, then sleeps `--interval` seconds. Once all clients
poll, the Demo sync (latency 0, ~200,000 daily rows) is triggered through the API; the clients stop when it has
ended. Reported: p50 / p95 / p99 / max latency of a page of jobs and of the metrics, failed requests, and page 1
against a page 5,000 deep (a cursor 1,000,000 runs down) timed alone. Target: jobs p99 < 100 ms, no failure.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

JOBS_TARGET_MS = 100.0
PROCESSES = 5
ROWS_PER_CAMPAIGN = 75.2  # Demo over 90 days: ~83 % of (campaign, day) pairs have a row


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def summary(values: list[float]) -> str:
    return (f"n {len(values):,}, p50 {percentile(values, 50):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
            f"p99 {percentile(values, 99):.1f} ms, max {max(values, default=float('nan')):.1f} ms")


# --- the client processes ---------------------------------------------------------------------------------------

def client_process(url: str, token: str, threads: int, interval: float, stop_file: Path) -> int:
    """Poll until `stop_file` exists; print {"jobs": [ms...], "metrics": [ms...], "failures": [...]} as JSON."""
    import requests

    jobs: list[tuple[float, float]] = []  # (wall-clock start, ms)
    metrics: list[tuple[float, float]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        cursor: str | None = None
        depth = 0
        time.sleep(interval * index / max(1, threads))  # spread the polls over the interval
        while not stop_file.exists():
            for kind in ("jobs", "metrics"):
                path = "/sync/metrics?period=24h" if kind == "metrics" else "/sync/jobs?limit=50" + (
                    f"&cursor={cursor}" if cursor else "")
                start, wall = time.perf_counter(), time.time()
                try:
                    response = session.get(url + path, timeout=30)
                    elapsed = (time.perf_counter() - start) * 1000
                    ok = response.status_code == 200
                    body = response.json() if ok else None
                except Exception as exc:  # a failed request is counted, never fatal
                    elapsed, ok, body = (time.perf_counter() - start) * 1000, False, None
                    response = None
                    with lock:
                        failures.append(f"{kind}: {type(exc).__name__}: {exc}")
                with lock:
                    (jobs if kind == "jobs" else metrics).append((wall, elapsed))
                    if not ok and response is not None:
                        failures.append(f"{kind}: HTTP {response.status_code}")
                if kind == "jobs" and body is not None:
                    depth += 1
                    cursor = body["next_cursor"] if depth < 20 else None
                    depth = 0 if cursor is None else depth
            time.sleep(interval)

    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps({"jobs": jobs, "metrics": metrics, "failures": failures}))
    return 0


# --- the server process -----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_keyring() -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        values: ClassVar[dict[tuple[str, str], str]] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.values.pop((service, username), None)

    keyring.set_keyring(Memory())


def seeded_dir(runs: int, db: Path | None, tmp: str) -> Path:
    import history  # benchmarks/history.py: the same seeding

    from autosync_desktop.store.db import open_store

    data_dir = db.parent if db else Path(tmp)
    path = data_dir / "autosync.db"
    store = open_store(path)
    existing = store.execute_sql("SELECT COUNT(*) FROM sync_run").fetchone()[0]
    if existing >= runs:
        print(f"Reusing {path}: {existing:,} runs", flush=True)
    else:
        history.seed(store, runs, 100_000)
    store.close()
    return data_dir


def deep_versus_first(url: str, token: str, services: Any, uncached: Any, repeats: int = 30) -> str:
    """Page 1 and a page 5,000 deep (limit 200: 1,000,000 runs down), each timed alone and computed afresh
    (`uncached()` empties the API's poll cache before each request)."""
    import requests

    from autosync_desktop.api.app import _encode_cursor
    from autosync_desktop.domain import RunCursor

    total = services.db.execute_sql("SELECT COUNT(*) FROM sync_run").fetchone()[0]
    row = services.db.execute_sql("SELECT queued_at, id FROM sync_run ORDER BY queued_at DESC, id DESC "
                                  "LIMIT 1 OFFSET ?", (max(0, total - 200),)).fetchone()
    from datetime import UTC, datetime

    cursor = _encode_cursor(RunCursor(queued_at=datetime.fromisoformat(str(row[0])).replace(tzinfo=UTC), id=row[1]))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    deep = f"page {max(1, (total - 200) // 200 + 1):,}"
    times: dict[str, list[float]] = {"page 1": [], deep: []}
    for _ in range(repeats):
        for name, path in (("page 1", "/sync/jobs?limit=200"), (deep, f"/sync/jobs?limit=200&cursor={cursor}")):
            uncached()
            start = time.perf_counter()
            response = session.get(url + path, timeout=30)
            times[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and response.json()["jobs"], response.text
    return "; ".join(f"{name} (limit 200) median {percentile(v, 50):.1f} ms, p95 {percentile(v, 95):.1f} ms"
                     for name, v in times.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=200_000, help="daily rows the Demo sync writes (approximately)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds each client sleeps between polls")
    parser.add_argument("--no-cache", action="store_true", help="compute every answer (no shared poll cache)")
    parser.add_argument("--db", type=Path, help="keep the seeded store at PATH (a file in its own directory)")
    parser.add_argument("--client", nargs=4, metavar=("URL", "TOKEN", "THREADS", "STOP_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        url, token, threads, stop = args.client
        return client_process(url, token, int(threads), args.interval, Path(stop))

    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    memory_keyring()
    from autosync_desktop.api.server import ApiService
    from autosync_desktop.services import Services
    from autosync_desktop.services.core import SCHEDULER_COMPANIONS

    campaigns = max(1, round(args.rows / ROWS_PER_CAMPAIGN))
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = seeded_dir(args.runs, args.db, tmp)
        services = Services.open(data_dir, kind="service")
        holder: list[ApiService] = []
        try:
            # a new account each time, so a reused store still syncs its full ~200,000 rows (not an incremental sync)
            n = 1 + sum(a.name.startswith("Bench demo") for a in services.accounts.list())
            services.accounts.add("demo", f"Bench demo {n}", f"bench-{n}", {"latency_ms": "0",
                                                                          "campaigns": str(campaigns)})
            services.schedules.add(f"Bench sync {n}", f"Bench demo {n}", "both", "manual")
            port = free_port()
            services.settings.set("api.port", port)
            services.settings.set("api.enabled", True)

            def companion(svc: Services) -> Any:
                holder.append(ApiService(svc))
                holder[0].start()
                return holder[0].stop

            SCHEDULER_COMPANIONS.append(companion)
            services.start_scheduler()
            token = services.api_access.token()
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 20
            while holder[0].server is None or not holder[0].server.server.started:
                if time.monotonic() > deadline:
                    raise SystemExit("the API did not start")
                time.sleep(0.05)
            if args.no_cache:
                holder[0].context.cache.ttl_s = 0.0
            depth = deep_versus_first(url, token, services, holder[0].context.cache.changed)
            print(f"Serving {url}; {depth}", flush=True)

            stop_file = Path(tmp) / "stop"
            per = [args.clients // PROCESSES + (1 if i < args.clients % PROCESSES else 0) for i in range(PROCESSES)]
            clients = [subprocess.Popen([sys.executable, __file__, "--interval", str(args.interval), "--client", url,
                                         token, str(n), str(stop_file)], stdout=subprocess.PIPE, text=True)
                       for n in per if n]
            time.sleep(max(3.0, 2 * args.interval))  # every client polling
            schedule_id = services.schedules.ids()[f"Bench sync {n}"]
            import requests

            started, sync_from = time.perf_counter(), time.time()
            response = requests.post(f"{url}/sync/schedules/{schedule_id}/trigger", timeout=30,
                                     headers={"Authorization": f"Bearer {token}"})
            job_id = response.json()["job_id"]
            while services.runs.get(job_id).status.is_active:
                time.sleep(0.2)
            sync_s, sync_to = time.perf_counter() - started, time.time()
            run = services.runs.get(job_id)
            time.sleep(1.0)
            stop_file.touch()
            jobs: list[tuple[float, float]] = []
            metrics: list[tuple[float, float]] = []
            failures: list[str] = []
            for proc in clients:
                out, _ = proc.communicate(timeout=120)
                result = json.loads(out.strip().splitlines()[-1])
                jobs += [tuple(x) for x in result["jobs"]]
                metrics += [tuple(x) for x in result["metrics"]]
                failures += result["failures"]
        finally:
            if services.scheduler is not None:
                SCHEDULER_COMPANIONS.clear()
            services.close()
    total_s = sync_s + 1.0 + max(3.0, 2 * args.interval)
    print(f"Sync: run {run.status.value}, {run.rows:,} rows in {run.duration_s or 0:.1f} s (measured {sync_s:.1f} s)")
    print(f"{args.clients} clients, {len(jobs) + len(metrics):,} requests in ~{total_s:.0f} s "
          f"({(len(jobs) + len(metrics)) / total_s:.0f} req/s), {len(failures)} failed")
    during = [ms for wall, ms in jobs if sync_from <= wall <= sync_to]
    print(f"GET /sync/jobs?limit=50, all: {summary([ms for _, ms in jobs])}")
    print(f"GET /sync/jobs?limit=50, while syncing: {summary(during)}")
    print(f"GET /sync/metrics?period=24h, all: {summary([ms for _, ms in metrics])}")
    print(f"GET /sync/metrics?period=24h, while syncing: "
          f"{summary([ms for wall, ms in metrics if sync_from <= wall <= sync_to])}")
    for failure in failures[:10]:
        print(f"  failed: {failure}")
    p99 = percentile([ms for _, ms in jobs], 99)
    ok = p99 < JOBS_TARGET_MS and not failures and run.status.value == "succeeded"
    print(f"{'PASS' if ok else 'FAIL'}  jobs p99 {p99:.1f} ms (while syncing {percentile(during, 99):.1f} ms; "
          f"target < {JOBS_TARGET_MS:.0f} ms), {len(failures)} failed requests")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
