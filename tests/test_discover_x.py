"""X Ads account discovery against the fake: GET /12/accounts over cursor pages, signed with OAuth 1.0a."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autosync_desktop.services import Services, UserError
from tests.fakes.x_ads import FakeXAds


@pytest.fixture
def fake() -> Iterator[FakeXAds]:
    api = FakeXAds()
    with api:
        yield api


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    yield services
    services.close()


def credentials(api: FakeXAds, **changed: str) -> dict[str, str]:
    return {"consumer_key": api.consumer_key, "consumer_secret": api.consumer_secret,
            "access_token": api.access_token, "access_token_secret": api.access_token_secret, **changed}


def test_every_ad_account_but_deleted_ones(fake: FakeXAds, svc: Services) -> None:
    found = svc.accounts.discover("x_ads", credentials(fake), {"api_base_url": fake.base_url})
    assert [(a.external_id, a.name, a.timezone, a.status, a.parent_id) for a in found] == [
        (fake.account_id, fake.name, fake.timezone, "ACCEPTED", "biz-7"),
        ("18ce54d4x5u", "Acme X Japan", "Asia/Tokyo", "ACCEPTED", "biz-7"),
        ("18ce54d4x5v", "Acme X Review", "America/New_York", "UNDER_REVIEW", None)]
    assert len(fake.calls("/12/accounts")) == 2  # pages of two


def test_a_bad_signature_is_one_line_without_secrets(fake: FakeXAds, svc: Services) -> None:
    with pytest.raises(UserError) as caught:
        svc.accounts.discover("x_ads", credentials(fake, consumer_secret="not-the-secret-9"),
                              {"api_base_url": fake.base_url})
    text = str(caught.value)
    assert "\n" not in text and "not-the-secret-9" not in text and fake.access_token_secret not in text
