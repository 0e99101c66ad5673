"""The self-test's font check (gui/fonts.py): a script renders when an installed font has its characters, and a
script that would show as empty boxes is a warning naming the Debian package to install."""

from __future__ import annotations

from autosync_desktop.gui import fonts

NOWHERE = "\U0010fffd"  # plane-16 private use: no font has it


def test_a_sample_that_renders_is_ok() -> None:
    latin = fonts.ScriptSample("Latin", "AutoSync", "fonts-dejavu-core")
    result = fonts.check_script(latin)
    assert result.ok and result.missing == "" and result.family
    status, text = fonts.describe([result])
    assert status == "ok"
    assert text.startswith("Latin renders (")


def test_a_script_no_installed_font_has_is_a_warning_naming_the_package() -> None:
    latin = fonts.check_script(fonts.ScriptSample("Latin", "AutoSync", "fonts-dejavu-core"))
    result = fonts.check_script(fonts.ScriptSample("Private use", f"A{NOWHERE}", "fonts-example-private"))
    assert not result.ok
    assert result.missing == NOWHERE  # the "A" renders, only the unknown code point is missing
    status, text = fonts.describe([latin, result])
    assert status == "WARN"
    assert "Private use shows as empty boxes" in text
    assert "install fonts-example-private" in text
    assert text.endswith("; Latin renders")


def test_no_font_even_for_latin_fails() -> None:
    result = fonts.check_script(fonts.ScriptSample("Latin", "AutoSync", "fonts-dejavu-core"), families=[])
    assert result.missing == "AutoSync"
    status, text = fonts.describe([result])
    assert status == "FAIL"
    assert "install fonts-dejavu-core" in text


def test_the_self_test_samples_cover_latin_cjk_and_emoji() -> None:
    assert [sample.name for sample in fonts.SAMPLES] == ["Latin", "CJK", "emoji"]
    packages = " ".join(sample.package for sample in fonts.SAMPLES)
    assert "fonts-noto-cjk" in packages and "fonts-noto-color-emoji" in packages
    results = fonts.check_scripts()
    assert results[0].ok  # this machine has fonts-dejavu-core (scripts/test installs it)
