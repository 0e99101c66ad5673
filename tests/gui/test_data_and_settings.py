"""The Data view shows the synced stats with exact totals; Settings edits are saved and validated; accounts are
added, tested and removed through the widgets; the keyring state is explained."""

from __future__ import annotations

import csv
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from autosync_desktop.domain import KeyringStatus
from autosync_desktop.gui.data.model import STAT_COLUMNS
from autosync_desktop.store import settings
from autosync_desktop.store.models import Account, DailyStat
from tests.gui.conftest import DEMO, wait_idle, wait_workers


def test_data_view_shows_the_synced_stats_with_exact_totals(open_window: Any, seeded: Any, tmp_path: Path,
                                                            qtbot: Any) -> None:
    window = open_window(tab="data")
    view = window.data
    rows = DailyStat.select().count()
    assert rows == seeded.runs[0].rows > 200
    assert len(view.model.rows) == 200 and view.model.canFetchMore()
    cost = sum(s.cost_micros for s in DailyStat.select())
    cents = Decimal(cost).scaleb(-6).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # shown rounding: half up
    expected = f"{cents:,.2f} USD"
    totals = dict(zip([k for k, _ in STAT_COLUMNS], view.totals_texts()[0], strict=True))
    assert totals["cost"] == expected
    assert totals["account"] == f"{rows:,} rows"
    assert totals["clicks"] == f"{sum(s.clicks for s in DailyStat.select()):,}"
    first = view.model.rows[0]
    newest = DailyStat.select().order_by(DailyStat.date.desc(), DailyStat.campaign_id).first()
    assert (first.day, first.campaign_id) == (newest.date, newest.campaign_id)
    assert first.cost is not None and first.cost.micros == newest.cost_micros and first.cost.currency == "USD"
    shown = Decimal(newest.cost_micros).scaleb(-6).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert view.model.data(view.model.index(0, 5)) == f"{shown:,.2f} USD"
    assert view.pages.tabText(1) == "Campaigns (8)"
    # filter on one campaign
    campaign = newest.campaign_id
    view.campaign.setCurrentIndex(view.campaign.findData(campaign))
    wait_idle(qtbot, window)
    per_campaign = DailyStat.select().where(DailyStat.campaign_id == campaign).count()
    assert len(view.model.rows) == per_campaign and {r.campaign_id for r in view.model.rows} == {campaign}
    assert view.totals_texts()[0][1] == f"{per_campaign:,} rows"
    # export what the view shows
    out = tmp_path / "stats.csv"
    job = view.export(str(out), "csv")
    qtbot.waitUntil(lambda: job.done, timeout=10000)
    with out.open(newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert len(exported) == per_campaign and {r["campaign_id"] for r in exported} == {campaign}
    assert [r["date"] for r in exported] == [r.day.isoformat() for r in view.model.rows]


def test_settings_are_saved_validated_and_follow_changes(open_window: Any, seeded: Any, qtbot: Any,
                                                          confirm_yes: list[str]) -> None:
    window = open_window(tab="settings")
    view = window.settings
    attempts = view.groups["retry"].fields["retry.max_attempts"]
    assert attempts.value() == 4 and attempts.input.maximum() == 20
    attempts.input.setValue(7)
    attempts.save()
    qtbot.waitUntil(lambda: attempts.status.text() == "✓ Saved", timeout=5000)
    assert settings.get("retry.max_attempts") == 7
    rpm = view.groups["per_platform"].fields["http.requests_per_minute.google_ads"]
    rpm.input.setValue(120)
    rpm.save()
    qtbot.waitUntil(lambda: settings.get_platform("http.requests_per_minute", "google_ads") == 120.0, timeout=5000)
    timeout = view.groups["performance"].fields["http.timeout_s"]
    timeout.input.setMinimum(0)  # (the spin box stops at 1; get past it to see the service's own check)
    timeout.input.setValue(0)
    timeout.save()
    qtbot.waitUntil(lambda: timeout.error.text() != "", timeout=5000)
    assert timeout.error.text() == "must be at least 1 (got 0)" and settings.get("http.timeout_s") == 60.0
    # a change made elsewhere (CLI, another window) shows up
    window.ctx.services.settings.set("retention.runs_days", 30)
    qtbot.waitUntil(lambda: view.groups["retention"].fields["retention.runs_days"].value() == 30, timeout=5000)
    qtbot.mouseClick(view.prune_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.prune_result.text().startswith("Pruned 0 runs"), timeout=5000)
    assert settings.get("retention.last_prune") is not None
    # display zone: a window preference
    view.zone.setCurrentIndex(view.zone.findData("UTC"))
    assert window.ctx.prefs.display_zone() == "UTC"
    wait_idle(qtbot, window)
    assert "UTC" in window.history.model.headerData(1, Qt.Orientation.Horizontal)
    # notify.* and general.* live in their own sections (tests/gui/test_desktop_settings.py), not in the groups
    assert not [key for group in view.groups.values() for key in group.fields if key.startswith(("notify.",
                                                                                                  "general."))]
    assert "notify.email.host" in view.notifications.fields() and view.desktop is not None
    wait_workers(qtbot, window)


def test_accounts_add_test_remove_and_keyring_state(open_window: Any, seeded: Any, qtbot: Any,
                                                     confirm_yes: list[str]) -> None:
    window = open_window(tab="settings")
    panel = window.settings.accounts
    qtbot.waitUntil(lambda: panel.keyring is not None)
    assert panel.keyring.status == KeyringStatus.MISSING  # the tests' keyring backend is the 'fail' one
    assert panel.keyring_badge.text() == "Keyring: missing"
    assert "never stores secrets in plain text" in panel.keyring_text.text()
    assert not panel.sign_in_button.isEnabled()  # a sandbox: no browser sign-in
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.choose("google_ads")
    qtbot.keyClicks(dialog.name.edit, "Acme Google")
    dialog.account_id.edit.setText("123-456-7890")
    dialog.use_tokens.click()  # paste tokens: every key Google Ads reads, named
    dialog.cred_fields["refresh_token"].edit.setText("secret")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    developer = dialog.cred_fields["developer_token"]
    qtbot.waitUntil(lambda: developer.error.text() != "", timeout=5000)
    shown = developer.error.text()
    assert "Developer token" in shown  # incomplete: the missing field named in words
    assert "--" not in shown and "developer_token" not in shown
    for key, value in (("client_id", "c"), ("client_secret", "s"), ("developer_token", "d")):
        dialog.cred_fields[key].edit.setText(value)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "keyring" in dialog.credentials_error.text().lower(), timeout=5000)
    assert Account.get_or_none(Account.name == "Acme Google") is None
    dialog.back()
    dialog.choose("demo")
    dialog.name.edit.setText(DEMO)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.name.error.text() != "", timeout=5000)
    assert dialog.name.error.text() == f"Account name: an account named {DEMO!r} already exists; pick another name"
    dialog.name.edit.setText("Second demo")
    dialog.option_fields["campaigns"].edit.setText("3")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Account.get_or_none(Account.name == "Second demo") is not None, timeout=5000)
    qtbot.waitUntil(lambda: len(panel.accounts) == 2, timeout=5000)
    panel.select("Second demo")
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.result.text().startswith("✓ Second demo: Demo sandbox reachable (3 campaigns"),
                    timeout=5000)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Account.get_or_none(Account.name == "Second demo") is None, timeout=5000)
    assert "Its run history is kept" in confirm_yes[-1]
    qtbot.waitUntil(lambda: len(panel.accounts) == 1, timeout=5000)
    wait_workers(qtbot, window)


