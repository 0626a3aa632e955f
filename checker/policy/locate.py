"""Finding the Rego policies: the built-in library (shipped in the wheel) plus the user's dirs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..io.read import read_text

ENTRYPOINT = "data.failback.main.decision"
CATALOG = "data.failback.catalog.rules"


@dataclass(frozen=True)
class PolicyFile:
    """One Rego file to load: its shown name, its text and whether it is built in."""

    name: str  # path shown in error messages
    text: str
    builtin: bool = False  # the shipped library (trusted); False: a --policy-dir file


def builtin_dir() -> Path:
    shipped = Path(__file__).resolve().parents[1] / "_policies"  # the wheel: checker/_policies
    if shipped.is_dir():
        return shipped
    repo = Path(__file__).resolve().parents[2] / "policies"
    if repo.is_dir():
        return repo
    raise InputError("the built-in policy library is missing from this installation")


def _rego_files(directory: Path, include_tests: bool) -> list[Path]:
    files = sorted(p for p in directory.rglob("*.rego") if p.is_file())
    if include_tests:
        return files
    return [p for p in files if not p.name.endswith("_test.rego")]


def load_policies(extra_dirs: Sequence[Path] = (), include_tests: bool = False) -> list[PolicyFile]:
    """The built-in policies, then every .rego file under each extra directory."""
    builtin = builtin_dir()
    found = [
        PolicyFile(f"policies/{p.relative_to(builtin)}", read_text(p, "policy"), builtin=True)
        for p in _rego_files(builtin, include_tests)
    ]
    for directory in extra_dirs:
        if not directory.is_dir():
            raise InputError(f"policy directory not found: {directory}")
        found.extend(
            PolicyFile(str(p), read_text(p, "policy"))
            for p in _rego_files(directory, include_tests)
        )
    return found


def names(files: Iterable[PolicyFile]) -> list[str]:
    return [f.name for f in files]
