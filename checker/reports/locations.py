"""Where a finding lives: the file (and line) that declares its resource, best effort.

Plan-level findings (rollback, cost, readiness, WA-003, and family findings without a region)
point into failback.yaml at the family / rollback / cost key; region findings into that
region's snapshot, or the file an exporter read it from (`source.file`, e.g. a Terraform plan;
for Strimzi manifests the exact document and key, strimzi_locations.py); expired waivers into
the waiver file. Lines are found by reading the files,
so this lives with the reporters, not in the pure core.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..io.read import read_text
from ..model import EXPIRED_WAIVER_RULE, SNAPSHOT_AREAS, Finding, Report, Snapshot

if TYPE_CHECKING:
    from .strimzi_locations import StrimziIndex

PLAN_AREAS = frozenset({"rollback", "cost", "readiness"})
PLAN_RULES = frozenset({"WA-003"})
# Where an area's facts sit in a snapshot, when the resource itself is not found.
AREA_KEYS = {
    "write_authority": "acls",
    "acl": "acls",
    "replication": "replication",
    "offsets": "replication",
    "encryption": "encryption",
    "network": "network",
    "audit": "audit",
    "retention": "topics",
    "compatibility": "cluster",
    "consumer_authority": "consumer_groups",
    "evidence": "captured_at",
    "schemas": "schemas",
}
_PATH = re.compile(r"^[a-z_]+(\.[A-Za-z0-9_-]+)+$")
_SPLIT = re.compile(r"\||\s+on\s+|\s+<->\s+|\s+")


@dataclass(frozen=True)
class Location:
    """A file and, when found, the line a finding points at."""

    path: Path
    line: int | None = None

    def display(self, cwd: Path | None = None) -> str:
        return display_path(self.path, cwd)


def display_path(path: Path, cwd: Path | None = None) -> str:
    """Relative to the working directory when inside it (what CI annotations expect)."""
    base = (cwd or Path.cwd()).resolve()
    try:
        return Path(os.path.abspath(path)).relative_to(base).as_posix()
    except ValueError:
        return Path(os.path.abspath(path)).as_posix()


# The characters str.splitlines() breaks lines at: a needle holding one spans lines.
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


class _Text:
    def __init__(self, path: Path) -> None:
        self.path = path

    @cached_property
    def lines(self) -> list[str]:
        return _read_lines(self.path)

    @cached_property
    def _joined(self) -> tuple[str, list[int]]:
        """The lines joined by "\n" and the offset where each line starts in it."""
        starts: list[int] = []
        offset = 0
        for line in self.lines:
            starts.append(offset)
            offset += len(line) + 1
        return "\n".join(self.lines), starts

    def find(self, needle: str, start: int = 0) -> int | None:
        """0-based index of the first line at or after `start` containing needle (one search
        of the whole text: a snapshot has thousands of lines and a report asks many times)."""
        if start >= len(self.lines):
            return None
        if not needle or any(c in _LINE_BREAKS for c in needle):
            return next((i for i in range(start, len(self.lines)) if needle in self.lines[i]), None)
        text, starts = self._joined
        found = text.find(needle, starts[start])
        return None if found < 0 else bisect_right(starts, found) - 1

    def key_path(self, keys: list[str], quoted: bool) -> int | None:
        """Line of the last key, searching each key after the previous one's line."""
        index: int | None = 0
        for key in keys:
            needle = f'"{key}"' if quoted else f"{key}:"
            index = self.find(needle, index or 0)
            if index is None:
                return None
        return index

    def token(self, tokens: list[str], quoted: bool) -> int | None:
        for token in tokens:
            index = self.find(f'"{token}"' if quoted else token)
            if index is not None:
                return index
        return None


def _read(path: Path) -> str | None:
    """The file's text through the checker's safe reader (regular files only, bounded), or
    None: locating is best effort, a file it cannot read safely just has no line."""
    try:
        return read_text(path, "file")
    except InputError:
        return None


