"""Packaging without a build: the resources helper (checkout and frozen), the generated icons and their
containers, the desktop entry, the PyInstaller spec, make_icons.py's reproducibility and the tarball's install.sh.

The real build and the frozen self-test run in CI (.ci/run: scripts/build, then dist/autosync/autosync gui
--self-test).
"""

from __future__ import annotations

import ast
import configparser
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from autosync_desktop import demo_check, resources

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HICOLOR = (16, 24, 32, 48, 64, 128, 256, 512)
ICNS_SIZES = {"icp4": 16, "icp5": 32, "ic11": 32, "ic12": 64, "ic07": 128, "ic13": 256, "ic08": 256, "ic14": 512,
              "ic09": 512, "ic10": 1024}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (which must come first)."""
    assert data[:8] == PNG_SIGNATURE, data[:8]
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


# --- resources.py ------------------------------------------------------------------------------------------

def test_resources_found_in_a_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(resources.ENV_OVERRIDE, raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert resources.resources_dir() == ROOT / "resources"
    assert resources.resource_path("icons", "app.svg") == ICONS / "app.svg"
    assert not resources.is_frozen()
    assert resources.missing_files() == []


def test_resources_found_in_a_frozen_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from autosync_desktop.gui import theme

    bundle = tmp_path / "_internal"
    shutil.copytree(ROOT / "resources", bundle / "resources")
    monkeypatch.delenv(resources.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert resources.is_frozen()
    assert resources.resources_dir() == bundle / "resources"
    assert resources.resource_path("autosync-desktop.desktop").is_file()
    assert resources.missing_files() == []
    assert theme.resources_dir() == bundle / "resources"  # the window's icons go through the same helper
    assert theme.icon_path("tray-ok") == bundle / "resources" / "icons" / "tray-ok.svg"
    # the self-test's child is the frozen executable itself, not `python -m`
    assert demo_check.command(tmp_path / "d")[:2] == [sys.executable, "--data-dir"]
    assert demo_check.child_env()["PYINSTALLER_RESET_ENVIRONMENT"] == "1"
    (bundle / "resources" / "icons" / "tray-running.svg").unlink()
    assert resources.missing_files() == ["icons/tray-running.svg"]


def test_resources_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(resources.ENV_OVERRIDE, str(tmp_path))
    monkeypatch.setattr(sys, "_MEIPASS", "/nonexistent", raising=False)
    assert resources.resources_dir() == tmp_path


# --- icons -------------------------------------------------------------------------------------------------

def test_hicolor_pngs_have_their_sizes() -> None:
    for size in HICOLOR:
        path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "autosync-desktop.png"
        assert png_size(path.read_bytes()) == (size, size), path
    assert (ICONS / "hicolor" / "scalable" / "apps" / "autosync-desktop.svg").read_bytes() == \
        (ICONS / "app.svg").read_bytes()


def parse_ico(data: bytes) -> dict[int, bytes]:
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count > 0
    images: dict[int, bytes] = {}
    end = 6 + 16 * count
    for i in range(count):
        width, height, colours, zero, planes, bpp, size, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        assert (colours, zero, planes, bpp) == (0, 0, 1, 32)
        assert offset == end, "entries are stored back to back after the directory"
        end = offset + size
        blob = data[offset:end]
        pixels = width or 256
        assert (width, height) == (pixels % 256, pixels % 256)
        assert png_size(blob) == (pixels, pixels)
        images[pixels] = blob
    assert end == len(data)
    return images


def parse_icns(data: bytes) -> list[tuple[str, bytes]]:
    magic, total = struct.unpack(">4sI", data[:8])
    assert magic == b"icns" and total == len(data)
    elements, at = [], 8
    while at < total:
        kind, length = struct.unpack(">4sI", data[at:at + 8])
        assert length > 8 and at + length <= total
        elements.append((kind.decode("ascii"), data[at + 8:at + length]))
        at += length
    assert at == total
    return elements


def test_ico_parses_back() -> None:
    images = parse_ico((ICONS / "autosync-desktop.ico").read_bytes())
    assert sorted(images) == [16, 24, 32, 48, 64, 128, 256]


def test_icns_parses_back() -> None:
    elements = parse_icns((ICONS / "autosync-desktop.icns").read_bytes())
    kinds = [kind for kind, _ in elements]
    assert {"ic07", "ic08", "ic09", "ic10"} <= set(kinds) and len(kinds) == len(set(kinds))
    for kind, blob in elements:
        assert png_size(blob) == (ICNS_SIZES[kind], ICNS_SIZES[kind]), kind


def test_tray_icons_are_small_svgs_that_render(qapp: object) -> None:
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    for name in resources.TRAY_ICONS:
        renderer = QSvgRenderer(str(ICONS / f"{name}.svg"))
        assert renderer.isValid(), name
        image = QImage(16, 16, QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        # an opaque tile (readable on any panel) with a white glyph at 16 px
        assert QColor(image.pixel(2, 8)).alpha() == 255, name
        whites = sum(QColor(image.pixel(x, y)).lightness() > 230 for x in range(16) for y in range(16))
        assert whites >= 8, name


def _pixels(data: bytes) -> tuple[tuple[int, int], bytes]:
    from PySide6.QtGui import QImage

    image = QImage.fromData(data).convertToFormat(QImage.Format.Format_RGBA8888)
    return (image.width(), image.height()), bytes(image.constBits())[: image.sizeInBytes()]


def test_make_icons_reproduces_the_committed_files(tmp_path: Path, qapp: object) -> None:
    """Same sizes and the same pixels. Qt's PNG output is byte-identical for the same PySide6 (6.12 here), but
    the pixels are what matter and they survive a Qt upgrade that changes compression; antialiasing may move a
    few levels, hence the small tolerance."""
    import numpy as np

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_icons.py"), "--out", str(tmp_path)], check=True,
                   env=env, capture_output=True, timeout=60)
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = [p.relative_to(ICONS) for p in (ICONS / "hicolor").rglob("*") if p.is_file()]
    assert generated == sorted([*committed, Path("autosync-desktop.icns"), Path("autosync-desktop.ico")])
    pairs = [((ICONS / rel).read_bytes(), (tmp_path / rel).read_bytes()) for rel in generated if rel.suffix == ".png"]
    old_ico, new_ico = parse_ico((ICONS / "autosync-desktop.ico").read_bytes()), parse_ico(
        (tmp_path / "autosync-desktop.ico").read_bytes())
    assert sorted(old_ico) == sorted(new_ico)
    pairs += [(old_ico[size], new_ico[size]) for size in old_ico]
    old_icns = parse_icns((ICONS / "autosync-desktop.icns").read_bytes())
    new_icns = parse_icns((tmp_path / "autosync-desktop.icns").read_bytes())
    assert [kind for kind, _ in old_icns] == [kind for kind, _ in new_icns]
    pairs += [(a, b) for (_, a), (_, b) in zip(old_icns, new_icns, strict=True)]
    for committed, fresh in pairs:
        (size_a, pixels_a), (size_b, pixels_b) = _pixels(committed), _pixels(fresh)
        assert size_a == size_b
        diff = np.abs(np.frombuffer(pixels_a, np.uint8).astype(int) - np.frombuffer(pixels_b, np.uint8).astype(int))
        assert diff.max() <= 8 and diff.mean() < 0.5, (size_a, diff.max(), diff.mean())


# --- desktop entry -----------------------------------------------------------------------------------------

def test_desktop_entry_has_the_required_keys() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(ROOT / "resources" / "autosync-desktop.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    for key in ("Name", "GenericName", "Comment", "StartupWMClass"):
        assert entry[key].strip(), key
    assert entry["Exec"] == "autosync"
    assert entry["Icon"] == resources.ICON_NAME == "autosync-desktop"
    assert entry["Terminal"] == "false"
    assert entry["Categories"] == "Office;Utility;"
    assert entry["StartupWMClass"] == "AutoSync Desktop"  # the window's WM_CLASS class: the QApplication's name


# --- the spec ----------------------------------------------------------------------------------------------

def test_spec_excludes_bundles_and_names() -> None:
    text = (ROOT / "build_installer.spec").read_text(encoding="utf-8")
    tree = ast.parse(text)
    assigned = {node.targets[0].id: node.value for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    excludes = ast.literal_eval(assigned["EXCLUDES"])
    assert {"PyQt5", "PyQt6", "PySide2", "tkinter"} <= set(excludes)
    assert ast.literal_eval(assigned["NAME"]) == "autosync"
    assert 'datas=[(str(ROOT / "resources"), "resources")]' in text
    assert "from autosync_desktop import __version__ as VERSION" in text
    assert 'collect_submodules("autosync_desktop")' in text  # connectors/registry.py imports connectors by name
    assert "console=not (WINDOWS or MACOS)" in text
    for key in ('"LSUIElement": False', '"NSHighResolutionCapable": True', "bundle_identifier=BUNDLE_ID"):
        assert key in text
    entry = ROOT / "scripts" / "autosync_entry.py"
    assert entry.is_file() and 'str(ROOT / "scripts" / "autosync_entry.py")' in text


# --- the tarball's install.sh ------------------------------------------------------------------------------

def test_install_sh_installs_into_xdg_dirs_and_uninstalls(tmp_path: Path) -> None:
    pkg = tmp_path / "autosync-0.0.0"
    (pkg / "autosync").mkdir(parents=True)
    fake = pkg / "autosync" / "autosync"
    fake.write_text("#!/bin/sh\necho fake autosync\n")
    fake.chmod(0o755)
    shutil.copy(ROOT / "resources" / "autosync-desktop.desktop", pkg)
    shutil.copytree(ICONS / "hicolor", pkg / "icons" / "hicolor")
    shutil.copy(ROOT / "resources" / "linux" / "install.sh", pkg)
    home = tmp_path / "home"
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(["sh", str(pkg / "install.sh")], env=env, capture_output=True, text=True, check=True).stdout
    app = home / ".local" / "opt" / "autosync-desktop" / "autosync"
    assert "Installed AutoSync Desktop" in out
    assert subprocess.run([str(home / ".local" / "bin" / "autosync")], capture_output=True, text=True,
                          check=True).stdout == "fake autosync\n"
    entry = (home / ".local" / "share" / "applications" / "autosync-desktop.desktop").read_text()
    assert f'Exec="{app}"' in entry and f"TryExec={app}" in entry and "Icon=autosync-desktop" in entry
    for size in HICOLOR:
        assert (home / ".local/share/icons/hicolor" / f"{size}x{size}" / "apps" / "autosync-desktop.png").is_file()
    subprocess.run(["sh", str(pkg / "install.sh"), "--uninstall"], env=env, capture_output=True, check=True)
    assert not app.exists() and not (home / ".local" / "bin" / "autosync").exists()
    assert not list(home.rglob("autosync-desktop.*"))
