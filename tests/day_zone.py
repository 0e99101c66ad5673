"""The day's time zone of an account's synced rows, checked the same way for every platform (issue 16).

`assert_day_zone(data_dir, account, zone)` after a sync: the store keeps `zone` as the zone of the account's days,
the Data service's rows and both stats exports (CSV and JSON, `date_tz` right after `date`) carry it, and the
dates are the platform's own, never shifted (the exports' dates are exactly the stored ones).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from autosync_desktop.cli import main
from autosync_desktop.domain import StatsFilter
from autosync_desktop.services import Services


def stored_days(data_dir: Path, account: str) -> list[tuple[str, str]]:
    with sqlite3.connect(data_dir / "autosync.db") as con:
        return sorted(con.execute("SELECT s.campaign_id, s.date FROM daily_stat s JOIN account a ON a.id = s.account_id"
                                  " WHERE a.name = ?", (account,)))


def assert_day_zone(data_dir: Path, account: str, zone: str) -> None:
    with sqlite3.connect(data_dir / "autosync.db") as con:
        stored_zone = con.execute("SELECT timezone FROM account WHERE name = ?", (account,)).fetchone()[0]
    assert stored_zone == zone
    days = stored_days(data_dir, account)
    assert days, "no rows synced"

    out_csv, out_json = data_dir.parent / "day-zone.csv", data_dir.parent / "day-zone.json"
    assert main(["--data-dir", str(data_dir), "export", "stats", "--format", "csv", "--output", str(out_csv)]) == 0
    assert main(["--data-dir", str(data_dir), "export", "stats", "--format", "json", "--output", str(out_json)]) == 0
    with out_csv.open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header[header.index("date") + 1] == "date_tz"
    at, tz, cid = header.index("date"), header.index("date_tz"), header.index("campaign_id")
    assert {r[tz] for r in rows} == {zone}
    assert sorted((r[cid], r[at]) for r in rows) == days  # the platform's dates, unshifted
    objects = json.loads(out_json.read_text())
    assert list(objects[0])[list(objects[0]).index("date") + 1] == "date_tz"
    assert {o["date_tz"] for o in objects} == {zone}
    assert sorted((o["campaign_id"], o["date"]) for o in objects) == days

    services = Services.open(data_dir)
    try:
        page = services.data.stats(StatsFilter(account=account), limit=10_000)
        assert page.rows and {r.date_tz for r in page.rows} == {zone}
        assert sorted((r.campaign_id, r.day.isoformat()) for r in page.rows) == days
        with (data_dir.parent / "day-zone-filtered.csv").open("w", newline="") as handle:  # the Data page's export
            services.exports.stats(StatsFilter(account=account), "csv", handle)
        with (data_dir.parent / "day-zone-filtered.csv").open(newline="") as handle:
            header, *rows = list(csv.reader(handle))
        assert header[header.index("date") + 1] == "date_tz" and {r[header.index("date_tz")] for r in rows} == {zone}
    finally:
        services.close()
