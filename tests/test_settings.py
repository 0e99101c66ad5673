"""Settings are declared as data: typed, bounded, defaulted, with per-platform overrides for HTTP pacing."""

from __future__ import annotations

import pytest

from autosync_desktop.store import settings


def test_defaults_parse_and_bounds(store) -> None:
    assert settings.get("retry.max_attempts") == 4
    assert settings.set_value("retry.max_attempts", "7") == 7 and settings.get("retry.max_attempts") == 7
    assert settings.set_value("scheduler.paused_all", "yes") is True
    with pytest.raises(settings.SettingError, match=r"retry\.max_attempts: must be at most 20"):
        settings.set_value("retry.max_attempts", "21")
    with pytest.raises(settings.SettingError, match="expected int"):
        settings.set_value("retry.max_attempts", "many")
    with pytest.raises(settings.SettingError, match=r"Unknown setting 'retry\.maxattempts'"):
        settings.get("retry.maxattempts")
    assert settings.get("retry.max_attempts") == 7  # a refused value leaves the stored one


def test_per_platform_setting_overrides_the_general_one(store) -> None:
    assert settings.get_platform("http.requests_per_minute", "meta_ads") == 0.0
    settings.set_value("http.requests_per_minute", 100)
    settings.set_value("http.requests_per_minute.meta_ads", 30)
    assert settings.get_platform("http.requests_per_minute", "meta_ads") == 30.0
    assert settings.get_platform("http.requests_per_minute", "google_ads") == 100.0
    assert settings.all_values()["http.requests_per_minute.meta_ads"] == 30.0


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "1e999"])
def test_float_settings_refuse_nan_and_infinity(store, raw: str) -> None:
    before = settings.get("retry.base_delay_s")
    with pytest.raises(settings.SettingError, match=r"retry\.base_delay_s: expected a finite number"):
        settings.set_value("retry.base_delay_s", raw)
    with pytest.raises(settings.SettingError, match="finite"):
        settings.set_value("sync.run_timeout_minutes", raw)
    assert settings.get("retry.base_delay_s") == before


@pytest.mark.parametrize("raw", ["autosync@example.com\r\nBcc: victim@example.com", "a\nb", "a\x00b"])
def test_text_settings_refuse_line_breaks_and_nul(store, raw: str) -> None:
    with pytest.raises(settings.SettingError, match=r"notify\.email\.username: must be one line"):
        settings.set_value("notify.email.username", raw)


def test_text_settings_have_a_length_cap(store) -> None:
    with pytest.raises(settings.SettingError, match=r"notify\.email\.host: at most \d+ characters"):
        settings.set_value("notify.email.host", "h" * 100_000)
