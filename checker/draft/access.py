"""Who may write what in each region (the authorizer `check` uses): producers, replicators,
admins and transactional producers."""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..authority import region_access, write_facts
from ..identity import Canon
from .identifiers import principals_of
from .region import ROLES, RegionInput

# a principal whose name says it belongs to a replication tool
_REPLICATION_NAME = re.compile(
    r"replicat|mirror|mm2|mskr|cluster-?link|brooklin|kafka-?connect-?mirror", re.IGNORECASE
)
EVERYONE = "User:*"


@dataclass(frozen=True)
class Writer:
    principal: str
    role: str
    family: str
    topics: int
    every_topic: bool
    why: str


def writers(
    regions: tuple[RegionInput, RegionInput],
    canon: Canon,
    groups: Mapping[str, Sequence[str]],
    here: Mapping[str, Mapping[str, Sequence[str]]],
) -> list[Writer]:
    """Who may write each group's topics in each region (the authorizer `check` uses)."""
    found = []
    for role, region in zip(ROLES, regions, strict=True):
        access = region_access(region.document, role, canon, region.origin)
        family_topics = {
            group: [(t, name) for t in ts for name in here[role].get(t, ())]
            for group, ts in groups.items()
        }
        family_topics = {group: items for group, items in family_topics.items() if items}
        facts = write_facts(access, family_topics, lambda _: False)
        for group, entries in facts["writers"].items():
            for entry in entries:
                why = "; ".join(entry["why"][:1])
                found.append(
                    Writer(
                        principal=str(entry["principal"]),
                        role=role,
                        family=group,
                        topics=len(entry["topics"]),
                        every_topic=bool(entry["every_topic"]),
                        why=why,
                    )
                )
    return found


def super_users(regions: tuple[RegionInput, RegionInput], canon: Canon) -> list[str]:
    found = set()
    for region in regions:
        config = region.document.get("broker_config") or {}
        for user in str(config.get("super.users") or "").split(";"):
            if user.strip():
                found.add(canon.text(user.strip()))
    return sorted(found)


def known_principals(regions: tuple[RegionInput, RegionInput], canon: Canon) -> set[str]:
    """Every principal a region names: in ACLs, IAM grants and as a SCRAM user."""
    found: set[str] = set()
    for region in regions:
        found |= principals_of(region.document, canon)
        authentication = region.document.get("authentication") or {}
        found |= {canon.text(f"User:{u}") for u in authentication.get("scram_users", []) or []}
    return found


def replicators(
    found: Sequence[Writer],
    replicated: set[str],
    passive: str,
    names: Mapping[str, str],
    principals: Iterable[str] = (),
) -> dict[str, str]:
    """principal -> why: may write every topic of two or more replicated families in both
    regions (a replication identity serves both directions), or is named after a replication
    tool (among writers and `principals`). With one family, breadth tells nothing: a producer
    that may write in both regions (WA-001) must stay a producer. A broad writer of the
    passive region alone stays a producer too: it may be a debugging grant that
    write-authority rules must report (WA-001, WA-002), and a draft never hides a finding by
    calling its principal a replicator."""
    broad: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    named: set[str] = {p for p in principals if _REPLICATION_NAME.search(p)}
    for writer in found:
        if writer.principal == EVERYONE:
            continue
        if writer.every_topic and writer.family in replicated:
            broad[writer.principal][writer.role].add(writer.family)
        if _REPLICATION_NAME.search(writer.principal):
            named.add(writer.principal)
    result = {}
    other = next(role for role in names if role != passive)
    for principal, by_role in broad.items():
        families = by_role.get(passive, set())
        if len(families) >= 2 and by_role.get(other):
            result[principal] = (
                f"may write every topic of {len(families)} replicated families in "
                f"{names[passive]} and of {len(by_role[other])} in {names[other]}"
            )
    for principal in named:
        result.setdefault(principal, "its name says it belongs to a replication tool")
    return dict(sorted(result.items()))


def transactional_principals(regions: tuple[RegionInput, RegionInput], canon: Canon) -> set[str]:
    """Principals granted transactional-id writes (Kafka ACLs or IAM)."""
    found = set()
    for region in regions:
        for acl in region.document.get("acls", []) or []:
            if (
                str(acl.get("resource_type", "")).upper() == "TRANSACTIONAL_ID"
                and str(acl.get("operation", "")).upper() in ("WRITE", "ALL")
                and str(acl.get("permission", "ALLOW")).upper() == "ALLOW"
            ):
                found.add(canon.text(str(acl.get("principal"))))
        for grant in region.document.get("iam_grants", []) or []:
            actions = [str(a) for a in grant.get("actions", []) or []]
            if str(grant.get("effect", "Allow")) == "Allow" and any(
                fnmatch.fnmatchcase("kafka-cluster:AlterTransactionalId", a) for a in actions
            ):
                found.add(canon.text(str(grant.get("principal"))))
    return found