def test_sign_in_opens_the_address_from_the_worker_and_reports_success(open_window: Any, seeded: Any, qtbot: Any,
                                                                        memory_keyring: Any, monkeypatch: Any) -> None:
    import threading

    from PySide6.QtGui import QDesktopServices

    from autosync_desktop.services.accounts import AccountsService

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    calls: list[tuple[str, str | None, bool]] = []

    def fake_connect(self: AccountsService, name: str, *, on_url: Any, client_id: str | None = None,
                     client_secret: str | None = None, timeout_s: float = 300.0, cancel: Any = None) -> str:
        calls.append((name, client_id, threading.current_thread() is threading.main_thread()))
        on_url("http://127.0.0.1:8765/authorize?state=x")  # from the worker thread, as the real one does
        return f"Signed in: {name} (google_ads) can sync now"

    monkeypatch.setattr(AccountsService, "connect", fake_connect)
    window = open_window(tab="settings")
    window.ctx.services.accounts.add("google_ads", "Acme Google", "123-456-7890", {}, {
        "client_id": "c", "client_secret": "s", "refresh_token": "r", "developer_token": "d"})
    panel = window.settings.accounts
    qtbot.waitUntil(lambda: len(panel.accounts) == 2, timeout=5000)
    panel.select(DEMO)
    assert not panel.sign_in_button.isEnabled() and "no browser sign-in" in panel.sign_in_button.toolTip()
    panel.select("Acme Google")
    assert panel.sign_in_button.isEnabled()
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.client_id.setText("my-client.apps.googleusercontent.com")
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.badge.text() == "Signed in", timeout=5000)
    assert calls == [("Acme Google", "my-client.apps.googleusercontent.com", False)]  # ran in a worker
    assert opened == ["http://127.0.0.1:8765/authorize?state=x"]  # opened by the GUI thread
    assert panel.result.text() == "✓ Signed in to Acme Google"
    dialog.reject()
    wait_workers(qtbot, window)


def test_data_view_shows_each_days_zone_next_to_the_date_and_exports_it(open_window: Any, seeded: Any,
                                                                       tmp_path: Path, qtbot: Any) -> None:
    # the zone the engine stored from the connector (here as a Demo account with that `timezone` option would)
    Account.update(timezone="America/Argentina/Buenos_Aires").where(Account.name == DEMO).execute()
    window = open_window(tab="data")
    view = window.data
    date_column = [k for k, _ in STAT_COLUMNS].index("date")
    assert view.model.headerData(date_column, Qt.Orientation.Horizontal) == "Date"
    newest = DailyStat.select().order_by(DailyStat.date.desc(), DailyStat.campaign_id).first()
    first = view.model.rows[0]
    assert (first.day, first.date_tz) == (newest.date, "America/Argentina/Buenos_Aires")  # the day is not shifted
    index = view.model.index(0, date_column)
    assert view.model.data(index) == f"{newest.date.isoformat()} (Buenos Aires)"
    assert "America/Argentina/Buenos_Aires" in view.model.data(index, Qt.ItemDataRole.ToolTipRole)
    out = tmp_path / "stats.json"
    job = view.export(str(out), "json")
    qtbot.waitUntil(lambda: job.done, timeout=10000)
    exported = json.loads(out.read_text())
    assert len(exported) == DailyStat.select().count()
    assert list(exported[0])[4:6] == ["date", "date_tz"]
    assert {r["date_tz"] for r in exported} == {"America/Argentina/Buenos_Aires"}
    assert [r["date"] for r in exported[:200]] == [r.day.isoformat() for r in view.model.rows]
