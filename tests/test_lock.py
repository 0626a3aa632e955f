"""The lock files (requirements/*.txt, written by scripts/lock.sh) cover pyproject.toml: every
dependency is pinned to one exact version that satisfies pyproject's range, with sha256 hashes,
and the runtime lock is the dev lock's runtime part, version for version (issue #17)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT

REQUIREMENTS = ROOT / "requirements"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
PROJECT = canonicalize_name(PYPROJECT["project"]["name"])


@dataclass(frozen=True)
class Pin:
    version: str
    marker: str
    hashes: tuple[str, ...]


def parse_lock(path: Path) -> dict[str, list[Pin]]:
    """`name==version [; marker] \\` lines, each followed by its `--hash=sha256:...` lines. A
    universal lock may pin a package twice, under exclusive markers (one per Python range)."""
    text = path.read_text("utf-8")
    pins: dict[str, list[Pin]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2]):
        logical = re.sub(r"\\\n\s*", " ", entry.split("\n    #", 1)[0]).strip()
        head, *options = (part.strip() for part in logical.split(" --"))
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.+))?", head.strip())
        assert match, f"{path.name}: not an exact pin: {head!r}"
        hashes = tuple(o.removeprefix("hash=") for o in options if o.startswith("hash="))
        assert len(hashes) == len(options), f"{path.name}: {head}: options other than --hash"
        pin = Pin(match[2], match[3] or "", hashes)
        same = pins.setdefault(canonicalize_name(match[1]), [])
        assert not same or (pin.marker and all(p.marker for p in same)), (
            f"{path.name}: {match[1]} pinned twice without markers"
        )
        same.append(pin)
    return pins


DEV = parse_lock(REQUIREMENTS / "dev.txt")
RUNTIME = parse_lock(REQUIREMENTS / "runtime.txt")
LOCKS = {"dev": DEV, "runtime": RUNTIME}


def _build_inputs() -> list[str]:
    lines = (REQUIREMENTS / "build.in").read_text("utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _expand(requirements: Iterable[str]) -> list[Requirement]:
    """Requirements with this project's own extras (`failback-checker[kafka]`) expanded."""
    extras: Mapping[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]
    out: list[Requirement] = []
    for text in requirements:
        req = Requirement(text)
        if canonicalize_name(req.name) == PROJECT:
            out.extend(_expand(x for extra in sorted(req.extras) for x in extras[extra]))
        else:
            out.append(req)
    return out


RUNTIME_REQUIRES = _expand([*PYPROJECT["project"]["dependencies"], *_build_inputs()])
DEV_REQUIRES = [
    *RUNTIME_REQUIRES,
    *_expand(PYPROJECT["project"]["optional-dependencies"]["dev"]),
]


def test_every_entry_is_an_exact_pin_with_sha256_hashes() -> None:
    for name, lock in LOCKS.items():
        assert lock, name
        for package, pins in lock.items():
            for pin in pins:
                assert pin.hashes, f"{name}: {package} has no hash"
                assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in pin.hashes), package


@pytest.mark.parametrize(
    ("lock", "requires"), [("runtime", RUNTIME_REQUIRES), ("dev", DEV_REQUIRES)]
)
def test_the_lock_satisfies_pyproject(lock: str, requires: list[Requirement]) -> None:
    pins = LOCKS[lock]
    for req in requires:
        name = canonicalize_name(req.name)
        assert name in pins, f"requirements/{lock}.txt lacks {req}: run scripts/lock.sh"
        for pin in pins[name]:
            assert req.specifier.contains(pin.version, prereleases=True), (
                f"requirements/{lock}.txt pins {name}=={pin.version}, pyproject.toml wants "
                f"{req}: run scripts/lock.sh"
            )


def test_the_build_backend_is_locked() -> None:
    """bootstrap.sh installs the checkout with --no-build-isolation: hatchling must be there."""
    for backend in PYPROJECT["build-system"]["requires"]:
        req = Requirement(backend)
        for lock in LOCKS.values():
            for pin in lock[canonicalize_name(req.name)]:
                assert req.specifier.contains(pin.version)


def test_the_runtime_lock_is_the_dev_lock_runtime_part() -> None:
    assert set(RUNTIME) <= set(DEV)
    for name, pins in RUNTIME.items():
        assert {(p.version, p.hashes) for p in pins} <= {(p.version, p.hashes) for p in DEV[name]}
    test_tools = {"pytest", "mypy", "moto", "ruff", "uv", "confluent-kafka", "boto3-stubs"}
    assert not test_tools & set(RUNTIME), "the runtime lock must not carry the test toolchain"


def test_the_locks_name_their_generator_and_bootstrap_uses_them_with_hashes() -> None:
    for name in LOCKS:
        header = (REQUIREMENTS / f"{name}.txt").read_text("utf-8").splitlines()[:2]
        assert header[1].strip() == "#    scripts/lock.sh", header
    bootstrap = (ROOT / "scripts" / "bootstrap.sh").read_text("utf-8")
    assert '--require-hashes -r "$lock"' in bootstrap
    assert "lock=requirements/$level.txt" in bootstrap
    demo = (ROOT / "scripts" / "demo.sh").read_text("utf-8")
    assert "scripts/bootstrap.sh runtime" in demo
    assert "scripts/bootstrap.sh\n" in (ROOT / "scripts" / "test.sh").read_text("utf-8")
