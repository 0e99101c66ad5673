"""Render the app icon (resources/icons/app.svg) into what each platform wants, and write the containers.

    .venv/bin/python scripts/make_icons.py [--svg resources/icons/app.svg] [--out resources/icons]

Writes, under --out:
- `hicolor/<N>x<N>/apps/autosync-desktop.png` for N in 16 24 32 48 64 128 256 512 (freedesktop icon theme
  layout, what the Linux tarball installs into ~/.local/share/icons) and `hicolor/scalable/apps/autosync-desktop.svg`;
- `autosync-desktop.ico` (Windows): 16-256 px, every entry PNG-compressed (Windows Vista and later);
- `autosync-desktop.icns` (macOS): PNG entries icp4 icp5 ic11 ic12 ic07 ic13 ic08 ic14 ic09 ic10 (16-1024 px).

Rendering uses Qt's QSvgRenderer offscreen (no display needed) into ARGB32 images saved as PNG by Qt, so the
same PySide6 version reproduces the committed files byte for byte (tests/test_packaging.py checks the pixels,
which survive a Qt upgrade better than the bytes). The ICO and ICNS containers are written here with struct:
both are a small header, a directory and the PNG files as they are. The generated files are committed; run
this again after changing app.svg.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICON_NAME = "autosync-desktop"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an ICO directory entry can describe
# ICNS element types holding PNG data, with their pixel size (the @2x ones are the Retina variants).
ICNS_TYPES = (
    ("icp4", 16), ("icp5", 32), ("ic11", 32), ("ic12", 64), ("ic07", 128), ("ic13", 256), ("ic08", 256),
    ("ic14", 512), ("ic09", 512), ("ic10", 1024),
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _qt_app() -> object:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication(sys.argv[:1])


def render_png(svg: bytes, size: int) -> bytes:
    """The SVG drawn into a transparent size x size image, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _qt_app()
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise ValueError("the SVG does not parse")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG"):
        raise RuntimeError(f"Qt could not encode a {size} px PNG")
    buffer.close()
    png = bytes(data.data())
    assert png.startswith(PNG_SIGNATURE)
    return png


def ico_bytes(pngs: Mapping[int, bytes]) -> bytes:
    """An ICO file: ICONDIR (reserved 0, type 1, count), one 16-byte ICONDIRENTRY per image, then the PNGs."""
    sizes = sorted(pngs)
    offset = 6 + 16 * len(sizes)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    entries, blobs = [], []
    for size in sizes:
        if not 1 <= size <= 256:
            raise ValueError(f"an ICO entry is 1-256 px, not {size}")
        blob = pngs[size]
        # width, height (0 means 256), colours in palette, reserved, colour planes, bits per pixel, size, offset
        entries.append(struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return header + b"".join(entries) + b"".join(blobs)


def icns_bytes(elements: Iterable[tuple[str, bytes]]) -> bytes:
    """An ICNS file: 'icns' + total length (big-endian), then elements of type (4 chars) + length + data."""
    body = b"".join(kind.encode("ascii") + struct.pack(">I", 8 + len(data)) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(svg_path: Path, out: Path) -> list[Path]:
    """Write every generated icon under `out`; returns the files written."""
    svg = svg_path.read_bytes()
    sizes = sorted({*HICOLOR_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(svg, size) for size in sizes}
    written: list[Path] = []

    def write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)

    for size in HICOLOR_SIZES:
        write(out / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png", pngs[size])
    scalable = out / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg_path, scalable)
    written.append(scalable)
    write(out / f"{ICON_NAME}.ico", ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    write(out / f"{ICON_NAME}.icns", icns_bytes((kind, pngs[size]) for kind, size in ICNS_TYPES))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--svg", type=Path, default=ROOT / "resources" / "icons" / "app.svg")
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "icons")
    args = parser.parse_args(argv)
    for path in make_icons(args.svg, args.out):
        print(f"{path.stat().st_size:>8} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
