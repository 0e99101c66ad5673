"""Microsoft Advertising account discovery against the fake: AccountsInfo of the customer; adding several keeps
the customer_id each account needs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autosync_desktop.services import Services, UserError
from tests.fakes.microsoft_ads import ACCOUNTS_INFO_PATH, TOKEN_PATH, FakeMicrosoftAds


@pytest.fixture
def fake() -> Iterator[FakeMicrosoftAds]:
    api = FakeMicrosoftAds()
    with api:
        yield api


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "data")
    yield services
    services.close()


def test_the_customers_accounts_and_adding_two(fake: FakeMicrosoftAds, svc: Services, memory_keyring: dict) -> None:
    options = {"api_base_url": fake.base_url, "token_url": fake.base_url + TOKEN_PATH,
               "customer_id": str(fake.customer_id)}
    credentials = {"client_id": fake.client_id, "refresh_token": fake.refresh_token,
                   "developer_token": fake.developer_token}
    found = svc.accounts.discover("microsoft_ads", credentials, options)
    assert [(a.external_id, a.name, a.status) for a in found] == [
        (str(fake.account_id), fake.account_name, "Active"), ("149372544", "Acme Canada", "Active"),
        ("149372545", "Acme Paused", "Pause")]
    assert {(a.platform, a.parent_id, a.currency, a.timezone) for a in found} == {
        ("microsoft_ads", str(fake.customer_id), None, None)}
    assert len(fake.calls(ACCOUNTS_INFO_PATH)) == 1
    added = svc.accounts.add_discovered(found[:2], credentials, options)
    assert [a.name for a in added] == [fake.account_name, "Acme Canada"]
    assert {a.options["customer_id"] for a in added} == {str(fake.customer_id)}
    assert svc.accounts.test(fake.account_name).startswith("Connected")


def test_the_customer_id_is_required(fake: FakeMicrosoftAds, svc: Services) -> None:
    with pytest.raises(UserError, match="customer_id"):
        svc.accounts.discover("microsoft_ads", {"client_id": "c", "refresh_token": "r", "developer_token": "d"},
                              {"api_base_url": fake.base_url})
