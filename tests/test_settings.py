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
