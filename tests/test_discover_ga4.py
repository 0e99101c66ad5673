"""GA4 property discovery against the fake: the Admin API's accountSummaries over pageToken pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autosync_desktop.services import Services, UserError
from tests.fakes.ga4 import TOKEN_PATH, FakeGA4


@pytest.fixture
def fake() -> Iterator[FakeGA4]:
    api = FakeGA4()
    with api:
        yield api


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    yield services
    services.close()


def test_every_property_under_its_analytics_account(fake: FakeGA4, svc: Services) -> None:
    options = {"api_base_url": fake.base_url, "token_url": fake.base_url + TOKEN_PATH}
    credentials = {"client_id": fake.client_id, "client_secret": fake.client_secret,
                   "refresh_token": fake.refresh_token}
    found = svc.accounts.discover("ga4", credentials, options)
    assert [(a.external_id, a.name, a.status, a.parent_id) for a in found] == [
        (fake.property_id, "Acme Analytics › Acme Web", "ORDINARY", "70001"),
        ("400000001", "Acme Labs › Labs App", "ORDINARY", "70002"),
        ("400000002", "Acme Labs › Labs Rollup", "ROLLUP", "70002")]
    assert len(fake.calls("/v1beta/accountSummaries")) == 3  # one summary per page


def test_a_revoked_sign_in_says_so(fake: FakeGA4, svc: Services) -> None:
    options = {"api_base_url": fake.base_url, "token_url": fake.base_url + TOKEN_PATH}
    with pytest.raises(UserError, match=r"^ReauthRequired: "):
        svc.accounts.discover("ga4", {"client_id": fake.client_id, "client_secret": fake.client_secret,
                                      "refresh_token": "not-the-refresh-token"}, options)
