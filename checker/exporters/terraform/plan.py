"""A `terraform show -json` document (plan or state): resources, regions, unknowns, references.

Resources come from `planned_values` (a plan) or `values` (a state), root module and child
modules walked iteratively. For a plan, `resource_changes[].change.after_unknown` marks the
values Terraform learns only at apply time; `configuration` (optional) gives each resource's
provider configuration and the references of its expressions, which tell the region of a
resource and what an unknown value will point at.

A resource's region, first match wins: its own `region` argument (AWS provider 6), the region of
its ARN, then its provider configuration: the AWS provider's `region`, or for the Kafka provider
the MSK hostnames (or referenced MSK cluster) of `bootstrap_servers`. IAM is global.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...io.read import parse_json, read_bytes
from .._shared.snapshot import Gaps

GLOBAL_TYPES = frozenset(
    {
        "aws_iam_policy",
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_user",
        "aws_iam_user_policy",
        "aws_iam_user_policy_attachment",
        "aws_iam_group",
        "aws_iam_group_policy",
        "aws_iam_group_policy_attachment",
        "aws_iam_group_membership",
        "aws_s3_bucket",
    }
)
_ARN_REGION = re.compile(r"^arn:aws[\w-]*:[\w-]+:([a-z]{2}(?:-[a-z]+)+-\d):")
_MSK_HOST_REGION = re.compile(
    r"\.kafka(?:-serverless)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\b"
)
_INDEX = re.compile(r"\[[^\]]*\]")
_MAX_DEPTH = 12


class Unknown:
    """A value Terraform knows only after apply."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()
Path_ = tuple[str | int, ...]


def render_path(path: Path_) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


@dataclass(eq=False)
class Resource:
    address: str
    module: tuple[str, ...]  # module names from the root, instance keys removed
    module_address: str  # "module.a.module.b" (with instance keys) or ""
    type: str
    name: str
    provider: str
    values: Mapping[str, Any]
    unknown: Any = False  # after_unknown: True, or a tree of booleans
    region: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)  # the configuration resource

    def get(self, *path: str | int) -> Any:
        """The value at `path`: UNKNOWN when known only after apply, None when absent."""
        if _unknown_at(self.unknown, path):
            return UNKNOWN
        value: Any = self.values
        for step in path:
            if isinstance(step, int):
                if not isinstance(value, list) or step >= len(value):
                    return None
                value = value[step]
            else:
                if not isinstance(value, Mapping):
                    return None
                value = value.get(step)
        return value

    def expression(self, *path: str | int) -> Mapping[str, Any] | None:
        """The configuration expression at `path` (blocks are lists of objects)."""
        value: Any = self.config.get("expressions", {})
        for step in path:
            if isinstance(step, int):
                if isinstance(value, Mapping):
                    continue  # a single nested block is sometimes rendered without a list
                if not isinstance(value, list) or step >= len(value):
                    return None
                value = value[step]
            else:
                if not isinstance(value, Mapping):
                    return None
                value = value.get(step)
        return value if isinstance(value, Mapping) else None

    @property
    def arn(self) -> str | None:
        value = self.values.get("arn")
        return value if isinstance(value, str) and value else None


def _unknown_at(tree: Any, path: Path_) -> bool:
    """Whether the value at `path`, or any part of it, is known only after apply."""
    node = tree
    for step in path:
        if node is True:
            return True
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
        elif isinstance(step, str) and isinstance(node, Mapping):
            node = node.get(step, False)
        else:
            return False
    return next(unknown_paths(node), None) is not None


