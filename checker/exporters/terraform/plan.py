"""A `terraform show -json` document (plan or state): resources, regions, unknowns, references.

Resources come from `planned_values` (a plan) or `values` (a state), root module and child
modules walked iteratively. For a plan, `resource_changes[].change.after_unknown` marks the
values Terraform learns only at apply time; `configuration` (optional) gives each resource's
provider configuration and the references of its expressions, which tell the region of a
resource and what an unknown value will point at.

References resolve inside the module instance that makes them: instance keys
(`module.msk["us-west-2"]`, `aws_x.this[0]`) are part of every address, so the instances of a
for_each module never borrow each other's resources or values. Variables are followed to what the
calling module passes (`each.key`, `each.value.<attr>`, `count.index` of that instance, constants,
root variables); locals and data sources are never in a plan's `configuration`: a reference to
one is reported as unresolved (`Resolved.unresolved`), so callers can name it in a gap.

A resource's region, first match wins: its own `region` argument (AWS provider 6), the region of
its ARN, then its provider configuration: the AWS provider's `region`, or for the Kafka provider
the MSK hostnames (or referenced MSK cluster) of `bootstrap_servers`. IAM is global.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...io.read import parse_json, read_bytes
from .._shared.snapshot import Gaps, add_gap

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
    index: str | int | None = None  # its count index or for_each key, when it has one

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


_ABSENT = object()


def _descend(tree: Any, path: Path_) -> Any:
    """The node at `path` of an after_unknown tree: True where the node or an ancestor is
    unknown as a whole, `_ABSENT` where the path leaves the tree."""
    node = tree
    for step in path:
        if node is True:
            return True
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
        elif isinstance(step, str) and isinstance(node, Mapping):
            node = node.get(step, False)
        else:
            return _ABSENT
    return node


def _unknown_at(tree: Any, path: Path_) -> bool:
    """Whether the value at `path`, or any part of it, is known only after apply."""
    node = _descend(tree, path)
    return node is not _ABSENT and next(unknown_paths(node), None) is not None


def _known_leaf(tree: Any, path: Path_) -> bool:
    """Whether after_unknown marks exactly `path` (a whole block) as unknown."""
    return _descend(tree, path) is True


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


def _attributes(value: Any, steps: Sequence[tuple[str, Any]]) -> Any:
    """value.a["b"][0] for the remaining steps of a traversal; UNRESOLVED when absent."""
    for _kind, key in steps:
        if value is UNRESOLVED:
            return value
        if isinstance(value, Mapping) and str(key) in value:
            value = value[str(key)]
        elif isinstance(value, list) and isinstance(key, int) and key < len(value):
            value = value[key]
        else:
            return UNRESOLVED
    return value


def region_of_arn(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _ARN_REGION.match(value)
    return match[1] if match else None


def regions_of_hosts(value: Any) -> set[str]:
    hosts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {m[1] for h in hosts if isinstance(h, str) for m in _MSK_HOST_REGION.finditer(h)}


def _module_names(address: str) -> tuple[str, ...]:
    return tuple(name for name, _ in module_steps(address))


_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?\.?')
_TOKEN = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_-]*)|\[("(?:[^"\\]|\\.)*"|[0-9]+|\*)\]')


def module_steps(address: str) -> list[tuple[str, str]]:
    """The module calls of an address, each with its instance key as written ('["a"]', '[0]'
    or ''): module.msk["us-west-2"].module.sg.aws_x.y -> [("msk", '["us-west-2"]'), ("sg", "")]."""
    steps: list[tuple[str, str]] = []
    position = 0
    while True:
        match = _MODULE_STEP.match(address, position)
        if match is None:
            return steps
        steps.append((match[1], match[2] or ""))
        position = match.end()


def _scope_of(steps: Sequence[tuple[str, str]]) -> str:
    return ".".join(f"module.{name}{key}" for name, key in steps)


def _key(text: str) -> str | int | None:
    """An instance key as written ('["a"]' -> "a", '[0]' -> 0, '' -> None)."""
    inner = text[1:-1] if text.startswith("[") else ""
    if not inner:
        return None
    if inner.startswith('"'):
        try:
            value = json.loads(inner)
        except ValueError:
            return inner
        return str(value)
    return int(inner) if inner.isdigit() else inner


Step = tuple[str, str | int | None]  # ("attr", name) or ("index", key)


def _traversal(ref: str) -> list[Step]:
    """A reference as a traversal: aws_x.this[0].arn -> attr aws_x, attr this, index 0, attr arn."""
    steps: list[Step] = []
    position = 0
    while position < len(ref):
        match = _TOKEN.match(ref, position)
        if match is None or match.end() == position:
            break
        if match[1] is not None:
            steps.append(("attr", match[1]))
        else:
            steps.append(("index", _key(f"[{match[2]}]")))
        position = match.end()
    return steps


def _subject_length(steps: Sequence[Step]) -> int:
    """How many steps name the referenced object (the rest are its attributes)."""
    head = steps[0][1] if steps else None
    if head in ("var", "local", "each", "count", "path", "terraform", "self"):
        return min(2, len(steps))
    if head == "module":
        size = 3 if len(steps) > 2 and steps[2][0] == "index" else 2
        return min(size + 1, len(steps))  # the output
    size = 3 if head == "data" else 2
    if len(steps) > size and steps[size][0] == "index":
        size += 1
    return min(size, len(steps))


def _subjects(refs: Sequence[str]) -> dict[tuple[Step, ...], list[Step]]:
    """Distinct referenced objects -> the longest traversal seen for each. A bare reference that
    a more precise one refines (aws_x.this beside aws_x.this[0]; module.m beside module.m.out)
    is dropped."""
    found: dict[tuple[Step, ...], list[Step]] = {}
    for ref in refs:
        steps = _traversal(ref)
        if not steps:
            continue
        subject = tuple(steps[: _subject_length(steps)])
        if len(steps) > len(found.get(subject, [])):
            found[subject] = steps
    return {
        subject: steps
        for subject, steps in found.items()
        if not any(other != subject and other[: len(subject)] == subject for other in found)
    }


class _Unresolved:
    """An expression whose value the document cannot tell (a local, a function of several
    references, a value known only after apply)."""

    def __repr__(self) -> str:
        return "UNRESOLVED"


UNRESOLVED = _Unresolved()


@dataclass
class Resolved:
    """What an expression refers to: resources, and references the document cannot follow
    (locals, data sources, missing module outputs), written from the root."""

    resources: list[Resource]
    unresolved: list[str]


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
                index=raw["index"] if isinstance(raw.get("index"), (str, int)) else None,
            )
            resource.config = self._config_resource(resource) or {}
            self.resources.append(resource)
        self._by_type: dict[str, list[Resource]] = {}
        # (module instance, type, name) -> instances: references resolve inside one module
        # instance (module.msk["us-west-2"]), never across the instances of a for_each
        self._in_scope: dict[tuple[str, str, str], list[Resource]] = {}
        self._scopes: set[str] = set()
        for resource in self.resources:
            self._by_type.setdefault(resource.type, []).append(resource)
            key = (resource.module_address, resource.type, resource.name)
            self._in_scope.setdefault(key, []).append(resource)
            steps = module_steps(resource.module_address)
            self._scopes.update(_scope_of(steps[:n]) for n in range(1, len(steps) + 1))
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

    def _variable(self, scope: str, name: str, depth: int) -> Any:
        """The value of var.<name> inside the module instance `scope`."""
        steps = module_steps(scope)
        if not steps:
            variable = _mapping(self.document.get("variables")).get(name)
            return variable.get("value") if isinstance(variable, Mapping) else UNRESOLVED
        names = tuple(n for n, _ in steps)
        call = _mapping(self._module_call(names))
        expressions = _mapping(call.get("expressions"))
        if name in expressions:
            return self.evaluate(_scope_of(steps[:-1]), expressions[name], depth + 1, scope)
        declared = _mapping(_mapping(self._config_module(names)).get("variables")).get(name)
        if isinstance(declared, Mapping):
            return declared.get("default")  # not passed: its default (null when none)
        return UNRESOLVED

    def _each(self, instance: str, steps: Sequence[Step], depth: int) -> Any:
        """each.key, each.value(...) or count.index of the module instance `instance`."""
        module = module_steps(instance)
        if not module:
            return UNRESOLVED
        key = _key(module[-1][1])
        if key is None:
            return UNRESOLVED
        what = steps[1][1] if len(steps) > 1 else None
        if steps[0][1] == "count":
            return key if what == "index" and isinstance(key, int) else UNRESOLVED
        if what == "key":
            return key
        if what != "value":
            return UNRESOLVED
        names = tuple(n for n, _ in module)
        call = _mapping(self._module_call(names))
        parent = _scope_of(module[:-1])
        collection = self.evaluate(parent, _mapping(call.get("for_each_expression")), depth + 1)
        value = _mapping(collection).get(str(key), UNRESOLVED) if collection else UNRESOLVED
        return _attributes(value, steps[2:])

    def evaluate(
        self,
        scope: str,
        expression: Mapping[str, Any] | None,
        depth: int = 0,
        instance: str | None = None,
    ) -> Any:
        """An expression's value: a constant, or one reference to a variable (followed through
        module calls), each.key / each.value / count.index of a module instance, or a known
        attribute of one resource; UNRESOLVED otherwise (null is a value: None).

        `instance` is the module instance whose each/count an expression of a module call
        refers to (the call's own expressions are evaluated in the parent's scope)."""
        if not isinstance(expression, Mapping) or depth > _MAX_DEPTH:
            return UNRESOLVED
        if "constant_value" in expression:
            return expression["constant_value"]
        subjects = _subjects(_references(expression))
        if len(subjects) != 1:
            return UNRESOLVED  # a function of several values: not computed here
        subject, steps = next(iter(subjects.items()))
        head = steps[0][1]
        if head == "var" and len(steps) > 1:
            value = self._variable(scope, str(steps[1][1]), depth)
            return _attributes(value, steps[2:])
        if head in ("each", "count"):
            return self._each(instance if instance is not None else scope, steps, depth)
        if head in ("local", "data", "path", "terraform", "self", "module"):
            return UNRESOLVED
        found = self._resources(scope, subject)
        if len(found) != 1 or found[0].unknown is True:
            return UNRESOLVED
        path = [str(k) if kind == "attr" else k for kind, k in steps[len(subject) :]]
        value = found[0].get(*[p for p in path if p is not None])
        return UNRESOLVED if value is UNKNOWN else value

    def _resources(self, scope: str, subject: Sequence[Step]) -> list[Resource]:
        """The resource instances a subject (type, name, optional key) names in `scope`."""
        if len(subject) < 2:
            return []
        found = self._in_scope.get((scope, str(subject[0][1]), str(subject[1][1])), [])
        if len(subject) > 2 and subject[2][0] == "index":
            key = subject[2][1]
            found = [r for r in found if r.index == key or str(r.index) == str(key)]
        return found

    def _children(self, scope: str, name: str, key: str | int | None) -> list[str]:
        """The instances of module call `name` inside `scope` (one when `key` is given)."""
        prefix = f"{scope}.module.{name}" if scope else f"module.{name}"
        found = []
        for candidate in self._scopes:
            steps = module_steps(candidate)
            parent = module_steps(scope)
            if len(steps) != len(parent) + 1 or not candidate.startswith(prefix):
                continue
            if steps[-1][0] != name or _scope_of(steps[:-1]) != scope:
                continue
            if key is None or _key(steps[-1][1]) == key:
                found.append(candidate)
        return sorted(found)

    def resolve(
        self,
        scope: str,
        expression: Mapping[str, Any] | None,
        depth: int = 0,
        instance: str | None = None,
    ) -> Resolved:
        """The resources an expression refers to (through variables and module outputs, inside
        the module instance `scope`) and the references that cannot be followed."""
        out = Resolved([], [])
        if not isinstance(expression, Mapping) or depth > _MAX_DEPTH:
            return out
        here = f"{scope}." if scope else ""
        for subject, steps in _subjects(_references(expression)).items():
            head = str(steps[0][1])
            written = here + ".".join(
                str(k) if kind == "attr" else f"[{json.dumps(k)}]" for kind, k in subject
            ).replace(".[", "[")
            if head == "var" and len(steps) > 1:
                module = module_steps(scope)
                if not module:
                    continue  # a root variable holds a value, not a resource
                call = _mapping(self._module_call(tuple(n for n, _ in module)))
                passed = _mapping(call.get("expressions")).get(str(steps[1][1]))
                if isinstance(passed, Mapping):
                    inner = self.resolve(_scope_of(module[:-1]), passed, depth + 1, scope)
                    out.resources += inner.resources
                    out.unresolved += inner.unresolved
            elif head == "module" and len(subject) >= 3:
                name = str(subject[1][1])
                key = subject[2][1] if subject[2][0] == "index" else None
                output_name = str(subject[-1][1])
                children = self._children(scope, name, key)
                names = (*(n for n, _ in module_steps(scope)), name)
                output = _mapping(
                    _mapping(_mapping(self._config_module(names)).get("outputs")).get(output_name)
                )
                if not children or not output:
                    out.unresolved.append(written)
                for child in children:
                    inner = self.resolve(child, _mapping(output.get("expression")), depth + 1)
                    out.resources += inner.resources
                    out.unresolved += inner.unresolved
            elif head in ("local", "data"):
                out.unresolved.append(written)
            elif head not in ("each", "count", "path", "terraform", "self", "module", "var"):
                out.resources += self._resources(scope, subject)
        unique = {r.address: r for r in out.resources}
        return Resolved(
            [unique[k] for k in sorted(unique)],
            sorted(set(out.unresolved), key=out.unresolved.index),
        )

    def targets(self, scope: str, expression: Mapping[str, Any] | None) -> list[Resource]:
        return self.resolve(scope, expression).resources

    def referenced(self, resource: Resource, *path: str | int) -> list[Resource]:
        return self.resolve(resource.module_address, resource.expression(*path)).resources

    def resolution(self, resource: Resource, *path: str | int) -> Resolved:
        return self.resolve(resource.module_address, resource.expression(*path))

    def configured(self, resource: Resource, *path: str | int) -> Any:
        """The configured value at `path` (UNRESOLVED when the configuration cannot tell). In a
        resource with its own count or for_each, each/count are the resource's, not its
        module's: only each.key and count.index are told."""
        expression = resource.expression(*path)
        own = "for_each_expression" in resource.config or "count_expression" in resource.config
        if own and isinstance(expression, Mapping):
            subjects = _subjects(_references(expression))
            if any(s[0][1] in ("each", "count") for s in subjects):
                if len(subjects) != 1 or resource.index is None:
                    return UNRESOLVED
                steps = next(iter(subjects.values()))
                what = steps[1][1] if len(steps) > 1 else None
                if what in ("key", "index") and len(steps) == 2:
                    return resource.index
                return UNRESOLVED
        return self.evaluate(resource.module_address, expression)

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
        scope = _scope_of([(name, "") for name in names])
        region = self.evaluate(scope, expressions.get("region"))
        if isinstance(region, str) and region:
            return region
        servers = expressions.get("bootstrap_servers")
        hosts = regions_of_hosts(self.evaluate(scope, servers))
        if len(hosts) == 1:
            return hosts.pop()
        if depth < 2:
            regions = {self._region(r, depth + 1) for r in self.targets(scope, servers)}
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
    "aws_msk_single_scram_secret_association": "authentication",
    "aws_msk_vpc_connection": "network",
    "aws_msk_topic": "topics",
    "aws_mskconnect_connector": "replication",
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

    def partial(self, area: str, reason: str) -> None:
        """A gap for one unknown part of an area: the parts that are known stay in the
        snapshot (the check is indeterminate for the area all the same)."""
        add_gap(self.snapshot, area, reason)

    def unresolved(self, resource: Resource, *path: str | int) -> str:
        """Why the value at `path` cannot be told: unknown until apply (the outermost unknown
        block is named), and what it is set from when the configuration names something the
        document does not resolve."""
        for size in range(1, len(path)):
            if _unknown_at(resource.unknown, path[:size]) and _known_leaf(
                resource.unknown, path[:size]
            ):
                path = path[:size]
                break
        where = f"{resource.address}.{render_path(path)}"
        refs = self.doc.resolution(resource, *path).unresolved
        if refs:
            return (
                f"unknown until apply: {where} (set from {', '.join(refs)}, "
                "which the plan does not resolve)"
            )
        return f"unknown until apply: {where}"

    def value(self, resource: Resource, area: str, *path: str | int) -> Any:
        """The value at `path`, or None and a gap when it is known only after apply."""
        value = resource.get(*path)
        if value is UNKNOWN:
            self.gap(area, self.unresolved(resource, *path))
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
