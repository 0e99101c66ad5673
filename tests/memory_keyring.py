"""An in-memory keyring backend for tests that need credentials but not a real Secret Service.

Select it with PYTHON_KEYRING_BACKEND=tests.memory_keyring.MemoryKeyring (or `keyring.set_keyring`).
Values live in this process only; `MemoryKeyring.store` lets a test check what was saved.
"""

from __future__ import annotations

from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]
    store: ClassVar[dict[tuple[str, str], str]] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise PasswordDeleteError(username)
        del self.store[(service, username)]
