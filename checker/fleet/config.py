"""fleet.yaml: load, validate against fleet.v1.json, resolve the plans it names.

Plan paths and globs are relative to the fleet file and, unless allowed, confined to its
repository (the git work tree holding it, else its directory), like the paths a plan names.
A pair's identity is its plan's path relative to the fleet file's directory (POSIX form): the
same on every machine and shard, and the key reports sort by.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import schemas
from ..errors import InputError
from ..io.read import load_document
from ..plan import repository_of

DEFAULT_CONCURRENCY = 4
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class AccountSettings:
    """How to reach the aws sources of one account and/or region."""

    index: int  # position in the fleet file's accounts list
    account: str | None = None
    region: str | None = None
    profile: str | None = None
    role_arn: str | None = None
    concurrency: int | None = None

    def matches(self, account: str | None, region: str) -> bool:
        return (self.account is None or self.account == account) and (
            self.region is None or self.region == region
        )

    @property
    def specificity(self) -> int:
        return (2 if self.account is not None else 0) + (1 if self.region is not None else 0)


@dataclass(frozen=True)
class PairSpec:
    """One cluster pair of the fleet: a plan file."""

    identity: str  # the plan's path relative to the fleet file's directory, POSIX form
    path: Path


@dataclass(frozen=True)
class Fleet:
    path: Path
    name: str
    pairs: tuple[PairSpec, ...]  # sorted by identity, no duplicates
    concurrency: int
    accounts: tuple[AccountSettings, ...]

    def settings_for(self, account: str | None, region: str) -> AccountSettings | None:
        """The most specific accounts entry for (account, region); the first of equals."""
        found = [s for s in self.accounts if s.matches(account, region)]
        if not found:
            return None
        return max(found, key=lambda s: (s.specificity, -s.index))


def _has_glob(text: str) -> bool:
    return bool(_GLOB_CHARS & set(text))


def _identity(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def _confined(path: Path, root: Path, where: str, entry: str) -> None:
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        raise InputError(
            f"{where} {entry!r} names {path}, outside the fleet file's repository {root}",
            hint="give --allow-outside-repo to read it anyway",
        )


def _expand(entry: str, base: Path, where: str) -> list[Path]:
    joined = os.path.normpath(os.path.join(base, entry))
    if not _has_glob(entry):
        path = Path(joined)
        if not path.is_file():
            raise InputError(f"{where}: plan {entry!r} not found ({path})")
        return [path]
    matches = sorted(Path(p) for p in glob.glob(joined, recursive=True) if os.path.isfile(p))
    if not matches:
        raise InputError(f"{where}: glob {entry!r} matches no plan file")
    return matches


def resolve_plans(
    entries: Sequence[str], base: Path, origin: str, allow_outside_repo: bool, own: Path
) -> tuple[PairSpec, ...]:
    """Every plan the entries name, once each (by resolved path; never the fleet file `own`
    itself), sorted by identity."""
    root = repository_of(base)
    seen: dict[Path, PairSpec] = {own.resolve(): PairSpec("", own)}
    for index, entry in enumerate(entries):
        where = f"fleet {origin}: plans[{index}]"
        for path in _expand(entry, base, where):
            if not allow_outside_repo:
                _confined(path, root, where, entry)
            key = path.resolve()
            if key not in seen:
                seen[key] = PairSpec(identity=_identity(path, base), path=path)
    del seen[own.resolve()]
    return tuple(sorted(seen.values(), key=lambda p: p.identity))


def parse_fleet(
    document: Any, origin: str, path: Path, *, allow_outside_repo: bool = False
) -> Fleet:
    schemas.validate(document, origin, "fleet")
    base = path.parent
    accounts = tuple(
        AccountSettings(
            index=index,
            account=raw.get("account"),
            region=raw.get("region"),
            profile=raw.get("profile"),
            role_arn=raw.get("role_arn"),
            concurrency=raw.get("concurrency"),
        )
        for index, raw in enumerate(document.get("accounts", []))
    )
    _unique_accounts(accounts, origin)
    return Fleet(
        path=path,
        name=str(document.get("name", path.stem)),
        pairs=resolve_plans(document["plans"], base, origin, allow_outside_repo, path),
        concurrency=int(document.get("concurrency", DEFAULT_CONCURRENCY)),
        accounts=accounts,
    )


def _unique_accounts(accounts: Sequence[AccountSettings], origin: str) -> None:
    seen: dict[tuple[str | None, str | None], int] = {}
    for entry in accounts:
        key = (entry.account, entry.region)
        if key in seen:
            raise InputError(
                f"fleet {origin}: accounts[{entry.index}] repeats accounts[{seen[key]}] "
                f"(account {entry.account or '*'}, region {entry.region or '*'})"
            )
        seen[key] = entry.index


def load_fleet(path: Path, *, allow_outside_repo: bool = False) -> Fleet:
    document = load_document(path, "fleet file")
    return parse_fleet(document, str(path), path, allow_outside_repo=allow_outside_repo)


def account_of(source: Mapping[str, Any]) -> str | None:
    """The AWS account an aws source reads (from its cluster ARN), else None."""
    arn = source.get("cluster_arn")
    if source.get("type") != "aws" or not isinstance(arn, str):
        return None
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None
