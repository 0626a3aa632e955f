"""Packaging habits: one version source, the declared licence ships, a short README."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import checker

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_version_has_one_source() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "checker/__init__.py"


def test_cli_metadata_and_package_agree_on_the_version() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "checker", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == f"failback, version {checker.__version__}"
    assert metadata.version("failback-checker") == checker.__version__


def test_licence_file_matches_the_declared_licence() -> None:
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text


def test_readme_is_short_and_keeps_the_two_quick_start_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert PYPROJECT["project"]["readme"] == "README.md"
    assert len(readme.splitlines()) <= 150
    assert len(readme.encode("utf-8")) < 12_000  # the wheel's metadata carries it
    assert "make demo" in readme and "make test" in readme


def test_sdist_leaves_out_local_state() -> None:
    excluded = set(PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["exclude"])
    assert {"/.venv", "/.cache", "/site", "/dist", ".hypothesis", "__pycache__"} <= excluded
