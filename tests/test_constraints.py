"""Reproducible installs: scripts/constraints.txt pins every requirement of pyproject.toml, and the shared setup
script (scripts/_setup.sh, used by scripts/run, scripts/test and scripts/build) installs with it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "scripts" / "constraints.txt"
SETUP = ROOT / "scripts" / "_setup.sh"


def _pins() -> dict[str, Version]:
    """name -> pinned version of every `name==version` line (comments and blank lines skipped)."""
    pins: dict[str, Version] = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([A-Za-z0-9.+!-]+)", line)
        assert match, f"not an exact pin in scripts/constraints.txt: {line!r}"
        pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def _project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    texts = list(project["dependencies"])
    for extra in ("test", "build"):
        texts += project["optional-dependencies"][extra]
    return [Requirement(text) for text in texts]


def test_every_requirement_of_pyproject_is_pinned_to_a_version_it_allows() -> None:
    pins = _pins()
    requirements = _project_requirements()
    assert len(requirements) >= 10
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not pinned: run scripts/lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{requirement} does not allow the pinned {name}=={pins[name]}: run scripts/lock")


def test_pip_itself_and_the_gui_binding_are_pinned() -> None:
    pins = _pins()
    assert "pip" in pins and "setuptools" in pins
    assert pins["pyside6-essentials"] == pins["shiboken6"]


def test_setup_installs_with_the_constraints_and_reinstalls_when_they_change() -> None:
    setup = SETUP.read_text(encoding="utf-8")
    assert 'constraints="$ROOT/scripts/constraints.txt"' in setup
    install_lines = [line for line in setup.splitlines() if "pip install" in line]
    assert install_lines, "no pip install in scripts/_setup.sh"
    for line in install_lines:
        assert '-c "$constraints"' in line, f"installs without the constraints: {line.strip()}"
        assert "--upgrade" not in line and " -U " not in line, f"resolves afresh: {line.strip()}"
    # The stamp that skips the install is a hash over pyproject.toml and the constraints file.
    assert re.search(r'cat "\$ROOT/pyproject.toml" "\$constraints" \| sha256sum', setup)
