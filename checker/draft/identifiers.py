"""Region-specific identifiers paired across the two regions: the draft's equivalences."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..identity import Canon
from .region import RegionInput
from .yaml_text import Guess

_SLUG = re.compile(r"[^a-z0-9]+")


def region_tokens(region: str) -> list[str]:
    """Spellings of a region inside resource names, longest first: us-east-1, useast1, use1,
    east-1, ... (AWS-style names; any other name only as itself)."""
    tokens = {region, region.replace("-", ""), region.replace("-", "_")}
    parts = region.split("-")
    if len(parts) == 3 and parts[2].isdigit():
        area, direction, number = parts
        tokens |= {
            f"{area}{direction[0]}{number}",
            f"{area}-{direction[0]}{number}",
            f"{area}{direction[:1]}-{number}",
            f"{direction}-{number}",
            f"{direction}{number}",
        }
    return sorted((t for t in tokens if t), key=lambda t: (-len(t), t))


def without_region(value: str, region: str) -> str | None:
    """`value` with the first spelling of `region` replaced by `{region}` (None: none in it)."""
    lowered = value.lower()
    for token in region_tokens(region):
        at = lowered.find(token.lower())
        if at >= 0:
            return value[:at] + "{region}" + value[at + len(token) :]
    return None


def _stem(value: str, region: str) -> str:
    form = without_region(value, region)
    if form is None:
        return value
    stem = re.sub(r"[-_.]*\{region\}[-_.]*", "-", form).strip("-_./")
    return stem or value


def _pair_by_region(
    primary: Iterable[str], secondary: Iterable[str], regions: tuple[str, str]
) -> list[tuple[str, str, str]]:
    """(primary value, secondary value, shared form) for values that differ only by their
    region token, each form held by exactly one value per region."""
    forms: list[dict[str, list[str]]] = []
    for values, region in zip((primary, secondary), regions, strict=True):
        by_form: dict[str, list[str]] = defaultdict(list)
        for value in sorted(set(values)):
            form = without_region(value, region)
            if form is not None:
                by_form[form].append(value)
        forms.append(by_form)
    pairs = []
    for form, values in sorted(forms[0].items()):
        others = forms[1].get(form, [])
        if len(values) == 1 and len(others) == 1 and values[0] != others[0]:
            pairs.append((values[0], others[0], form))
    return pairs


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def _equivalence(kind: str, canonical: str, values: Sequence[str], why: str) -> Guess:
    return Guess({"kind": kind, "canonical": canonical, "values": list(values)}, why)


def _single(
    kind: str,
    prefix: str,
    values: Sequence[Any],
    regions: tuple[str, str],
    why: str,
) -> list[Guess]:
    first, second = (None if v is None else str(v) for v in values)
    if not first or not second or first == second:
        return []
    if kind == "cluster":
        canonical = _stem(first, regions[0])
    else:
        form = without_region(first, regions[0])
        canonical = prefix + (first if form is None else form.replace("{region}", "REGION"))
    return [_equivalence(kind, canonical, [first, second], why)]


def _ingress_key(rule: Mapping[str, Any]) -> tuple[str, ...]:
    return (
        str(rule.get("protocol")),
        str(rule.get("from_port")),
        str(rule.get("to_port")),
        str(rule.get("peer_type")),
        str(rule.get("description") or ""),
    )


def _prefix_length(peer: str) -> str | None:
    _, sep, bits = peer.partition("/")
    return bits if sep else None


def _ingress_pairs(documents: tuple[Mapping[str, Any], ...]) -> list[Guess]:
    """Ingress rules with the same protocol, ports, peer type and description, one per region,
    whose peers differ: the same clients, addressed per region. A CIDR pairs only with one of
    the same size, never with an internet-wide range (that would hide NET-002 and NET-003)."""
    keyed: list[dict[tuple[str, ...], list[str]]] = []
    for document in documents:
        rules: dict[tuple[str, ...], list[str]] = defaultdict(list)
        network = document.get("network") or {}
        for rule in network.get("ingress", []) or []:
            rules[_ingress_key(rule)].append(str(rule.get("peer")))
        keyed.append(rules)
    found = []
    for key, peers in sorted(keyed[0].items()):
        others = keyed[1].get(key, [])
        if len(peers) != 1 or len(others) != 1 or peers[0] == others[0]:
            continue
        protocol, low, high, peer_type, description = key
        ports = low if low == high else f"{low}-{high}"
        label = _slug(description) or f"{protocol}-{ports}"
        why = f"the {protocol} {ports} ingress rule" + (f" {description!r}" if description else "")
        if peer_type == "security_group":
            found.append(_equivalence("security_group", f"sg:{label}", [peers[0], others[0]], why))
        elif peer_type == "cidr":
            wide = {"0.0.0.0/0", "::/0"}
            if peers[0] in wide or others[0] in wide:
                continue
            if _prefix_length(peers[0]) != _prefix_length(others[0]):
                continue
            found.append(_equivalence("other", f"cidr:{label}", [peers[0], others[0]], why))
        else:
            found.append(_equivalence("other", f"{peer_type}:{label}", [peers[0], others[0]], why))
    return found


def _log_groups(document: Mapping[str, Any]) -> dict[str, str]:
    audit = document.get("audit") or {}
    found: dict[str, str] = {}
    for entry in audit.get("broker_logs", []) or []:
        if entry.get("target"):
            found.setdefault(str(entry["destination"]), str(entry["target"]))
    return found


def principals_of(document: Mapping[str, Any], canon: Canon) -> set[str]:
    found = {canon.text(str(a.get("principal", ""))) for a in document.get("acls", []) or []}
    found |= {canon.text(str(g.get("principal", ""))) for g in document.get("iam_grants", []) or []}
    return {p for p in found if p}


def equivalences(regions: tuple[RegionInput, RegionInput]) -> list[Guess]:
    documents = (regions[0].document, regions[1].document)
    names = (regions[0].name, regions[1].name)
    plain = Canon({})
    found: list[Guess] = []
    clusters = tuple(
        (d.get("cluster") or {}).get("name") or (d.get("cluster") or {}).get("id")
        for d in documents
    )
    cluster_names = tuple(plain.cluster_name(str(c)) if c else None for c in clusters)
    found += _single("cluster", "", cluster_names, names, "the two snapshots' cluster names")
    keys = tuple(
        plain(((d.get("encryption") or {}).get("at_rest") or {}).get("key_id")) for d in documents
    )
    found += _single(
        "kms_key", "kms-key:", keys, names, "the at-rest encryption keys of the two clusters"
    )
    found += _ingress_pairs(documents)
    logs = [_log_groups(d) for d in documents]
    for destination in sorted(set(logs[0]) & set(logs[1])):
        values = (logs[0][destination], logs[1][destination])
        found += _single(
            "log_group", "log-group:", values, names, f"the {destination} broker log targets"
        )
    trails = tuple(((d.get("audit") or {}).get("trail") or {}).get("name") for d in documents)
    found += _single("trail", "trail:", trails, names, "the CloudTrail trails")
    buckets = [[str(b.get("name")) for b in d.get("storage", []) or []] for d in documents]
    for first, second, form in _pair_by_region(buckets[0], buckets[1], names):
        found.append(
            _equivalence(
                "bucket",
                "bucket:" + form.replace("{region}", "REGION"),
                [first, second],
                "the bucket names differ only by the region",
            )
        )
    principals = [principals_of(d, plain) for d in documents]
    for first, second, form in _pair_by_region(principals[0], principals[1], names):
        if first in principals[1] or second in principals[0]:
            continue  # both exist in both regions: two identities, not one
        found.append(
            _equivalence(
                "principal",
                form.replace("{region}", "REGION"),
                [first, second],
                "principal names differ only by the region",
            )
        )
    return found


def canon_of(found: Sequence[Guess]) -> Canon:
    table: dict[str, str] = {}
    for guess in found:
        for value in guess.value["values"]:
            table[str(value)] = str(guess.value["canonical"])
    return Canon(table)
