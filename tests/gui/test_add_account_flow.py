"""The guided Add account: per platform the fields are its credential declarations in words (no raw keys), secrets
are password fields and go to the keyring through the keyring lane; Settings pages show no setting keys (except
Advanced), "Unlimited" for a 0 limit, and fit 1024x640 without sideways scrolling."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from autosync_desktop.connectors import credentials as declared
from autosync_desktop.gui.settings import account_dialog
from tests.gui.conftest import wait_workers

RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\bhttp\.|\bretry\.|\bnotify\.|\bscheduler\.")


def visible_texts(root: QWidget) -> list[str]:
    texts = [w.text() for w in root.findChildren(QLabel) if w.isVisibleTo(root)]
    texts += [w.toolTip() for w in root.findChildren(QWidget) if w.isVisibleTo(root) and w.toolTip()]
    return [t for t in texts if t]


def open_dialog(open_window: Any, qtbot: Any) -> tuple[Any, Any]:
    window = open_window(tab="settings")
    panel = window.settings.accounts
    panel.add_account()
    dialog = panel.dialog
    qtbot.waitUntil(dialog.isVisible)
    return window, dialog


@pytest.mark.parametrize("platform", sorted(declared.RULES))
def test_each_platform_shows_its_declared_credentials_in_words(open_window: Any, seeded: Any, qtbot: Any,
                                                               platform: str) -> None:
    window, dialog = open_dialog(open_window, qtbot)
    dialog.choose(platform)
    if dialog.how.isVisibleTo(dialog.details):
        dialog.use_tokens.click()
    assert tuple(dialog.cred_fields) == declared.RULES[platform].keys
    for key, field in dialog.cred_fields.items():
        secret = account_dialog.labels.credential(key).secret
        assert (field.edit.echoMode() == QLineEdit.EchoMode.Password) == secret
        assert field.edit.accessibleName() and "_" not in field.edit.accessibleName()
    dialog.advanced_button.setChecked(True)
    texts = visible_texts(dialog)
    assert not [t for t in texts if RAW.search(t) and "e.g." not in t], texts
    wait_workers(qtbot, window)


def test_secrets_go_to_the_keyring_on_the_keyring_lane(open_window: Any, seeded: Any, qtbot: Any,
                                                       memory_keyring: dict[tuple[str, str], str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    window, dialog = open_dialog(open_window, qtbot)
    threads: list[bool] = []
    real_add = window.ctx.services.accounts.add

    def add(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return real_add(*args, **kwargs)

    monkeypatch.setattr(window.ctx.services.accounts, "add", add)
    dialog.choose("meta_ads")
    dialog.name.edit.setText("東京の広告アカウント")
    dialog.account_id.edit.setText("act_1234567890")
    dialog.advanced_button.setChecked(True)
    dialog.option_fields["api_base_url"].edit.setText("http://127.0.0.1:9")
    dialog.cred_fields["access_token"].edit.setText("EAAB-secret-token-1234567890")
    dialog.save()
    qtbot.waitUntil(lambda: bool(threads), timeout=10000)
    wait_workers(qtbot, window)
    assert threads == [False]
    stored = [json.loads(v) for (service, user), v in memory_keyring.items() if user.startswith("account:")]
    assert any(s.get("access_token") == "EAAB-secret-token-1234567890" for s in stored), stored
    assert dialog.cred_fields["access_token"].edit.text() == ""  # not kept in the widget


def test_settings_pages_show_words_unlimited_and_fit_1024(open_window: Any, seeded: Any, qtbot: Any) -> None:
    window = open_window(tab="settings")
    window.resize(1024, 640)
    view = window.settings
    qtbot.waitUntil(lambda: view.has_loaded, timeout=10000)
    rpm = view.groups["per_platform"].fields["http.requests_per_minute.google_ads"]
    assert rpm.input.text() == "Unlimited"
    assert view.groups["retry"].fields["retry.max_rate_limit_wait_s"].input.text() == "1 h"
    assert view.groups["sync"].fields["sync.run_timeout_minutes"].input.text() == "2 h"
    for key, page in view.pages.items():
        view.show_page(key)
        qtbot.wait(10)
        assert page.content.minimumSizeHint().width() <= page.scroller.viewport().width(), key
        if key != "advanced":
            texts = visible_texts(page)
            assert not [t for t in texts if re.search(r"\b(http|retry|notify|scheduler|sync|api)\.[a-z]", t)], key
    wait_workers(qtbot, window)
