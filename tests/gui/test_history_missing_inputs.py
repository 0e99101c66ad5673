"""History's run detail says which upstream schedules a run went without ("Ran without: Meta daily (it had not
synced)"), "Waited for" on a skipped one, and shows no such line for a run that missed nothing."""

from __future__ import annotations

from typing import Any

from autosync_desktop.services import Services
from autosync_desktop.store import runs
from autosync_desktop.store.models import Schedule
from tests.gui.conftest import SCHEDULE, Seed


def _shown(detail: Any, run_id: int, qtbot: Any, window: Any) -> None:
    window.history.show_run(run_id)
    qtbot.waitUntil(lambda: detail.run is not None and detail.run.run.id == run_id, timeout=10000)


def test_the_run_detail_says_what_a_run_went_without(open_window: Any, seeded: Seed, qtbot: Any) -> None:
    services = Services.open(seeded.data_dir)
    try:
        schedule = Schedule.get(Schedule.name == SCHEDULE)
        without = runs.create_run(services.db, account=schedule.owner(), schedule=schedule, trigger="scheduled",
                                  sync_type="both", missing_inputs=("Meta daily",))
        runs.finish_run(without.id, "succeeded")
        skipped = runs.create_run(services.db, account=schedule.owner(), schedule=schedule, trigger="scheduled",
                                  sync_type="both", missing_inputs=("Meta daily", "TikTok daily"))
        runs.finish_run(skipped.id, "skipped", reason="Skipped: waited 2 h for Meta daily, TikTok daily")
    finally:
        services.close()
    window = open_window(tab="history")
    detail = window.history.detail
    _shown(detail, without.id, qtbot, window)
    assert detail.names["missing"].text() == "Ran without"
    assert detail.fields["missing"].text() == "Meta daily (it had not synced)"
    assert detail.fields["missing"].isVisible() and detail.names["missing"].isVisible()
    _shown(detail, skipped.id, qtbot, window)
    assert detail.names["missing"].text() == "Waited for"
    assert detail.fields["missing"].text() == "Meta daily, TikTok daily (they did not sync in time)"
    _shown(detail, seeded.runs[0].id, qtbot, window)
    assert not detail.fields["missing"].isVisible() and not detail.names["missing"].isVisible()
