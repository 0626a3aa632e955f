"""`failback validate`: what kind of file this is, and every problem in it, with its place.

A file is one of KINDS: detected from its content (or given with --kind), then checked the way
the command that reads it would: the schema (every violation, each with line:column and a
suggestion for a misspelt key), then what loading it checks beyond the schema. A plan is also
held against the regions' snapshots when they can be had without a network (snapshot files,
Terraform and Strimzi sources): a producer that matches no principal in either region is a
warning (Strimzi TLS users are `User:CN=<name>`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from . import schemas
from .errors import InputError
from .io.positions import Position, Positions

KINDS = ("plan", "snapshot", "waivers", "baseline", "terraform-plan", "terraform-state", "strimzi")
NAMES = {
    "plan": "plan",
    "snapshot": "snapshot",
    "waivers": "waiver file",
    "baseline": "baseline",
    "terraform-plan": "Terraform plan (terraform show -json)",
    "terraform-state": "Terraform state (terraform show -json)",
    "strimzi": "Strimzi manifest",
}


@dataclass(frozen=True)
class Message:
    severity: Literal["error", "warning"]
    text: str
    position: Position | None = None
    cause: BaseException | None = field(default=None, compare=False)

    def located(self, path: Path | str) -> str:
        where = f"{path}:{self.position.line}:{self.position.column}" if self.position else path
        return f"{where}: {self.text}"


@dataclass
class Result:
    path: Path
    kind: str | None = None
    detail: str = ""  # what was found, for the "valid" line
    messages: list[Message] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(m.severity == "error" for m in self.messages)

    def error(self, text: str, position: Position | None = None, cause: Any = None) -> None:
        self.messages.append(Message("error", text, position, cause))

    def warning(self, text: str, position: Position | None = None) -> None:
        self.messages.append(Message("warning", text, position))


def detect(documents: Sequence[Any], path: Path) -> str | None:
    """The kind of a parsed file, from what it holds (None: cannot tell)."""
    mappings = [d for d in documents if isinstance(d, Mapping)]
    if any(_is_manifest(d) for d in mappings) and (len(documents) > 1 or mappings):
        return "strimzi"
    if len(documents) != 1 or not mappings:
        return None
    document = mappings[0]
    if "format_version" in document or "terraform_version" in document:
        return "terraform-plan" if _is_plan(document) else "terraform-state"
    if document.get("tool") == "failback-checker" and "decisions" in document:
        return "baseline"
    if "waivers" in document and "regions" not in document:
        return "waivers"
    if "regions" in document or any(str(k).startswith("topic_fam") for k in document):
        return "plan"
    if "region" in document and ("captured_at" in document or "cluster" in document):
        return "snapshot"
    return None


def _is_plan(document: Mapping[str, Any]) -> bool:
    return "planned_values" in document or "resource_changes" in document


def _is_manifest(document: Mapping[str, Any]) -> bool:
    """A Kubernetes resource (Strimzi's or another kind a manifest directory holds too)."""
    return isinstance(document.get("apiVersion"), str) and isinstance(document.get("kind"), str)


def _by_suffix(path: Path) -> str:
    return "snapshot" if path.suffix.lower() == ".json" else "plan"


def _parse(text: str, path: Path) -> list[Any]:
    from .io.read import parse_json, parse_yaml_all

    if path.suffix.lower() == ".json" or text.lstrip()[:1] in ("{", "["):
        return [parse_json(text, str(path), "file")]
    return parse_yaml_all(text, str(path), "file")


def validate_file(
    path: Path,
    kind: str | None = None,
    *,
    allow_outside_repo: bool = False,
    snapshots: Mapping[str, Path] | None = None,
    now: datetime | None = None,
) -> Result:
    """Every problem of the file at `path`, taken as `kind` (None: detected)."""
    from .io.read import read_text

    result = Result(path)
    try:
        text = read_text(path, "file")
        documents = _parse(text, path)
    except InputError as exc:
        result.error(exc.one_line(), cause=exc)
        return result
    detected = detect(documents, path)
    result.kind = kind or detected or _by_suffix(path)
    if kind is None and detected is None:
        result.detail = " (taken by its file name; give --kind to say otherwise)"
    positions = Positions(text)
    check = _CHECKS[result.kind]
    try:
        check(result, documents, text, positions, allow_outside_repo, snapshots or {}, now)
    except InputError as exc:
        result.error(exc.one_line(), cause=exc)
    return result


def _one(result: Result, documents: Sequence[Any]) -> Any:
    if len(documents) != 1:
        raise InputError(
            f"{NAMES[result.kind or 'plan']} {result.path} holds {len(documents)} YAML documents"
            " (--- separators); expected one"
        )
    return documents[0]


def _schema_problems(result: Result, document: Any, kind: str, positions: Positions) -> bool:
    """Report every violation of `kind`'s schema; True when there was none."""
    schemas.check_version(document, str(result.path), kind)
    found = schemas.problems(document, kind)
    for problem in found:
        where = "/".join(str(p) for p in problem.path)
        position = positions.of(problem.path, problem.key)
        text = problem.message if position else f"at {where or '(top level)'}: {problem.message}"
        result.error(f"{kind}: {text}", position)
    return not found


def _plan(
    result: Result,
    documents: Sequence[Any],
    _text: str,
    positions: Positions,
    allow_outside_repo: bool,
    snapshots: Mapping[str, Path],
    now: datetime | None,
) -> None:
    from .io.read import dates_to_text
    from .plan import confine, parse_plan

    document = dates_to_text(_one(result, documents))
    if not _schema_problems(result, document, "plan", positions):
        return
    plan = parse_plan(document, str(result.path), result.path.resolve())
    if not allow_outside_repo:
        confine(plan)
    result.detail = (
        f" ({len(plan.families)} topic {'family' if len(plan.families) == 1 else 'families'})"
        + result.detail
    )
    _producers(result, plan, positions, snapshots, now)


def _producers(
    result: Result,
    plan: Any,
    positions: Positions,
    snapshots: Mapping[str, Path],
    now: datetime | None,
) -> None:
    """Warn about each producer that matches no principal in either region's snapshot."""
    from .identity import Canon

    canon = Canon(plan.equivalences())
    known: list[str] = []
    for region in (plan.primary, plan.secondary):
        document = _offline_snapshot(result, plan, region, snapshots.get(region.role), now)
        if document is None:
            return  # without both regions a producer may live in the missing one
        known.extend(canon.text(p) for p in _principals(document))
    exact = set(known)
    wildcards = {p[: -len("*")] for p in known if p.endswith(":*")}
    for index, family in enumerate(plan.families):
        for number, producer in enumerate(family.producers):
            name = canon.text(producer)
            if name in exact or any(name.startswith(w) for w in wildcards):
                continue
            hint = " (Strimzi TLS users are User:CN=<name>)" if name.startswith("User:") else ""
            result.warning(
                f"producer {name} of family {family.name} matches no principal in either "
                f"region's snapshot (ACLs, IAM grants, super users, SCRAM users){hint}",
                positions.of(("topic_families", index, "producers", number)),
            )


def _offline_snapshot(
    result: Result, plan: Any, region: Any, given: Path | None, now: datetime | None
) -> Mapping[str, Any] | None:
    """The region's snapshot document when it can be had without a network, else None."""
    from .sources import region_snapshot

    sources = region.source if isinstance(region.source, list) else [region.source]
    offline = region.source is not None and all(
        isinstance(s, Mapping) and s.get("type") in ("terraform", "strimzi") for s in sources
    )
    if given is None and region.snapshot is None and not offline:
        return None  # a live source (aws, kafka): validate reaches no network
    try:
        snapshot = region_snapshot(plan, region, given, None, now)
    except InputError as exc:
        result.warning(f"producers not checked against the {region.role} region: {exc.one_line()}")
        return None
    return snapshot.document


def _principals(document: Mapping[str, Any]) -> Iterable[str]:
    for acl in document.get("acls", []) or []:
        yield str(acl.get("principal", ""))
    for grant in document.get("iam_grants", []) or []:
        yield str(grant.get("principal", ""))
    config = document.get("broker_config") or {}
    if isinstance(config, Mapping):
        for user in str(config.get("super.users") or "").split(";"):
            if user.strip():
                yield user.strip()
    authentication = document.get("authentication") or {}
    if isinstance(authentication, Mapping):
        for user in authentication.get("scram_users", []) or []:
            yield f"User:{user}"


def _snapshot(
    result: Result,
    documents: Sequence[Any],
    _text: str,
    positions: Positions,
    *_: Any,
) -> None:
    from .snapshot import parse_snapshot

    document = _one(result, documents)
    if _schema_problems(result, document, "snapshot", positions):
        snapshot = parse_snapshot(document, str(result.path))
        result.detail = f" (region {snapshot.region}, captured {snapshot.captured_at})"


def _waivers(
    result: Result,
    documents: Sequence[Any],
    _text: str,
    positions: Positions,
    _allow: bool,
    _snapshots: Any,
    now: datetime | None,
) -> None:
    from .io.read import dates_to_text
    from .waivers import parse_waivers

    document = dates_to_text(_one(result, documents))
    if _schema_problems(result, document, "waivers", positions):
        waivers = parse_waivers(document, str(result.path), now or datetime.now(UTC))
        result.detail = f" ({len(waivers)} {'waiver' if len(waivers) == 1 else 'waivers'})"


def _baseline(result: Result, documents: Sequence[Any], *_: Any) -> None:
    from .baseline import parse_baseline

    keys = parse_baseline(_one(result, documents), str(result.path))
    result.detail = f" ({len(keys)} known {'finding' if len(keys) == 1 else 'findings'})"


def _terraform(result: Result, documents: Sequence[Any], *_: Any) -> None:
    from .exporters.terraform.plan import parse

    loaded = parse(_one(result, documents), str(result.path))
    if result.kind == "terraform-plan" and loaded.kind != "plan":
        result.kind = "terraform-state"
    elif result.kind == "terraform-state" and loaded.kind != "state":
        result.kind = "terraform-plan"
    count = len(loaded.resources)
    regions = ", ".join(sorted(loaded.regions())) or "none found"
    result.detail = (
        f" ({count} managed {'resource' if count == 1 else 'resources'}; regions: {regions})"
    )


def _strimzi(result: Result, *_: Any) -> None:
    from .exporters.strimzi.manifests import load

    found = load([result.path])
    counts: dict[str, int] = {}
    for resource in found.resources:
        counts[resource.kind] = counts.get(resource.kind, 0) + 1
    for resource in found.unsupported:
        result.warning(f"{resource.ref}: apiVersion {resource.api_version} is not read")
    for warning in found.warnings:
        result.warning(warning)
    if not counts:
        from .exporters.strimzi import manifests

        result.warning(
            f"no resource the Strimzi exporter reads ({', '.join(manifests.KINDS)} of "
            f"{manifests.GROUP}): the "
            "exporter skips this file"
        )
    result.detail = (
        " (" + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing read") + ")"
    )


_CHECKS: Mapping[str, Any] = {
    "plan": _plan,
    "snapshot": _snapshot,
    "waivers": _waivers,
    "baseline": _baseline,
    "terraform-plan": _terraform,
    "terraform-state": _terraform,
    "strimzi": _strimzi,
}
