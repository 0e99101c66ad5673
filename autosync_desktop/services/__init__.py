"""The one API that the GUI and the CLI use: accounts, schedules, syncs, history, status, export, settings.

`Services.open(data_dir)` opens (creating or migrating) the store, turns runs orphaned by a dead process
into `interrupted`, and registers this process. Methods validate input and raise `UserError` with a message
that names the field and the fix; nothing is written when validation fails. Methods may block on the
database or the keyring: GUI code calls them from workers, never on the GUI thread.

Layout: `Services` is `ServicesCore` (the store, the bus, the runner and the scheduler) with one `Area` object per
area hanging off it (`services.runs.page(...)`); each module holds one area:

- core.py           `ServicesCore` (open/close, runner, scheduler, credentials), `UserError`, `iso`,
                    `default_data_dir`, `sign_in_hint`, the constants and small validation helpers
- accounts.py       `services.accounts`: accounts, credentials, browser sign-in, connectivity test, platforms,
                    keyring state, the Dashboard's account cards
- schedules.py      `services.schedules`: schedules, cards, pausing (one, all, timed), next runs, the editor's check
- runs.py           `services.runs`: request, wait for and cancel runs; list, detail, History pages, activity
- metrics.py        `services.metrics`: status, dashboard snapshot, scheduler/database info, charts, prune
- app_settings.py   `services.settings`: setting specs (label, unit, help, bounds, value), get/set, start at login
- notifications.py  `services.notifications`: the notifier's wiring, channel status, test messages, secrets
- data.py           `services.data`: the Data page's daily stats (paged), totals per currency, campaigns
- exports.py        `services.exports`: CSV/JSON exports (whole tables, or what History and Data show);
                    the export columns and `run_dict`
- api_access.py     `services.api_access`: the local REST API's setting, serving state and bearer token
- insights.py       `services.insights`: sync analytics per platform, account and schedule for 24h/7d/30d

Everything that `autosync_desktop.services` offered as one module is still importable from here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from autosync_desktop import events as ev
from autosync_desktop.domain import SyncRequest
from autosync_desktop.output_files import open_output
from autosync_desktop.services.accounts import AccountsService
from autosync_desktop.services.api_access import ApiAccessService
from autosync_desktop.services.app_settings import SettingsService
from autosync_desktop.services.core import (
    APP_NAME,
    DB_NAME,
    NOTIFY_STATE,
    PERIODS,
    START_AT_LOGIN,
    ServicesCore,
    UserError,
    default_data_dir,
    iso,
    log,
    sign_in_hint,
)
from autosync_desktop.services.data import DataService
from autosync_desktop.services.exports import CAMPAIGN_COLUMNS, RUN_COLUMNS, STATS_COLUMNS, ExportsService, run_dict
from autosync_desktop.services.insights import InsightsService
from autosync_desktop.services.metrics import MetricsService
from autosync_desktop.services.notifications import NotificationsService
from autosync_desktop.services.runs import RunsService
from autosync_desktop.services.schedules import SchedulesService
from autosync_desktop.services.time_suggestions import TimeSuggestionsService

__all__ = [
    "APP_NAME",
    "CAMPAIGN_COLUMNS",
    "DB_NAME",
    "NOTIFY_STATE",
    "PERIODS",
    "RUN_COLUMNS",
    "START_AT_LOGIN",
    "STATS_COLUMNS",
    "Services",
    "SyncRequest",
    "UserError",
    "default_data_dir",
    "iso",
    "log",
    "open_output",
    "run_dict",
    "sign_in_hint",
]


class Services(ServicesCore):
    """The service layer: open it with `Services.open(data_dir)`, close it with `close()`.

    Per-area objects (`Area` subclasses, one per module) hang off the façade: `services.schedules.pause(name)`,
    `services.runs.page(...)`.
    """

    def __init__(self, data_dir: Path, bus: ev.EventBus, kind: str, *, reads_only: bool = False,
                 notice: Callable[[str], None] | None = None) -> None:
        super().__init__(data_dir, bus, kind, reads_only=reads_only, notice=notice)
        # --- areas (each added by the change that moves its methods out of the mixins) ---
        self.accounts = AccountsService(self)
        self.schedules = SchedulesService(self)
        self.settings = SettingsService(self)
        self.notifications = NotificationsService(self)
        self.runs = RunsService(self)
        self.metrics = MetricsService(self)
        self.data = DataService(self)
        self.exports = ExportsService(self)
        self.api_access = ApiAccessService(self)
        self.insights = InsightsService(self)
        self.suggestions = TimeSuggestionsService(self)