def _read_lines(path: Path) -> list[str]:
    text = _read(path)
    return [] if text is None else text.splitlines()


def _tokens(resource: str) -> list[str]:
    """Candidate spellings of the resource in a file, most specific first."""

    def useful(parts: list[str]) -> list[str]:
        kept = [p for p in parts if len(p) >= 4 and not p.isupper()]
        return sorted(dict.fromkeys(kept), key=len, reverse=True)

    whole = useful(_SPLIT.split(resource))
    pieces = useful([q for p in whole for q in p.split("/")])
    return list(dict.fromkeys([resource, *whole, *pieces]))


class Locator:
    """Finds locations for a report's findings, reading each file at most once."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self._texts: dict[Path, _Text] = {}
        self._plan_nodes: dict[str, Any] | None = None
        self._indexes: dict[int, StrimziIndex | None] = {}

    def _text(self, path: Path) -> _Text:
        if path not in self._texts:
            self._texts[path] = _Text(path)
        return self._texts[path]

    # --- files ----------------------------------------------------------------------------

    @property
    def plan_path(self) -> Path | None:
        return Path(self.report.plan_path) if self.report.plan_path else None

    def snapshot_file(self, snapshot: Snapshot) -> Path | None:
        """The snapshot's own file, or the exporter's source.file when it recorded one."""
        source = snapshot.document.get("source", {})
        origin = Path(snapshot.origin) if snapshot.origin else None
        recorded = source.get("file") if isinstance(source, dict) else None
        if recorded:
            # Strimzi records every manifest it read, comma-separated: the first that exists
            names = [Path(n) for n in str(recorded).split(", ") if n]
            bases = [
                None,
                origin.parent if origin and origin.is_file() else None,
                self.plan_path.parent if self.plan_path else None,
            ]
            for name in names:
                for base in bases:
                    if name.is_absolute() and base is not None:
                        continue
                    candidate = name if base is None else base / name
                    if candidate.is_file():
                        return candidate
            return names[0] if names else None
        if origin is not None and origin.is_file():
            return origin
        return None

    # --- plan -----------------------------------------------------------------------------

    def _plan_index(self) -> dict[str, Any]:
        """Lines of the plan's top-level keys and families (with their phase evidence)."""
        if self._plan_nodes is not None:
            return self._plan_nodes
        index: dict[str, Any] = {"keys": {}, "families": {}}
        self._plan_nodes = index
        path = self.plan_path
        if path is None:
            return index
        import yaml

        text = _read(path)
        if text is None:
            return index
        try:
            root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            return index
        if not isinstance(root, yaml.MappingNode):
            return index
        for key, value in root.value:
            name = getattr(key, "value", None)
            if not isinstance(name, str):
                continue
            children = {}
            if isinstance(value, yaml.MappingNode):
                children = {getattr(k, "value", ""): k.start_mark.line + 1 for k, _ in value.value}
            index["keys"][name] = (key.start_mark.line + 1, children)
            if name == "topic_families" and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    if isinstance(item, yaml.MappingNode):
                        index["families"].update(_family_lines(item))
        return index

    def plan_location(self, finding: Finding, phase: str | None) -> Location | None:
        path = self.plan_path
        if path is None:
            return None
        index = self._plan_index()
        if finding.family and finding.family in index["families"]:
            line, phases = index["families"][finding.family]
            if finding.area == "readiness" and phase in phases:
                line = phases[phase]
            return Location(path, line)
        top = finding.resource.split(".", 1)[0] if finding.resource else ""
        for key in (top, finding.area):
            if key in index["keys"]:
                line, children = index["keys"][key]
                sub = finding.resource.split(".", 1)[1] if "." in finding.resource else ""
                return Location(path, children.get(sub, line))
        return Location(path, 1 if path.is_file() else None)

    # --- snapshots ------------------------------------------------------------------------

    def _strimzi(self, snapshot: Snapshot) -> StrimziIndex | None:
        """The Strimzi manifests a snapshot was exported from (its source.file: a file or the
        directory holding them), indexed once per snapshot."""
        document = snapshot.document
        source = document.get("source", {})
        if not isinstance(source, dict) or source.get("type") != "strimzi":
            return None
        key = id(snapshot)
        if key not in self._indexes:
            recorded = str(source.get("file") or "")
            origin = Path(snapshot.origin) if snapshot.origin else None
            bases = [
                None,
                origin.parent if origin and origin.is_file() else None,
                self.plan_path.parent if self.plan_path else None,
            ]
            root = next(
                (
                    candidate
                    for base in bases
                    if recorded
                    and (base is None or not Path(recorded).is_absolute())
                    and (candidate := Path(recorded) if base is None else base / recorded).exists()
                ),
                None,
            )
            name = str(document.get("cluster", {}).get("name", ""))
            from .strimzi_locations import StrimziIndex  # only for a Strimzi snapshot

            self._indexes[key] = None if root is None else StrimziIndex(root, name)
        return self._indexes[key]

    def snapshot_location(self, snapshot: Snapshot, finding: Finding) -> Location | None:
        index = self._strimzi(snapshot)
        if index is not None:
            found = index.locate(finding)
            if found is not None:
                return Location(found[0], found[1])
        path = self.snapshot_file(snapshot)
        if path is None:
            return None
        text = self._text(path)
        quoted = path.suffix.lower() == ".json"
        resource = finding.resource
        line: int | None = None
        if _PATH.match(resource) and resource.split(".", 1)[0] in (*SNAPSHOT_AREAS, "captured_at"):
            line = text.key_path(resource.split("."), quoted)
        elif resource in (*SNAPSHOT_AREAS, "captured_at"):
            line = text.key_path([resource], quoted)
        if line is None and resource:
            line = text.token(_tokens(resource), quoted)
        if line is None and finding.area in AREA_KEYS:
            line = text.key_path([AREA_KEYS[finding.area]], quoted)
        if line is None and finding.rule_id == "EVD-001":
            line = text.key_path(["gaps"], quoted)
        return Location(path, None if line is None else line + 1)

    # --- waivers --------------------------------------------------------------------------

    def waiver_location(self, finding: Finding) -> Location | None:
        """The entry of the expired waiver a WVR-001 finding names (its waiver_index)."""
        use = self.report.waivers
        if use is None:
            return None
        index = finding.waiver_index
        if index is not None and 0 <= index < len(use.waivers):
            return Location(Path(use.file), use.waivers[index].line)
        return Location(Path(use.file), None)

    # --- the one entry point --------------------------------------------------------------

    def is_plan_level(self, finding: Finding) -> bool:
        return (
            finding.area in PLAN_AREAS
            or finding.rule_id in PLAN_RULES
            or (finding.family is not None and finding.region is None)
        )

    def locate(self, finding: Finding, phase: str | None = None) -> tuple[Location, ...]:
        if finding.rule_id == EXPIRED_WAIVER_RULE:
            found = self.waiver_location(finding)
            return (found,) if found else ()
        if self.is_plan_level(finding):
            found = self.plan_location(finding, phase)
            return (found,) if found else ()
        sides = {"primary": self.report.primary, "secondary": self.report.secondary}
        chosen = [sides[finding.region]] if finding.region in sides else list(sides.values())
        return tuple(loc for snap in chosen if (loc := self.snapshot_location(snap, finding)))


def _family_lines(item: Any) -> dict[str, tuple[int, dict[str, int]]]:
    """{family name: (line of its entry, {phase: line of its evidence entry})}."""
    import yaml

    name = None
    phases: dict[str, int] = {}
    for key, value in item.value:
        label = getattr(key, "value", None)
        if label == "name":
            name = getattr(value, "value", None)
        elif label == "evidence" and isinstance(value, yaml.MappingNode):
            phases = {getattr(k, "value", ""): k.start_mark.line + 1 for k, _ in value.value}
    if not isinstance(name, str):
        return {}
    return {name: (item.start_mark.line + 1, phases)}
