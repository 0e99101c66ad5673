"""Settings › Notifications and Desktop; closing without a tray; desktop notifications without a tray."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from autosync_desktop.gui.desktop import QUIT_TEXT, DesktopIntegration
from autosync_desktop.notify.messages import Notification
from autosync_desktop.store import settings
from tests.gui.conftest import wait_workers


@pytest.fixture(autouse=True)
def _own_autostart_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Start at login writes to the OS's login items: in tests, to a temp config dir."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def settings_window(open_window: Any, qtbot: Any, start_scheduler: bool = False) -> Any:
    window = open_window(tab="settings", start_scheduler=start_scheduler)
    view = window.settings
    qtbot.waitUntil(lambda: view.notifications is not None and view.notifications.info is not None, timeout=10000)
    return window


def test_notification_form_writes_the_settings_and_tests_in_words(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = settings_window(open_window, qtbot)
    panel = window.settings.notifications
    # Desktop is on by default but cannot show anything: this window has no desktop integration (no sink)
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == ["Desktop ✗", "Email", "Slack", "Webhook",
                                                                          "SMS"]
    email = panel.show_channel("email")
    assert email.isVisibleTo(panel) and not panel.pages["desktop"].isVisibleTo(panel)
    assert email.readiness.text().startswith("Off. Not set up: Email is not set up: set “SMTP server”")
    assert "autosync" not in email.readiness.text()  # the window's words, not CLI commands
    # toggles and switches write their keys
    email.toggles["notify.email.on_success"].click()
    qtbot.waitUntil(lambda: settings.get("notify.email.on_success") is True, timeout=5000)
    email.enabled.click()
    qtbot.waitUntil(lambda: settings.get("notify.email.enabled") is True, timeout=5000)
    # fields are validated by the service and saved
    host = email.fields["notify.email.host"]
    host.input.setText("smtp.example.com")
    host.save()
    qtbot.waitUntil(lambda: settings.get("notify.email.host") == "smtp.example.com", timeout=5000)
    to = email.fields["notify.email.to"]
    to.input.setText("not an address")
    to.save()
    qtbot.waitUntil(lambda: to.error.text() != "", timeout=5000)
    assert to.error.text().startswith("email addresses separated by commas") and settings.get("notify.email.to") == ""
    rules = panel.rules.fields["notify.stale_hours"]
    rules.input.setValue(48)
    rules.save()
    qtbot.waitUntil(lambda: settings.get("notify.stale_hours") == 48, timeout=5000)
    # Send test on a misconfigured channel: a failure in words beside it, and the last delivery recorded
    qtbot.waitUntil(lambda: email.readiness.text().startswith("✗ Not ready"), timeout=5000)
    email.test_button.click()
    qtbot.waitUntil(lambda: email.result.text().startswith("✗ Test failed:"), timeout=10000)
    assert "Email is not set up: set “From”, “To”" in email.result.text()
    assert email.test_button.isEnabled()
    qtbot.waitUntil(lambda: email.last.text().startswith("Last delivery (test)"), timeout=5000)
    assert "✗" in email.last.text()
    assert settings.get("notify.result.email")["ok"] is False
    wait_workers(qtbot, window)


def test_set_secret_goes_to_the_keyring_off_the_gui_thread(open_window: Any, seeded: Any, qtbot: Any,
                                                          memory_keyring: dict[Any, Any]) -> None:
    window = settings_window(open_window, qtbot)
    slack = window.settings.notifications.show_channel("slack")
    assert slack.readiness.text().startswith("Off. Not set up:")
    slack.secret_buttons["url"].click()
    dialog = slack.dialog
    assert dialog is not None and dialog.edit.echoMode() == dialog.edit.EchoMode.Password
    secret = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"
    dialog.edit.setText(secret)
    dialog.accept()
    qtbot.waitUntil(lambda: slack.result.text().startswith("✓ Stored the Slack incoming-webhook URL"), timeout=5000)
    assert list(memory_keyring.values()) == [secret]
    assert secret not in slack.result.text()
    assert dialog.edit.text() == ""  # not kept in the widget
    qtbot.waitUntil(lambda: slack.readiness.text().startswith("Off (ready: "), timeout=5000)
    assert "XXXXXXXX" not in slack.readiness.text()  # the target names the host only
    wait_workers(qtbot, window)


def test_set_secret_without_a_keyring_says_so(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = settings_window(open_window, qtbot)
    sms = window.settings.notifications.show_channel("sms")
    sms.ask_secret("auth_token")
    sms.dialog.edit.setText("0123456789abcdef0123456789abcdef")
    sms.dialog.accept()
    qtbot.waitUntil(lambda: sms.result.text().startswith("✗ "), timeout=5000)
    assert "keyring" in sms.result.text().lower() and "0123456789abcdef" not in sms.result.text()
    wait_workers(qtbot, window)


def test_desktop_section_start_at_login_close_to_tray_and_logs(open_window: Any, seeded: Any, qtbot: Any,
                                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    window = settings_window(open_window, qtbot)
    desktop = window.settings.desktop
    qtbot.waitUntil(desktop.login.isEnabled, timeout=5000)
    assert not desktop.login.isChecked() and desktop.login_status.text() == "AutoSync starts only when you open it."
    entry = tmp_path / "config" / "autostart" / "autosync-desktop.desktop"
    desktop.login.click()
    qtbot.waitUntil(lambda: desktop.login_status.text().startswith("✓ "), timeout=5000)
    assert entry.exists() and "--minimized" in entry.read_text()
    assert settings.get("general.start_at_login") is True
    desktop.login.click()
    qtbot.waitUntil(lambda: desktop.login_status.text() == "✓ AutoSync no longer starts when you log in",
                    timeout=5000)
    assert not entry.exists()
    # close to tray: a setting, with a note where there is no tray (offscreen)
    assert desktop.close_to_tray.value() is True and desktop.tray_note.isVisibleTo(desktop)
    desktop.close_to_tray.input.click()
    assert settings.get("general.close_to_tray") is True  # not before Save
    window.settings.pages["desktop"].save_button.click()
    qtbot.waitUntil(lambda: settings.get("general.close_to_tray") is False, timeout=5000)
    # the logs folder
    qtbot.mouseClick(desktop.logs_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert opened == [str(window.ctx.services.data_dir / "logs")]
    wait_workers(qtbot, window)


# --- closing and notifications without a tray ---

def integrate(window: Any, qtbot: Any) -> DesktopIntegration:
    desktop = DesktopIntegration(window, use_tray=False)
    desktop.start()
    qtbot.waitUntil(lambda: desktop.tray.snapshot is not None and window.scheduler_status.text() != "Scheduler: "
                    "starting…", timeout=10000)
    qtbot.waitUntil(lambda: desktop.tray.snapshot.scheduler_owner == "this process", timeout=10000)
    window._desktop = desktop
    return desktop


def test_closing_without_a_tray_asks_then_quits(open_window: Any, seeded: Any, qtbot: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(start_scheduler=True)
    desktop = integrate(window, qtbot)
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    assert window.close() is False  # "No": the window stays, the scheduler keeps running
    assert window.isVisible() and not window.ctx.closed
    assert asked and asked[0].startswith(QUIT_TEXT) and "1 schedule is active" in asked[0]
    answer[0] = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(desktop.quit_requested, timeout=5000):
        assert window.close() is True
    assert window.ctx.closed and len(asked) == 2


def test_closing_without_a_tray_does_not_ask_when_nothing_is_scheduled(open_window: Any, seeded: Any, qtbot: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(start_scheduler=True)
    window.ctx.services.schedules.pause_all()
    desktop = integrate(window, qtbot)
    qtbot.waitUntil(lambda: desktop.tray.snapshot.paused_all, timeout=5000)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("asked although nothing would stop"))
    with qtbot.waitSignal(desktop.quit_requested, timeout=5000):
        assert window.close() is True


def test_desktop_notifications_show_in_a_banner_without_a_tray(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(start_scheduler=True)
    desktop = integrate(window, qtbot)
    assert not window.notices.isVisibleTo(window)
    # the real path: the service's test message through the sink, called on a worker thread
    result: list[str] = []
    window.ctx.workers.run(window.ctx.services.notifications.test, "desktop", lane="slow", on_done=result.append)
    qtbot.waitUntil(lambda: bool(result) and window.notices.isVisibleTo(window), timeout=10000)
    assert result == ["Shown on the desktop"]
    assert window.notices.texts()[0].startswith("AutoSync test message")
    # from a notifier thread, newest first
    message = Notification(kind="failure", subject="schedule:Demo sync", title="Demo sync failed",
                           summary="Run 12 failed: the platform is down. Next try at 14:05.", at=datetime.now(UTC))
    thread = threading.Thread(target=desktop.relay.sink, args=(message,))
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(window.notices.notices) == 2, timeout=5000)
    assert window.notices.texts()[0] == "Demo sync failed — Run 12 failed: the platform is down. Next try at 14:05."
    assert window.notices.heading.text() == "Notifications (2)"
    qtbot.mouseClick(window.notices.dismiss_button, Qt.MouseButton.LeftButton)
    assert not window.notices.isVisibleTo(window) and window.notices.notices == []
    desktop.shutdown()
    assert window.ctx.services._desktop_sink is None
    wait_workers(qtbot, window)


def test_minimized_without_a_tray_shows_a_minimized_window(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(wait=False)
    window.hide()
    desktop = DesktopIntegration(window, use_tray=False)
    desktop.start(minimized=True)
    assert window.isVisible() and window.isMinimized()
    desktop.activate(["gui"])
    assert not window.isMinimized()
    desktop.shutdown()
    wait_workers(qtbot, window)


def test_a_timed_pause_shows_when_it_ends_beside_pause_all(open_window: Any, seeded: Any, qtbot: Any) -> None:
    from autosync_desktop.gui import tray_model

    window = settings_window(open_window, qtbot)
    view = window.settings
    assert not view.pause_end.isVisibleTo(view)
    tray_model.pause_all(window.ctx.services, hours=1)
    qtbot.waitUntil(lambda: view.pause_end.text().startswith("Resumes by itself at "), timeout=5000)
    assert view.groups["general"].fields["scheduler.paused_all"].value() is True
    tray_model.resume_all(window.ctx.services)
    qtbot.waitUntil(lambda: not view.pause_end.isVisibleTo(view), timeout=5000)
    wait_workers(qtbot, window)
