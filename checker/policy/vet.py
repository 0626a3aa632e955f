"""Compile-time checks on user policies (--policy-dir), before either engine sees them.

One analysis for both engines, so both refuse the same files with the same line:

- confinement: a user module declares a package under failback.custom (failback.custom.<name>
  or below). In Rego a module can only define rules in its own package, so a user policy can
  add findings but never change failback.main, the catalog or any built-in rule. Reading other
  packages (`import data.failback.lib`) is fine.
- findings are collected from failback.custom.<name>.deny only, which must be a partial set
  (`deny contains finding if {...}`); a deny rule anywhere else would be silently ignored, so
  it is refused.
- built-ins: only those in builtins.ALLOWED (pure, deterministic, implemented by both engines).
- recursion: no rule may depend on itself. OPA refuses recursion at compile time; regorus
  would overflow its stack (a signal, no message). A read through an import's name counts as a
  read of the whole imported package, because that is what regorus evaluates.
- no local variable shadows a rule or import of its package (regorus refuses some shadowing
  that OPA accepts).

It reads regorus' syntax tree (`Engine.get_ast_as_json`). Parse in a child process
(engines/isolated.py): regorus' parser takes exponential time on some hostile input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import EngineError
from .builtins import ALLOWED, FORBIDDEN, ROOTS
from .locate import PolicyFile

CUSTOM = ("failback", "custom")

Path = tuple[str, ...]
Pattern = tuple[str | None, ...]  # None: any key (a variable or computed index)

_PACKAGE_LINE = re.compile(r"^package\s+(\S+)", re.MULTILINE)


def related_builtins(builtins: Sequence[PolicyFile]) -> list[PolicyFile]:
    """The built-in modules a user rule could form a cycle with: those that read
    data.failback.custom, those that read their packages, and so on. (The built-in library is
    trusted and `opa fmt`-formatted, so a text search finds its references; the rest of the
    library cannot reach a user rule and is not parsed.)"""
    package = {p.name: m.group(1) if (m := _PACKAGE_LINE.search(p.text)) else "" for p in builtins}
    chosen = {p.name for p in builtins if "failback.custom" in p.text}
    while True:
        read = {package[name] for name in chosen if package[name]}
        more = {
            p.name
            for p in builtins
            if p.name not in chosen and any(f"data.{pkg}" in p.text for pkg in read)
        }
        if not more:
            return [p for p in builtins if p.name in chosen]
        chosen |= more


# --- the syntax tree ---------------------------------------------------------------------------


def _variant(node: Any) -> tuple[str, Any] | None:
    """regorus serialises enums as {"Kind": {...}}."""
    if isinstance(node, dict) and len(node) == 1:
        ((kind, payload),) = node.items()
        if kind[:1].isupper():
            return kind, payload
    return None


def _is_span(node: Any) -> bool:
    return isinstance(node, dict) and "start" in node and "end" in node and "line" in node


@dataclass
class _Source:
    text: bytes

    def name(self, item: Any) -> str:
        """An identifier: `[span, "name"]`, or a bare span into the source."""
        if isinstance(item, list) and len(item) == 2 and isinstance(item[1], str):
            return item[1]
        if _is_span(item):
            return self.text[int(item["start"]) : int(item["end"])].decode("utf-8", "replace")
        return ""


def _vars(node: Any) -> Iterator[str]:
    variant = _variant(node)
    if variant is not None and variant[0] == "Var":
        yield str(variant[1]["value"])
        return
    if isinstance(node, dict):
        for value in node.values():
            yield from _vars(value)
    elif isinstance(node, list):
        for value in node:
            yield from _vars(value)


Chain = tuple[str, list[str | None], list[Any]]  # root variable, segments, index expressions


def _chain(node: Any, source: _Source) -> Chain | None:
    variant = _variant(node)
    if variant is None:
        return None
    kind, payload = variant
    if kind == "Var":
        return str(payload["value"]), [], []
    if kind == "RefDot":
        base = _chain(payload["refr"], source)
        if base is None:
            return None
        return base[0], [*base[1], source.name(payload["field"])], base[2]
    if kind == "RefBrack":
        base = _chain(payload["refr"], source)
        if base is None:
            return None
        key = _variant(payload["index"])
        literal = key is not None and key[0] in ("String", "RawString")
        segment = str(key[1]["value"]) if key is not None and literal else None
        return base[0], [*base[1], segment], [*base[2], payload["index"]]
    return None


def _static(segments: Sequence[str | None]) -> list[str]:
    out: list[str] = []
    for segment in segments:
        if segment is None:
            break
        out.append(segment)
    return out


def _line(node: Any) -> int:
    span = node.get("span") if isinstance(node, dict) else None
    return int(span["line"]) if isinstance(span, dict) and "line" in span else 0


# --- modules and rules -------------------------------------------------------------------------


@dataclass
class _Rule:
    path: Path
    file: str
    line: int
    builtin: bool
    kind: str  # Set, Compr, Func or Default
    node: dict[str, Any]
    deps: list[Pattern] = field(default_factory=list)
    imported: dict[Pattern, str] = field(default_factory=dict)  # whole-package reads: alias


@dataclass
class _Module:
    file: str
    builtin: bool
    source: _Source
    package: Path
    imports: dict[str, Path | None]  # alias -> data path (None: input, rego, future)
    rules: list[_Rule]


def _module(entry: Mapping[str, Any], policy: PolicyFile) -> _Module:
    source = _Source(str(entry["source"]["contents"]).encode("utf-8"))
    ast = entry["ast"]
    chain = _chain(ast["package"]["refr"], source)
    package: Path = tuple(_static([chain[0], *chain[1]])) if chain else ()
    imports: dict[str, Path | None] = {}
    for item in ast.get("imports", []):
        ref = _chain(item["refr"], source)
        if ref is None:
            continue
        path = _static(ref[1])
        alias = source.name(item["as"]) if item.get("as") else (path[-1] if path else ref[0])
        imports[alias] = tuple(path) if ref[0] == "data" else None
    rules = []
    for raw in ast.get("rules", []):
        variant = _variant(raw)
        if variant is None:
            continue
        kind, payload = variant
        if kind == "Spec":
            head_kind, head = _variant(payload["head"]) or ("", {})
            line = _line(payload)
        elif kind == "Default":
            head_kind, head, line = "Default", payload, _line(payload)
        else:
            continue
        ref = _chain(head.get("refr"), source)
        if ref is None:
            continue
        rule_path = (*package, *_static([ref[0], *ref[1]]))
        rules.append(_Rule(rule_path, policy.name, line, policy.builtin, head_kind, payload))
    return _Module(policy.name, policy.builtin, source, package, imports, rules)


def _declared(rule: _Rule, source: _Source) -> set[str]:
    """Variables a rule declares (arguments, :=, some, every): they shadow rules and imports."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        variant = _variant(node)
        if variant is not None:
            kind, payload = variant
            if kind == "AssignExpr" and payload.get("op") == "ColEq":
                names.update(_vars(payload["lhs"]))
            elif kind == "SomeVars":
                names.update(source.name(v) for v in payload.get("vars", []))
            elif kind in ("SomeIn", "Every"):
                for key in ("key", "value"):
                    item = payload.get(key)
                    if _is_span(item):
                        names.add(source.name(item))
                    elif item is not None:
                        names.update(_vars(item))
            elif kind == "Func":
                names.update(_vars(payload.get("args", [])))
        if isinstance(node, dict):
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(rule.node)
    return names


