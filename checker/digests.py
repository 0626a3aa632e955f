"""The evidence a report rests on: each file's sha256, so an auditor can tie the report to the
exact plan, snapshots, sources, waivers and baseline that were judged.

I/O at the edge: the CLI calls `with_evidence` after judging. A snapshot read from a file
carries the sha256 of the bytes that were parsed (`load_snapshot`); every other file is hashed
here, right after the evaluation. A source that is a directory (Strimzi manifests) gets the
sha256 of its `sha256sum` listing: one line `<sha256>  ./<relative path>` per regular file,
sorted by path, the same as
`cd DIR && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum`.
A file that cannot be read now is listed without a digest and with the reason, never dropped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError
from .io.read import read_bytes
from .model import EvidenceFile, Report

DIRECTORY_NOTE = "directory: sha256 of the sorted sha256sum listing of its {count} files"


def _files(directory: Path) -> Iterator[Path]:
    """Regular files under `directory` (symbolic links not followed, like `find -type f`)."""
    for root, dirs, names in os.walk(directory, followlinks=False):
        dirs.sort()
        for name in names:
            path = Path(root) / name
            if stat.S_ISREG(os.lstat(path).st_mode):
                yield path


def _directory_digest(directory: Path) -> tuple[str, int]:
    lines = sorted(
        (
            f"./{path.relative_to(directory).as_posix()}",
            hashlib.sha256(read_bytes(path, "evidence file")).hexdigest(),
        )
        for path in _files(directory)
    )
    listing = "".join(f"{digest}  {name}\n" for name, digest in lines)
    return hashlib.sha256(listing.encode("utf-8")).hexdigest(), len(lines)


def digest(role: str, path: str) -> EvidenceFile:
    """The evidence file at `path` with its sha256, or with why it could not be hashed."""
    target = Path(path)
    try:
        if target.is_dir():
            value, count = _directory_digest(target)
            return EvidenceFile(role, path, value, note=DIRECTORY_NOTE.format(count=count))
        return EvidenceFile(role, path, hashlib.sha256(read_bytes(target, role)).hexdigest())
    except InputError as exc:
        return EvidenceFile(role, path, None, problem=exc.one_line())
    except OSError as exc:
        return EvidenceFile(role, path, None, problem=f"cannot read {path}: {exc.strerror}")


def evidence_paths(report: Report) -> tuple[EvidenceFile, ...]:
    """Every file the report rests on, in a fixed order (plan, each region's snapshot and
    source file, waivers, baseline), hashed only where the digest is already known (a
    snapshot read from a file). Pure: reads nothing."""
    found: list[EvidenceFile] = []
    if report.plan_path:
        found.append(EvidenceFile("plan", report.plan_path, None))
    for role, snapshot in (("primary", report.primary), ("secondary", report.secondary)):
        if snapshot.sha256:
            found.append(EvidenceFile(f"{role} snapshot", snapshot.origin, snapshot.sha256))
        source = snapshot.document.get("source")
        source_file = source.get("file") if isinstance(source, dict) else None
        if isinstance(source_file, str) and source_file:
            found.append(EvidenceFile(f"{role} source", source_file, None))
    if report.waivers is not None:
        found.append(EvidenceFile("waivers", report.waivers.file, None))
    if report.baseline is not None:
        found.append(EvidenceFile("baseline", report.baseline.file, None))
    return tuple(found)


def evidence_files(report: Report) -> tuple[EvidenceFile, ...]:
    """`evidence_paths`, each file hashed (now, unless its digest is known)."""
    return tuple(
        item if item.sha256 is not None else digest(item.role, item.path)
        for item in evidence_paths(report)
    )


def with_evidence(report: Report) -> Report:
    return dataclasses.replace(report, evidence=evidence_files(report))