def unknown_paths(tree: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every path marked unknown in an after_unknown tree."""
    stack: list[tuple[Any, Path_]] = [(tree, prefix)]
    while stack:
        node, path = stack.pop()
        if node is True:
            yield path
        elif isinstance(node, Mapping):
            stack.extend((v, (*path, str(k))) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node))


def block(value: Any) -> Mapping[str, Any]:
    """The first of a list of nested blocks (Terraform's JSON for a block), or {}."""
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, Mapping) else {}


def blocks(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def integer(value: Any) -> int | None:
    """An integer attribute (numbers and numeric strings), None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v is not None] if isinstance(value, list) else []


def _references(expression: Mapping[str, Any]) -> list[str]:
    refs = expression.get("references")
    return [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def region_of_arn(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _ARN_REGION.match(value)
    return match[1] if match else None


def regions_of_hosts(value: Any) -> set[str]:
    hosts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {m[1] for h in hosts if isinstance(h, str) for m in _MSK_HOST_REGION.finditer(h)}


def _module_names(address: str) -> tuple[str, ...]:
    parts = _INDEX.sub("", address).split(".")
    return tuple(parts[i + 1] for i, p in enumerate(parts[:-1]) if p == "module")


class TerraformDocument:
    """One `terraform show -json` output."""

    def __init__(self, document: Mapping[str, Any], origin: str) -> None:
        self.origin = origin
        self.document = document
        if "planned_values" in document:
            self.kind = "plan"
            root = document["planned_values"].get("root_module", {})
        else:
            self.kind = "state"
            root = (document.get("values") or {}).get("root_module", {})
        self.configuration: Mapping[str, Any] = document.get("configuration") or {}
        self.timestamp = (
            document.get("timestamp") if isinstance(document.get("timestamp"), str) else None
        )
        # A plan Terraform could not finish (deferred actions, -target) says complete: false;
        # the resources it did not plan are missing from planned_values. A state is complete.
        self.complete = self.kind == "state" or document.get("complete") is not False
        self.deferred: list[tuple[str, str, str]] = []  # (address, type, reason)
        for entry in document.get("deferred_changes") or []:
            change = _mapping(entry.get("resource_change"))
            self.deferred.append(
                (
                    str(change.get("address") or "?"),
                    str(change.get("type") or ""),
                    str(entry.get("reason") or "no reason given"),
                )
            )
        changes = {
            str(c.get("address")): c.get("change", {}).get("after_unknown", False)
            for c in document.get("resource_changes", []) or []
            if isinstance(c, Mapping) and isinstance(c.get("change"), Mapping)
        }
        self.resources: list[Resource] = []
        self._config_index: dict[tuple[str, ...], dict[tuple[str, str], Mapping[str, Any]]] = {}
        for raw in _walk(root, origin):
            if raw.get("mode", "managed") != "managed":
                continue
            address = str(raw.get("address", ""))
            module_address = address.rsplit(f"{raw.get('type')}.", 1)[0].rstrip(".")
            resource = Resource(
                address=address,
                module=_module_names(address),
                module_address=module_address,
                type=str(raw.get("type", "")),
                name=str(raw.get("name", "")),
                provider=str(raw.get("provider_name", "")),
                values=_mapping(raw.get("values")),
                unknown=changes.get(address, False),
            )
            resource.config = self._config_resource(resource) or {}
            self.resources.append(resource)
        self._by_type: dict[str, list[Resource]] = {}
        self._by_name: dict[tuple[tuple[str, ...], str, str], list[Resource]] = {}
        for resource in self.resources:
            self._by_type.setdefault(resource.type, []).append(resource)
            key = (resource.module, resource.type, resource.name)
            self._by_name.setdefault(key, []).append(resource)
        for resource in self.resources:
            resource.region = self._region(resource)
        self._regions = frozenset(r.region for r in self.resources if r.region)

    # --- configuration -------------------------------------------------------------------

    def _config_module(self, names: Sequence[str]) -> Mapping[str, Any] | None:
        module: Any = self.configuration.get("root_module")
        for name in names:
            if not isinstance(module, Mapping):
                return None
            module = _mapping(_mapping(module.get("module_calls")).get(name)).get("module")
        return module if isinstance(module, Mapping) else None

    def _module_call(self, names: Sequence[str]) -> Mapping[str, Any] | None:
        if not names:
            return None
        parent = self._config_module(names[:-1])
        call = _mapping(_mapping(parent).get("module_calls")).get(names[-1])
        return call if isinstance(call, Mapping) else None

    def _config_resource(self, resource: Resource) -> Mapping[str, Any] | None:
        index = self._config_index.get(resource.module)
        if index is None:
            module = self._config_module(resource.module)
            index = {
                (str(e.get("type")), str(e.get("name"))): e
                for e in _mapping(module).get("resources") or []
                if isinstance(e, Mapping) and e.get("mode", "managed") == "managed"
            }
            self._config_index[resource.module] = index
        return index.get((resource.type, resource.name))

    def constant(
        self, names: tuple[str, ...], expression: Mapping[str, Any] | None, depth: int = 0
    ) -> Any:
        """A configuration expression's value when it is a constant or a variable's value."""
        if not isinstance(expression, Mapping) or depth > _MAX_DEPTH:
            return None
        if "constant_value" in expression:
            return expression["constant_value"]
        for ref in _references(expression):
            parts = str(ref).split(".")
            if parts[0] != "var" or len(parts) < 2:
                continue
            if not names:
                variable = _mapping(self.document.get("variables")).get(parts[1])
                return variable.get("value") if isinstance(variable, Mapping) else None
            call = self._module_call(names)
            value = _mapping(_mapping(call).get("expressions")).get(parts[1])
            return self.constant(names[:-1], value, depth + 1)
        return None

    def targets(
        self, names: tuple[str, ...], expression: Mapping[str, Any] | None, depth: int = 0
    ) -> list[Resource]:
        """The resources an expression refers to, through variables and module outputs."""
        if not isinstance(expression, Mapping) or depth > _MAX_DEPTH:
            return []
        found: list[Resource] = []
        for ref in _references(expression):
            parts = _INDEX.sub("", str(ref)).split(".")
            if parts[0] == "var" and len(parts) > 1 and names:
                call = self._module_call(names)
                found += self.targets(
                    names[:-1], _mapping(_mapping(call).get("expressions")).get(parts[1]), depth + 1
                )
            elif parts[0] == "module" and len(parts) > 2:
                child = (*names, parts[1])
                output = _mapping(
                    _mapping(_mapping(self._config_module(child)).get("outputs")).get(parts[2])
                )
                found += self.targets(child, output.get("expression"), depth + 1)
            elif len(parts) > 1 and parts[0] not in (
                "var",
                "local",
                "data",
                "each",
                "count",
                "path",
                "terraform",
                "self",
                "module",
            ):
                found += self._by_name.get((names, parts[0], parts[1]), [])
        unique = {r.address: r for r in found}
        return [unique[k] for k in sorted(unique)]

    def referenced(self, resource: Resource, *path: str | int) -> list[Resource]:
        return self.targets(resource.module, resource.expression(*path))

    # --- regions ---------------------------------------------------------------------------

    def _provider_config(
        self, resource: Resource
    ) -> tuple[Mapping[str, Any] | None, tuple[str, ...]]:
        configs = _mapping(self.configuration.get("provider_config"))
        keys = resource.config.get("provider_config_keys")  # OpenTofu: a list
        key = str(
            resource.config.get("provider_config_key")
            or (keys[0] if isinstance(keys, list) and keys else "")
        )
        if not key:
            local = resource.type.split("_", 1)[0]
            path = ".".join(f"module.{name}" for name in resource.module)
            key = f"{path}:{local}" if path else local
        while True:
            entry = configs.get(key)
            if isinstance(entry, Mapping) and entry.get("expressions"):
                module = str(entry.get("module_address") or "")
                return entry, _module_names(module + ".x") if module else ()
            head, sep, local = key.rpartition(":")
            if not sep:
                return None, ()
            # a provider passed (or inherited) from the parent module
            parents = head.rsplit(".module.", 1)
            key = f"{parents[0]}:{local}" if len(parents) == 2 else local

    def _region(self, resource: Resource, depth: int = 0) -> str | None:
        own = resource.values.get("region")
        if isinstance(own, str) and own:
            return own
        arn_region = region_of_arn(resource.arn)
        if arn_region:
            return arn_region
        if resource.type in GLOBAL_TYPES:
            return None
        entry, names = self._provider_config(resource)
        if entry is None:
            return None
        expressions = entry.get("expressions", {})
        region = self.constant(names, expressions.get("region"))
        if isinstance(region, str) and region:
            return region
        servers = expressions.get("bootstrap_servers")
        hosts = regions_of_hosts(self.constant(names, servers))
        if len(hosts) == 1:
            return hosts.pop()
        if depth < 2:
            regions = {self._region(r, depth + 1) for r in self.targets(names, servers)}
            regions.discard(None)
            if len(regions) == 1:
                return regions.pop()
        return None

    def regions(self) -> frozenset[str]:
        return self._regions

    def of_type(self, *types: str) -> list[Resource]:
        return [r for kind in types for r in self._by_type.get(kind, [])]


def _walk(root: Any, origin: str) -> Iterator[Mapping[str, Any]]:
    stack = [root]
    seen = 0
    while stack:
        module = stack.pop()
        if not isinstance(module, Mapping):
            raise InputError(f"terraform document {origin}: a module is not an object")
        seen += 1
        if seen > 100_000:
            raise InputError(f"terraform document {origin}: more than 100000 modules")
        for resource in module.get("resources", []) or []:
            if isinstance(resource, Mapping):
                yield resource
        stack.extend(reversed(module.get("child_modules", []) or []))


def load(path: Path) -> TerraformDocument:
    """Read and shape-check a `terraform show -json` document."""
    data = read_bytes(path, "terraform plan")  # regular files only, bounded
    if data[:4] == b"PK\x03\x04":
        raise InputError(
            f"{path} is a binary plan file, not JSON",
            hint=f"export it with `terraform show -json {path} > plan.json`",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"terraform plan {path} is not UTF-8 text (byte {exc.start})") from None
    document = parse_json(text, str(path), "terraform plan")
    return parse(document, str(path))


def _need(value: Any, kind: type, where: str, origin: str, optional: bool = True) -> Any:
    """`value` when it is a `kind` (or absent); an input error naming the place otherwise."""
    if (value is None and optional) or isinstance(value, kind):
        return value
    noun = "an object" if kind is Mapping else "a list" if kind is list else "a string"
    raise InputError(f"terraform document {origin}: {where} is not {noun}")


def _shape_modules(root: Any, origin: str, where: str) -> None:
    stack: list[tuple[Any, str]] = [(root, where)]
    while stack:
        module, place = stack.pop()
        _need(module, Mapping, place, origin, optional=place == where)
        for index, resource in enumerate(
            _need((module or {}).get("resources"), list, f"{place}.resources", origin) or []
        ):
            here = f"{place}.resources[{index}]"
            _need(resource, Mapping, here, origin, optional=False)
            for key in ("address", "type", "name", "mode"):
                _need(resource.get(key), str, f"{here}.{key}", origin)
            _need(resource.get("values"), Mapping, f"{here}.values", origin)
        children = (
            _need((module or {}).get("child_modules"), list, f"{place}.child_modules", origin) or []
        )
        stack.extend((child, f"{place}.child_modules[{i}]") for i, child in enumerate(children))


def _shape_configuration(config: Any, origin: str) -> None:
    _need(config, Mapping, "configuration", origin)
    providers = (
        _need(
            (config or {}).get("provider_config"), Mapping, "configuration.provider_config", origin
        )
        or {}
    )
    for key, entry in providers.items():
        _need(entry, Mapping, f"configuration.provider_config.{key}", origin)
        _need(
            (entry or {}).get("expressions"),
            Mapping,
            f"configuration.provider_config.{key}.expressions",
            origin,
        )
    stack: list[tuple[Any, str]] = [
        ((config or {}).get("root_module"), "configuration.root_module")
    ]
    while stack:
        module, place = stack.pop()
        _need(module, Mapping, place, origin)
        module = module or {}
        for index, resource in enumerate(
            _need(module.get("resources"), list, f"{place}.resources", origin) or []
        ):
            here = f"{place}.resources[{index}]"
            _need(resource, Mapping, here, origin, optional=False)
            _need(resource.get("expressions"), Mapping, f"{here}.expressions", origin)
            _need(resource.get("provider_config_key"), str, f"{here}.provider_config_key", origin)
        for name, output in (
            _need(module.get("outputs"), Mapping, f"{place}.outputs", origin) or {}
        ).items():
            _need(output, Mapping, f"{place}.outputs.{name}", origin)
            _need(
                (output or {}).get("expression"),
                Mapping,
                f"{place}.outputs.{name}.expression",
                origin,
            )
        calls = _need(module.get("module_calls"), Mapping, f"{place}.module_calls", origin) or {}
        for name, call in calls.items():
            _need(call, Mapping, f"{place}.module_calls.{name}", origin)
            _need(
                (call or {}).get("expressions"),
                Mapping,
                f"{place}.module_calls.{name}.expressions",
                origin,
            )
            stack.append(((call or {}).get("module"), f"{place}.module_calls.{name}.module"))


def _shape(document: Mapping[str, Any], origin: str) -> None:
    """Check the parts of the document the exporter walks, so a wrong shape is one line."""
    values = document.get("planned_values", document.get("values"))
    _shape_modules(values.get("root_module"), origin, "root_module")
    for index, change in enumerate(
        _need(document.get("resource_changes"), list, "resource_changes", origin) or []
    ):
        _need(change, Mapping, f"resource_changes[{index}]", origin, optional=False)
        _need(change.get("change"), Mapping, f"resource_changes[{index}].change", origin)
    _shape_configuration(document.get("configuration"), origin)
    for name, variable in (
        _need(document.get("variables"), Mapping, "variables", origin) or {}
    ).items():
        _need(variable, Mapping, f"variables.{name}", origin)
    for index, deferred in enumerate(
        _need(document.get("deferred_changes"), list, "deferred_changes", origin) or []
    ):
        _need(deferred, Mapping, f"deferred_changes[{index}]", origin, optional=False)
        _need(
            deferred.get("resource_change"),
            Mapping,
            f"deferred_changes[{index}].resource_change",
            origin,
        )


def parse(document: Any, origin: str) -> TerraformDocument:
    if (
        not isinstance(document, Mapping)
        or "format_version" not in document
        or not (
            isinstance(document.get("planned_values"), Mapping)
            or isinstance(document.get("values"), Mapping)
        )
    ):
        raise InputError(
            f"{origin} is not the output of `terraform show -json` "
            "(no format_version with planned_values or values)"
        )
    version = str(document.get("format_version"))
    if not re.match(r"^[01]\.\d+$", version):
        raise InputError(
            f"{origin}: terraform JSON format_version {version!r} is not 0.x or "
            "1.x, which this exporter reads"
        )
    if document.get("errored") is True:
        raise InputError(
            f"{origin} is the plan of a failed `terraform plan` (errored: true): it does not "
            "describe what apply would build",
            hint="fix the plan's errors and export it again",
        )
    _shape(document, origin)
    return TerraformDocument(document, origin)


# Snapshot area of the resource types whose region decides whose snapshot they belong to.
AREA_OF_TYPE: Mapping[str, str] = {
    "aws_msk_configuration": "broker_config",
    "aws_security_group": "network",
    "aws_security_group_rule": "network",
    "aws_vpc_security_group_ingress_rule": "network",
    "aws_vpc_endpoint": "network",
    "aws_cloudwatch_log_group": "audit",
    "aws_cloudtrail": "audit",
    "aws_kms_key": "encryption",
    "aws_kms_replica_key": "encryption",
    "aws_msk_replicator": "replication",
    "aws_msk_scram_secret_association": "authentication",
    "kafka_topic": "topics",
    "kafka_acl": "acls",
    "kafka_quota": "quotas",
    "kafka_user_scram_credential": "authentication",
}


@dataclass
class Context:
    """One region's export from one document: what is here, and the gaps found so far."""

    doc: TerraformDocument
    region: str
    snapshot: dict[str, Any]
    gaps: Gaps = field(init=False)

    def __post_init__(self) -> None:
        self.gaps = Gaps(self.snapshot)

    @property
    def tainted(self) -> set[str]:
        """The areas with a gap: dropped from the snapshot at the end."""
        return self.gaps.tainted

    @property
    def single_region(self) -> bool:
        return self.doc.regions() <= {self.region}

    def here(self, resource: Resource) -> bool:
        if resource.region is None:
            return self.single_region
        return resource.region == self.region

    def local(self, *types: str) -> list[Resource]:
        return [r for r in self.doc.of_type(*types) if self.here(r)]

    def gap(self, area: str, reason: str) -> None:
        """A gap: the area's data is not trustworthy and is dropped from the snapshot."""
        self.gaps.add(area, reason)

    def value(self, resource: Resource, area: str, *path: str | int) -> Any:
        """The value at `path`, or None and a gap when it is known only after apply."""
        value = resource.get(*path)
        if value is UNKNOWN:
            self.gap(area, f"unknown until apply: {resource.address}.{render_path(path)}")
            return None
        return value

    def points_at(self, res: Resource, attr: str, target: Resource) -> bool:
        """Whether res.<attr> names `target`: by ARN or id, or by reference when unknown."""
        value = res.get(attr)
        if (
            value is not UNKNOWN
            and value is not None
            and value in (target.arn, target.values.get("id"))
        ):
            return True
        return target in self.doc.referenced(res, attr)

    def unlocated(self) -> None:
        """Gaps for regional resources of a multi-region plan whose region cannot be told."""
        if self.single_region:
            return
        unlocated: dict[str, list[str]] = {}
        for resource in self.doc.resources:
            if resource.type in AREA_OF_TYPE and resource.region is None:
                unlocated.setdefault(resource.type, []).append(resource.address)
        for kind, addresses in sorted(unlocated.items()):
            self.gap(
                AREA_OF_TYPE[kind],
                f"the region of {len(addresses)} {kind} resources "
                f"(e.g. {addresses[0]}) cannot be told from the plan: no region argument, "
                "ARN or provider region",
            )