def _rule_parts(rule: _Rule) -> list[Any]:
    """What a rule reads: its head's key and value, and its bodies (not its own name)."""
    if rule.kind == "Default":
        return [rule.node.get("value")]
    head = _variant(rule.node["head"])
    parts: list[Any] = [rule.node.get("bodies", [])]
    if head is not None:
        parts += [head[1].get("key"), head[1].get("assign")]
    return parts


@dataclass
class _Use:
    kind: str  # "ref", "call" or "with"
    chain: Chain
    line: int


def _uses(node: Any, source: _Source, line: int, out: list[_Use]) -> None:
    if isinstance(node, list):
        for item in node:
            _uses(item, source, line, out)
        return
    if not isinstance(node, dict):
        return
    line = _line(node) or line
    variant = _variant(node)
    if variant is None:
        for key, value in node.items():
            if key == "with_mods" and isinstance(value, list):
                for mod in value:
                    target = _chain(mod.get("refr"), source)
                    if target is not None:
                        out.append(_Use("with", target, line))
                    _uses(mod.get("as"), source, line, out)
            elif key != "span":
                _uses(value, source, line, out)
        return
    kind, payload = variant
    line = _line(payload) or line
    if kind in ("Var", "RefDot", "RefBrack"):
        chain = _chain(node, source)
        if chain is None:
            _uses(payload, source, line, out)
            return
        out.append(_Use("ref", chain, line))
        for index in chain[2]:
            _uses(index, source, line, out)
        return
    if kind == "Call":
        chain = _chain(payload.get("fcn"), source)
        if chain is None:
            _uses(payload.get("fcn"), source, line, out)
        else:
            out.append(_Use("call", chain, line))
            for index in chain[2]:
                _uses(index, source, line, out)
        _uses(payload.get("params", []), source, line, out)
        return
    _uses(payload, source, line, out)


