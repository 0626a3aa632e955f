"""IAM policy documents -> snapshot iam_grants: the statements that allow or deny a
`kafka-cluster:*` action on a resource of one cluster. Shared by the live AWS and Terraform
exporters; each says which resources name its cluster (`applies`)."""

from __future__ import annotations

import fnmatch
import json
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ...grants import IAM_ACTIONS

KAFKA_ACTIONS = tuple(sorted(IAM_ACTIONS))
Applies = Callable[[str], bool]


def strings(value: Any) -> list[str]:
    """An IAM field that may be one string or a list of them."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _matches(pattern: str, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def kafka_actions(statement: Mapping[str, Any]) -> list[str]:
    """The statement's actions that can authorise a kafka-cluster action, as written."""
    if "NotAction" in statement:
        excluded = strings(statement["NotAction"])
        left = [a for a in KAFKA_ACTIONS if not any(_matches(p, a) for p in excluded)]
        return ["kafka-cluster:*"] if len(left) == len(KAFKA_ACTIONS) else left
    return sorted(
        {p for p in strings(statement.get("Action")) if any(_matches(p, a) for a in KAFKA_ACTIONS)}
    )


def parse_document(raw: Any) -> Mapping[str, Any]:
    """A policy document given as a mapping, JSON text or URL-encoded JSON ({} if neither)."""
    if isinstance(raw, Mapping):
        return raw
    text = str(raw)
    for candidate in (text, urllib.parse.unquote(text)):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        return value if isinstance(value, Mapping) else {}
    return {}


def statements(document: Any) -> list[Mapping[str, Any]]:
    raw = parse_document(document).get("Statement", [])
    items = [raw] if isinstance(raw, Mapping) else list(raw) if isinstance(raw, list) else []
    return [s for s in items if isinstance(s, Mapping)]


def statement_grants(
    statement: Mapping[str, Any], principals: Sequence[str], policy: str, applies: Applies
) -> Iterator[dict[str, Any]]:
    effect = "Deny" if str(statement.get("Effect")) == "Deny" else "Allow"
    actions = kafka_actions(statement)
    if not actions:
        return
    if "NotResource" in statement:
        # Allow on everything but a few resources: count it as everything (fail closed);
        # a Deny that spares some resources cannot be relied on, so it is not recorded.
        if effect == "Deny":
            return
        resources = ["*"]
    else:
        resources = sorted(r for r in strings(statement.get("Resource")) if applies(r))
    if not resources:
        return
    if effect == "Deny" and statement.get("Condition"):
        return  # a conditional deny may not apply: never let it hide a grant
    for principal in principals:
        yield {
            "principal": principal,
            "effect": effect,
            "actions": actions,
            "resources": resources,
            "policy": policy,
        }


def document_grants(
    document: Any, principals: Sequence[str], policy: str, applies: Applies
) -> list[dict[str, Any]]:
    return [
        grant
        for statement in statements(document)
        for grant in statement_grants(statement, principals, policy, applies)
    ]
