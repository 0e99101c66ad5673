"""Can names in any script be read? The self-test's font check (`gui --self-test`, line "fonts").

AutoSync sets no font of its own: Qt draws each character with the platform's fonts, falling back (through
fontconfig on Linux) to any installed font that has it. So a script renders when some installed font has its
characters, and shows as empty boxes when none has. `check_scripts()` asks exactly that for a sample of each
script - Latin, CJK (Chinese, Japanese, Korean) and emoji - and names the Debian package to install for the
ones that would show as boxes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QFontMetrics, QGuiApplication


@dataclass(frozen=True)
class ScriptSample:
    name: str  # what a person calls the script
    text: str  # characters that must all render
    package: str  # the Debian package that brings a font for them


@dataclass(frozen=True)
class ScriptResult:
    sample: ScriptSample
    family: str | None  # a family that has every character of the sample (None: one or more show as boxes)
    missing: str  # the characters no installed font has

    @property
    def ok(self) -> bool:
        return not self.missing


SAMPLES: tuple[ScriptSample, ...] = (
    ScriptSample("Latin", "AutoSync Äé", "fonts-dejavu-core"),
    ScriptSample("CJK", "同步日本語한국어", "fonts-noto-cjk (or the smaller fonts-wqy-microhei)"),
    ScriptSample("emoji", "\U0001F680\u2705", "fonts-noto-color-emoji"),
)


def _has(family: str, char: str) -> bool:
    font = QFont(family)
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)  # this family's own glyphs, not a fallback's
    return QFontMetrics(font).inFontUcs4(ord(char))


def check_script(sample: ScriptSample, families: list[str] | None = None) -> ScriptResult:
    """Which characters of `sample` no installed font has (needs a QGuiApplication)."""
    families = QFontDatabase.families() if families is None else families
    missing = ""
    found: str | None = None
    for char in dict.fromkeys(sample.text.replace(" ", "")):
        family = next((f for f in ([found] if found else []) + families if _has(f, char)), None)
        if family is None:
            missing += char
        elif found is None:
            found = family
    shown = QFontInfo(QFont(found)).family() if found and not missing else None  # e.g. 'Sans Serif' -> DejaVu Sans
    return ScriptResult(sample, shown, missing)


def check_scripts(samples: tuple[ScriptSample, ...] = SAMPLES) -> list[ScriptResult]:
    default = QGuiApplication.font().family()  # the window's own font first, then every fallback
    families = [default, *(f for f in QFontDatabase.families() if f != default)]
    return [check_script(sample, families) for sample in samples]


def describe(results: list[ScriptResult]) -> tuple[str, str]:
    """The self-test's line: ("ok", what renders) or ("WARN", which scripts show as boxes and what to install);
    "FAIL" when even Latin cannot be drawn."""
    bad = [r for r in results if not r.ok]
    if not bad:
        return "ok", "; ".join(f"{r.sample.name} renders ({r.family})" for r in results)
    text = "; ".join(f"{r.sample.name} shows as empty boxes (no installed font has {r.missing!r}): "
                     f"install {r.sample.package}" for r in bad)
    good = [r.sample.name for r in results if r.ok]
    if good:
        text += f"; {', '.join(good)} render{'s' if len(good) == 1 else ''}"
    latin_bad = any(r.sample.name == "Latin" for r in bad)
    return ("FAIL" if latin_bad else "WARN"), text