# --- the checks --------------------------------------------------------------------------------


@dataclass(order=True)
class Problem:
    file: str
    line: int
    message: str

    def text(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


def _dotted(path: Sequence[str | None]) -> str:
    return ".".join("[_]" if p is None else p for p in path).replace(".[_]", "[_]")


def _confinement(module: _Module) -> list[Problem]:
    pkg = module.package
    if len(pkg) > len(CUSTOM) and pkg[: len(CUSTOM)] == CUSTOM:
        return []
    return [
        Problem(
            module.file,
            0,
            f"declares package {_dotted(pkg) or '?'}: a --policy-dir policy may only declare "
            "failback.custom.<name> (or a package below it), so it can add findings but "
            "never change the built-in rules",
        )
    ]


def _deny_placement(rule: _Rule) -> list[Problem]:
    """Findings come from data.failback.custom[name].deny[_]: a partial set there, nothing
    else under it, and no deny rule anywhere else (it would be ignored)."""
    path = rule.path
    home = len(CUSTOM) + 1  # the index of deny in failback.custom.<name>.deny
    if "deny" not in path[home:]:
        return []
    if path[home] == "deny" and len(path) == home + 1:
        if rule.kind == "Set":
            return []
        message = (
            f"{_dotted(path)} must be a partial set rule: `deny contains finding if {{ ... }}`"
        )
    elif path[home] == "deny":
        message = (
            f"rule {_dotted(path)} is inside {_dotted(path[: home + 1])}, which must be "
            "nothing but a partial set rule (`deny contains finding if { ... }`)"
        )
    else:
        message = (
            f"rule {_dotted(path)} would be ignored: findings are collected only from "
            "failback.custom.<name>.deny (a package directly below failback.custom)"
        )
    return [Problem(rule.file, rule.line, message)]


def _builtin(name: str, rule: _Rule, line: int, kind: str) -> list[Problem]:
    if name in ALLOWED:
        return []
    verb = "calls" if kind == "call" else "replaces"
    if name in FORBIDDEN:
        why = f"which failback policies may not use: {FORBIDDEN[name]}"
    else:
        why = "which is neither a rule nor a built-in function both engines implement alike"
    return [
        Problem(rule.file, line or rule.line, f"rule {_dotted(rule.path)} {verb} {name}, {why}")
    ]


def _names(module: _Module) -> list[Problem]:
    """Rules and imports named like a built-in: OPA calls the rule, regorus the built-in."""
    problems = []
    for alias in sorted(set(module.imports) & ROOTS):
        problems.append(
            Problem(module.file, 0, f"import `{alias}` has the name of a built-in: rename it")
        )
    for rule in module.rules:
        name = rule.path[len(module.package)]
        if name in ROOTS:
            problems.append(
                Problem(
                    rule.file,
                    rule.line,
                    f"rule {_dotted(rule.path)} has the name of a built-in ({name}): OPA would "
                    "call the rule, regorus the built-in; rename it",
                )
            )
    return problems


def _analyse(module: _Module, package_rules: Mapping[Path, set[str]]) -> list[Problem]:
    """The rule's problems; fills each rule's deps (the patterns of data it reads)."""
    problems: list[Problem] = [] if module.builtin else _names(module)
    own = package_rules.get(module.package, set())
    for rule in module.rules:
        local = _declared(rule, module.source)
        shadowed = sorted(local & (own | set(module.imports)))
        if shadowed and not module.builtin:
            problems.append(
                Problem(
                    rule.file,
                    rule.line,
                    f"rule {_dotted(rule.path)} declares a variable `{shadowed[0]}` that "
                    f"shadows a rule or import of package {_dotted(module.package)}: rename "
                    "the variable (the two engines disagree on such shadowing)",
                )
            )
        uses: list[_Use] = []
        _uses(_rule_parts(rule), module.source, rule.line, uses)
        for use in uses:
            root, segments, _ = use.chain
            written = ".".join([root, *(s for s in _static(segments))])
            if use.kind != "ref" and not module.builtin:
                if written in FORBIDDEN and root != "data":
                    problems += _builtin(written, rule, use.line, use.kind)
                    continue
                if root in local:
                    problems.append(
                        Problem(
                            rule.file,
                            use.line or rule.line,
                            f"rule {_dotted(rule.path)} calls {written} through its variable "
                            f"`{root}`: rename the variable",
                        )
                    )
                    continue
            target: Pattern | None = None
            if root == "data":
                target = tuple(segments)
            elif root in local or root == "input":
                target = None
            elif root in module.imports:
                base = module.imports[root]
                if base is not None and use.kind == "ref":
                    # regorus evaluates an imported package whole when a rule reads it
                    # through the import's name (a function call does not), so a read of
                    # `main.x` depends on every rule of data.failback.main
                    target = base
                    rule.imported[base] = root
                elif base is not None:
                    target = (*base, *segments)
            elif root in own:
                target = (*module.package, root, *segments)
            if target is not None:
                rule.deps.append(target)
            elif (
                use.kind in ("call", "with")
                and not module.builtin
                and root not in local
                and root != "input"
                and all(s is not None for s in segments)
            ):
                name = ".".join([root, *(s for s in segments if s is not None)])
                problems += _builtin(name, rule, use.line, use.kind)
        if not module.builtin:
            problems += _deny_placement(rule)
    return problems


def _matches(path: Path, pattern: Pattern) -> bool:
    return all(p is None or p == s for p, s in zip(pattern, path, strict=False))


def _cycles(rules: Sequence[_Rule]) -> list[Problem]:
    """Strongly connected components (Tarjan) of the rule graph that hold a user rule."""
    nodes = sorted({r.path for r in rules})
    index_of = {path: i for i, path in enumerate(nodes)}
    edges: list[set[int]] = [set() for _ in nodes]
    for rule in rules:
        source = index_of[rule.path]
        for pattern in rule.deps:
            edges[source].update(index_of[p] for p in nodes if _matches(p, pattern))
    user_rules: dict[Path, _Rule] = {}
    for rule in sorted(rules, key=lambda r: (r.file, r.line)):
        if not rule.builtin:
            user_rules.setdefault(rule.path, rule)

    problems = []
    for component in _components(len(nodes), edges.__getitem__):
        members = set(component)
        recursive = len(component) > 1 or component[0] in edges[component[0]]
        users = [user_rules[nodes[i]] for i in component if nodes[i] in user_rules]
        if not recursive or not users:
            continue
        first = min(users, key=lambda r: (r.file, r.line))
        start = index_of[first.path]
        cycle = _path_back(start, edges, members)
        shown = " -> ".join(_dotted(nodes[i]) for i in [*cycle, start])
        hint = ""
        for pattern, alias in sorted(first.imported.items()):
            if any(_matches(nodes[i], pattern) for i in component):
                package = _dotted(pattern)
                hint = (
                    f"; it reads `{alias}` (import data.{package}), which the embedded engine "
                    f"evaluates whole: refer to data.{package}.<rule> instead"
                )
                break
        problems.append(
            Problem(
                first.file,
                first.line,
                f"rule {_dotted(first.path)} depends on itself ({shown}){hint}: "
                "Rego does not allow recursion",
            )
        )
    return problems


def _components(count: int, successors: Callable[[int], set[int]]) -> list[list[int]]:
    """Tarjan's algorithm, iterative (a long chain of rules must not hit Python's stack)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    found: list[list[int]] = []
    counter = 0
    for root in range(count):
        if root in index:
            continue
        work: list[tuple[int, Iterator[int]]] = [(root, iter(sorted(successors(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(successors(child)))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return found


def _path_back(start: int, edges: Sequence[set[int]], members: set[int]) -> list[int]:
    """The shortest cycle through start inside its component (breadth first)."""
    previous: dict[int, int] = {}
    queue = [start]
    for node in queue:
        for child in sorted(edges[node]):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1]
            if child in members and child not in previous:
                previous[child] = node
                queue.append(child)
    return [start]


def check_asts(asts: Sequence[Mapping[str, Any]], files: Sequence[PolicyFile]) -> None:
    """Raise EngineError naming the first problem (by file and line) of the user policies."""
    by_name = {f.name: f for f in files}
    modules = [_module(entry, by_name[str(entry["source"]["file"])]) for entry in asts]
    package_rules: dict[Path, set[str]] = {}
    for module in modules:
        names = package_rules.setdefault(module.package, set())
        names.update(r.path[len(module.package)] for r in module.rules)
    problems: list[Problem] = []
    for module in modules:
        if not module.builtin:
            problems += _confinement(module)
    if not problems:
        for module in modules:
            problems += _analyse(module, package_rules)
        if not problems:
            problems = _cycles([r for m in modules for r in m.rules])
    if problems:
        raise EngineError(f"policy refused: {min(problems).text()}")
