"""LinkedIn account discovery against the fake: GET /rest/adAccounts?q=search over pageToken pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autosync_desktop.services import Services, UserError
from tests.fakes.linkedin_ads import TOKEN_PATH, FakeLinkedInAds


@pytest.fixture
def fake() -> Iterator[FakeLinkedInAds]:
    api = FakeLinkedInAds()
    with api:
        yield api


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    yield services
    services.close()


def test_every_ad_account_over_pages(fake: FakeLinkedInAds, svc: Services) -> None:
    options = {"api_base_url": fake.base_url, "token_url": fake.base_url + TOKEN_PATH}
    credentials = {"client_id": fake.client_id, "client_secret": fake.client_secret,
                   "refresh_token": fake.refresh_token}
    found = svc.accounts.discover("linkedin_ads", credentials, options)
    assert [(a.external_id, a.name, a.currency, a.status) for a in found] == [
        (str(fake.account_id), fake.account_name, fake.currency, "ACTIVE"), ("507404994", "Acme EMEA", "EUR", "ACTIVE"),
        ("507404995", "Acme Sandbox", "USD", "DRAFT (test)")]
    assert {(a.platform, a.timezone, a.parent_id, a.is_manager) for a in found} == {
        ("linkedin_ads", "UTC", "1337", False)}
    assert len(fake.calls("/rest/adAccounts")) == 2  # two pages


def test_a_revoked_token_says_sign_in_again(fake: FakeLinkedInAds, svc: Services) -> None:
    with pytest.raises(UserError, match=r"^ReauthRequired: "):
        svc.accounts.discover("linkedin_ads", {"access_token": "li-not-valid-42"}, {"api_base_url": fake.base_url})
