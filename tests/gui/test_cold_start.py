"""The window's first frame comes before the heavy imports: a child process runs `autosync gui --screenshot`
on a Demo store and reports which modules were loaded when the first frame was painted and when the populated
Dashboard was saved. The pages themselves arrive only after the frame; the charts are painted without pyqtgraph
and numpy, which are never loaded;
keyring, APScheduler's scheduler, requests, the sign-in server and the notification channels only when first used.
Behaviour, not timing: benchmarks/cold_start.py measures how much sooner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests import travel_launch
from tests.gui.conftest import seed_demo

ROOT = Path(__file__).resolve().parents[2]
# not loaded before the frame, all loaded once the Dashboard is drawn: the charts, the pages, and the services with
# the store below them (the CLI imports them inside its commands; the window needs only the data dir's path)
WATCHED = ("autosync_desktop.gui.main_window", "autosync_desktop.gui.dashboard.charts",
           "autosync_desktop.services", "autosync_desktop.services.core", "autosync_desktop.store.db",
           "autosync_desktop.connectors.registry", "autosync_desktop.sync.runner", "autosync_desktop.events", "peewee")
# never loaded by the window on the Dashboard (its charts are painted with QPainter)
NEVER = ("pyqtgraph", "numpy",
         # nor, on the Dashboard, the other pages: each is imported and built when first shown
         "autosync_desktop.gui.scheduler.view", "autosync_desktop.gui.history.view", "autosync_desktop.gui.data.view",
         "autosync_desktop.gui.settings.view",
         # nor a platform the store does not use (checking credentials, X's PIN sign-in, OAuth's providers), nor the
         # HTTP client the Demo does not need
         "autosync_desktop.connectors.google_ads", "autosync_desktop.connectors.x_ads",
         "autosync_desktop.connectors.x_signin", "autosync_desktop.connectors.http")
# loaded only when first needed (a keyring call, the scheduler's start, an HTTP request, a sign-in, a
# notification channel): never before the frame
LAZY = ("keyring", "apscheduler.schedulers.background", "requests", "requests_oauthlib", "http.server",
        "autosync_desktop.notify.email", "autosync_desktop.notify.webhook",
        # the data model and every platform's connector module: after the frame, with the services
        "autosync_desktop.domain", "autosync_desktop.connectors.demo", "autosync_desktop.connectors.google_ads",
        "autosync_desktop.connectors.meta_ads", "autosync_desktop.connectors.linkedin_ads",
        "autosync_desktop.connectors.microsoft_ads", "autosync_desktop.connectors.ga4",
        "autosync_desktop.connectors.tiktok_ads", "autosync_desktop.connectors.x_ads")

CHILD = """
import json, sys
from autosync_desktop import cli
from autosync_desktop.gui import startup

WATCHED = json.loads(sys.argv[3])
seen = {}
original = startup.show_first_frame

def probed(*args, **kwargs):
    frame = original(*args, **kwargs)
    seen["frame"] = [name for name in WATCHED if name in sys.modules]
    seen["frame_lazy"] = [name for name in json.loads(sys.argv[4]) if name in sys.modules]
    seen["frame_title"] = frame.windowTitle()
    return frame

startup.show_first_frame = probed
code = cli.main(["--data-dir", sys.argv[1], "gui", "--screenshot", sys.argv[2], "--tab", "dashboard"])
seen["end"] = [name for name in WATCHED if name in sys.modules]
seen["never"] = [name for name in json.loads(sys.argv[5]) if name in sys.modules]
print("SEEN " + json.dumps(seen), flush=True)
sys.exit(code)
"""


def test_the_first_frame_shows_before_the_pages_and_the_charts_are_imported(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    seed_demo(data_dir, runs=1)
    shot = tmp_path / "dashboard.png"
    frame_png = tmp_path / "frame.png"
    env = travel_launch.env(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                            PYTHONPATH=str(ROOT), AUTOSYNC_FIRST_FRAME=str(frame_png))
    command = [sys.executable, "-c", CHILD, str(data_dir), str(shot), json.dumps(WATCHED), json.dumps(LAZY),
               json.dumps(NEVER)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("SEEN "))
    seen = json.loads(line.removeprefix("SEEN "))
    assert seen["frame_title"] == "AutoSync Desktop"
    assert seen["frame"] == []  # nothing heavy yet when the frame is painted
    assert seen["frame_lazy"] == []  # nor the keyring, APScheduler, requests or the channels
    assert set(seen["end"]) == set(WATCHED)  # the charts were drawn once the Dashboard had its data
    assert seen["never"] == []  # without pyqtgraph and numpy, the pages not shown, the platforms not used
    assert f"First frame saved to {frame_png}" in result.stdout
    assert frame_png.stat().st_size > 0 and shot.stat().st_size > 0


REGISTRY_CHILD = """
import json, sys
from autosync_desktop.connectors import registry

modules = {name: "autosync_desktop.connectors." + module for name, module in registry.MODULES.items()}
def loaded():
    return sorted(name for name, module in modules.items() if module in sys.modules)

