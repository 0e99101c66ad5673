"""Pictures of the schedule editor over the Schedules page, as a person sees it (the dialog drawn centred on the
window): a new sync schedule (Runs after two schedules ticked, the suggested time under Time) and a new export
schedule (the morning file).

    .venv/bin/python scripts/editor_screenshots.py DATA_DIR OUT [--sizes 1024x640,1280x800] [--themes light,dark]

DATA_DIR is a store with accounts and schedules, e.g. the `many` state of scripts/screenshots.py
(`scripts/screenshots.py /tmp/shots --states many --pages scheduler --data /tmp/states` leaves it in
/tmp/states/many). Each picture is taken in a child process (one theme per process), offscreen:
OUT/editor-<sync|export>-<WxH>-<theme>.png. The store is read, never written (nothing is saved).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ("sync", "export")


def _one(data_dir: Path, out: Path, kind: str, size: str, theme: str) -> int:
    """In the child: open the window on the Schedules page, open the editor, fill it, draw both, save."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QColor, QPainter

    from autosync_desktop.gui.app import make_app, window_idle
    from autosync_desktop.gui.context import AppContext
    from autosync_desktop.gui.main_window import MainWindow
    from autosync_desktop.gui.qt_app import wait_until
    from autosync_desktop.gui.theme import apply_theme

    app = make_app()
    apply_theme(app, theme)
    width, height = (int(part) for part in size.split("x"))
    ctx = AppContext.open(data_dir)
    window = MainWindow(ctx, start_scheduler=False, remember=False)
    window.resize(width, height)
    window.show_tab("scheduler")
    window.show()
    window.start()
    try:
        wait_until(lambda: window_idle(window), timeout_s=60, settle_ms=50)
        view = window.scheduler
        view.dialog = None
        view.new_schedule()
        wait_until(lambda: view.dialog is not None and ctx.workers.pending == 0, timeout_s=30, settle_ms=50)
        dialog = view.dialog
        if kind == "export":
            dialog.what.setCurrentIndex(dialog.what.findData("export"))
            dialog.name.setText("Morning file")
            dialog.export.output.setText("~/AutoSync/ads.xlsx")  # expanded when saved
            dialog.export.range.setCurrentIndex(dialog.export.range.findData("yesterday"))
            dialog.at.setTime(dialog.at.time().fromString("07:30", "HH:mm"))
        else:
            dialog.name.setText("Spend report")
        ticked = 0
        for row in range(dialog.after_fields.list.count()):
            item = dialog.after_fields.list.item(row)
            if item.text() in ("Daily spend 03", "Daily spend 06") or (kind == "export" and
                                                                         item.text() == "Spend rollup"):
                item.setCheckState(Qt.CheckState.Checked)
                ticked += 1
        wait_until(lambda: ctx.workers.pending == 0, timeout_s=30, settle_ms=100)
        dialog.resize(dialog.width(), min(dialog.height(), height - 40))
        dialog.show()
        app.processEvents()
        picture = window.grab()
        painter = QPainter(picture)
        painter.fillRect(picture.rect(), QColor(0, 0, 0, 70))  # the window behind a modal dialog
        shot = dialog.grab()
        painter.drawPixmap(QPoint((width - shot.width()) // 2, (height - shot.height()) // 2), shot)
        painter.end()
        if not picture.save(str(out)):
            print(f"could not write {out}", file=sys.stderr)
            return 1
        print(f"  {out.name} (dialog {shot.width()}x{shot.height()}, {ticked} ticked)")
        dialog.reject()
        return 0
    finally:
        window.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--sizes", default="1024x640,1280x800")
    parser.add_argument("--themes", default="light,dark")
    parser.add_argument("--one", nargs=3, metavar=("KIND", "SIZE", "THEME"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        kind, size, theme = args.one
        return _one(args.data_dir, args.out, kind, size, theme)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for kind in KINDS:
        for size in args.sizes.split(","):
            for theme in args.themes.split(","):
                out = args.out / f"editor-{kind}-{size}-{theme}.png"
                result = subprocess.run([sys.executable, __file__, str(args.data_dir), str(out), "--one", kind, size,
                                         theme], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
                print((result.stdout or result.stderr).strip())
                failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
