"""Redaction for notifications and third-party loggers; the redactor itself lives in `autosync_desktop.redaction`
(re-exported here: `MASK`, `Redactor`, `redact`, `secret_strings`), shared by every door of the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from autosync_desktop.redaction import MASK, MIN_SECRET_LENGTH, Redactor, redact, secret_strings

__all__ = ["MASK", "MIN_SECRET_LENGTH", "THIRD_PARTY_LOGGERS", "RedactingFilter", "Redactor", "guard_logs", "redact",
           "secret_strings"]


class RedactingFilter(logging.Filter):
    """Masks secrets in the records of a third-party logger (urllib3 logs each request's path at DEBUG)."""

    def __init__(self, redactor: Callable[[], Redactor]) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg, record.args = self._redactor()(record.getMessage()), ()
        except Exception:
            record.msg, record.args = MASK, ()
        return True


THIRD_PARTY_LOGGERS = ("urllib3.connectionpool",)


def guard_logs(redactor: Callable[[], Redactor]) -> Callable[[], None]:
    """Install a RedactingFilter on the HTTP library's loggers; returns the function that removes it."""
    log_filter = RedactingFilter(redactor)
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).addFilter(log_filter)

    def remove() -> None:
        for name in THIRD_PARTY_LOGGERS:
            logging.getLogger(name).removeFilter(log_filter)

    return remove