seen = {"import": loaded(), "names": list(registry.PLATFORMS), "names_fn": list(registry.platform_names()),
        "contains": ["meta_ads" in registry.PLATFORMS, "nope" in registry.PLATFORMS], "len": len(registry.PLATFORMS)}
seen["after_names"] = loaded()
demo = registry.platform("demo")
seen["demo"] = [demo.name, demo.is_sandbox, registry.PLATFORMS["demo"] is demo, registry.PLATFORMS.get("nope")]
seen["after_demo"] = loaded()
try:
    registry.platform("nope")
except registry.UnknownPlatform as exc:
    seen["unknown"] = str(exc)
seen["values"] = [spec.name for spec in registry.PLATFORMS.values()]
seen["after_values"] = loaded()
print("SEEN " + json.dumps(seen), flush=True)
"""


def test_the_registry_imports_a_connector_module_when_its_platform_is_first_needed() -> None:
    env = travel_launch.env(PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", REGISTRY_CHILD], capture_output=True, text=True, cwd=ROOT,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    seen = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("SEEN "))[5:])
    names = ["demo", "google_ads", "meta_ads", "linkedin_ads", "microsoft_ads", "ga4", "tiktok_ads", "x_ads"]
    assert seen["import"] == [] and seen["after_names"] == []  # names and membership import no connector
    assert seen["names"] == names and seen["names_fn"] == names and seen["len"] == len(names)
    assert seen["contains"] == [True, False]
    assert seen["demo"] == ["demo", True, True, None]
    assert seen["after_demo"] == ["demo"]  # the Demo's spec loads connectors/demo.py and no other platform
    assert seen["unknown"] == f"--platform: unknown platform 'nope'; choose one of {', '.join(names)}"
    assert seen["values"] == names and seen["after_values"] == sorted(names)  # listing the specs loads them all


def test_a_registered_or_replaced_spec_wins_and_can_be_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from autosync_desktop.connectors import registry

    demo = registry.platform("demo")
    monkeypatch.setitem(registry.PLATFORMS, "demo", replace(demo, label="Replaced"))
    monkeypatch.setitem(registry.PLATFORMS, "extra", replace(demo, name="extra"))
    assert registry.platform("demo").label == "Replaced"
    assert registry.platform("extra").name == "extra" and list(registry.PLATFORMS)[-1] == "extra"
    monkeypatch.undo()
    assert registry.platform("demo") is demo and "extra" not in registry.PLATFORMS
    with pytest.raises(registry.UnknownPlatform):
        registry.platform("extra")


def test_the_clis_spelled_out_choices_are_the_enums_values() -> None:
    from autosync_desktop import cli, domain

    assert tuple(t.value for t in domain.SyncType) == cli.SYNC_TYPES
    assert tuple(f.value for f in domain.Frequency) == cli.FREQUENCIES == tuple(cli.FREQUENCY_OPTIONS)
    assert tuple(m.value for m in domain.MissedPolicy) == cli.MISSED_POLICIES
    assert tuple(s.value for s in domain.RunStatus) == cli.RUN_STATUSES
    added = cli.build_parser().parse_args(["schedules", "add", "--name", "n", "--account", "a", "--type", "both",
                                           "--frequency", "manual"])
    assert added.missed == domain.MissedPolicy.RUN_ONCE  # the default when --missed is left out


def test_the_spelled_out_platform_facts_are_the_connectors() -> None:
    from autosync_desktop.connectors import credentials, google_ads, x_signin
    from autosync_desktop.services import pin_sign_in

    assert credentials.GOOGLE_ADS_REQUIRED == google_ads.REQUIRED_CREDENTIALS
    assert pin_sign_in.PLATFORMS == (x_signin.PLATFORM,)


SERVICES_CHILD = """
import json, sys
import autosync_desktop.services
from autosync_desktop.sync import triggers

lazy = json.loads(sys.argv[1])
seen = {"services": [name for name in lazy if name in sys.modules]}
triggers.next_runs(triggers.TriggerSpec(frequency="interval", timezone="UTC", every_minutes=5), count=1)
seen["interval"] = "apscheduler.triggers.interval" in sys.modules
print("SEEN " + json.dumps(seen), flush=True)
"""


def test_the_services_import_no_platform_module_and_no_apscheduler_until_needed() -> None:
    lazy = ["apscheduler", "apscheduler.triggers.cron", "apscheduler.triggers.interval",
            *(f"autosync_desktop.connectors.{name}" for name in
              ("demo", "meta_ads", "linkedin_ads", "microsoft_ads", "ga4", "tiktok_ads"))]
    result = subprocess.run([sys.executable, "-c", SERVICES_CHILD, json.dumps(lazy)], capture_output=True, text=True,
                            cwd=ROOT, env=travel_launch.env(PYTHONPATH=str(ROOT)), timeout=60)
    assert result.returncode == 0, result.stderr
    seen = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("SEEN "))[5:])
    assert seen["services"] == []  # a platform's module with its spec, APScheduler with the first trigger
    assert seen["interval"] is True
