"""The package layout holds: exporters never load the command line or the reporters, and a source
package imports only itself, checker/exporters/_shared and checker's core, never another source."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.exporters import EXPORTERS

from .conftest import ROOT

EXPORTERS_DIR = ROOT / "checker" / "exporters"
SOURCES = frozenset(EXPORTERS)
# The package of each source (a source type such as confluent-registry is no Python name)
PACKAGES = frozenset(e.module.removeprefix("checker.exporters.") for e in EXPORTERS.values())
FORBIDDEN = ("click", "checker.cli", "checker.reports")


@pytest.mark.parametrize(
    "package",
    ["checker.exporters", "checker.exporters._shared"]
    + [EXPORTERS[name].module for name in sorted(EXPORTERS)],
)
def test_importing_an_exporter_loads_no_cli_and_no_reporter(package: str) -> None:
    script = (
        "import importlib, sys\n"
        f"importlib.import_module({package!r})\n"
        f"loaded = sorted(m for m in sys.modules if m in {FORBIDDEN!r} "
        f"or m.startswith(tuple(p + '.' for p in {FORBIDDEN!r})))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every module a file imports (at any depth: function-level imports too), resolved to an
    absolute name; for `from X import y` both X and X.y (y may be a submodule)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _source_of(module: str) -> str | None:
    """aws for checker.exporters.aws.client, _shared for checker.exporters._shared.x."""
    parts = module.split(".")
    if parts[:2] == ["checker", "exporters"] and len(parts) > 2:
        return parts[2]
    return None


def _files() -> list[Path]:
    return sorted(EXPORTERS_DIR.rglob("*.py"))


def test_every_source_is_a_package_with_its_registry_line() -> None:
    packages = {p.parent.name for p in EXPORTERS_DIR.glob("*/__init__.py")}
    assert packages == PACKAGES | {"_shared"}
    assert len(PACKAGES) == len(SOURCES)  # one package per source
    assert all(
        e.module == f"checker.exporters.{e.module.split('.')[-1]}" for e in EXPORTERS.values()
    )
    assert [p.name for p in EXPORTERS_DIR.glob("*.py")] == ["__init__.py"]  # the registry only


def test_no_source_imports_another_source() -> None:
    crossings = []
    for path in _files():
        own = _source_of(_module_name(path))
        for line, target in _imports(path):
            other = _source_of(target)
            if other in PACKAGES and other != own and own is not None:
                crossings.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert crossings == []


def test_exporters_never_import_the_cli_or_reporters() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in _files()
        for line, target in _imports(path)
        if any(target == f or target.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert found == []


def test_the_import_walk_sees_relative_and_function_level_imports() -> None:
    """The checks above would pass vacuously if the walk missed imports: it does not."""
    imports = {t for _, t in _imports(EXPORTERS_DIR / "aws" / "__init__.py")}
    assert "checker.exporters.aws.client" in imports  # `from . import client` inside export()
    assert "checker.exporters._shared.snapshot" in imports
    assert "checker.schemas" in imports  # `from ... import schemas`
    assert _source_of("checker.exporters.terraform.plan") == "terraform"


def test_the_export_command_has_one_command_per_registered_source() -> None:
    from checker.cli.export import COMMANDS

    assert set(COMMANDS) == SOURCES
