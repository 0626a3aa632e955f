"""A region's grant records: grant key -> record, each record worked out when it is read.

A record's fields are the grant's own (principal, resource type, pattern type, resource name,
operation, permission, host: the key's fields; source) and three worked out from them the same
way in both regions (`Derivation`): whether the principal is a replicator, the families the
resource covers, whether the grant lets the principal write to a topic. So two regions' records
of one key are equal exactly when their sources are, and the region diff finds what differs from
the keys and sources alone (`GrantMap.missing_from`, `GrantMap.differing`): it reads the records
of those keys only. A large estate holds 500k ACL grants a region and differs in a few: the
records were half a second of building and a hundred megabytes, for the diff to skip them.

ACL grants are kept as the rows of the snapshot's ACL columns (`grants.AclColumns`); other
grants (IAM's: few), and the ACL records of a snapshot read record by record, as records. A key
granted by an ACL and by IAM keeps the IAM record: the greatest source, as when the grants were
sorted.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import filterfalse, repeat
from typing import Any

from .grants import WRITE_OPERATIONS, Grant, TopicIndex

ACL = "acl"


class Derivation:
    """How a record's worked-out fields follow from its grant's, one for both regions (so that
    their records of one key and source are equal): `is_replicator` of a principal, `index` of
    the topics and families. Each answer is remembered: estates name few principals and
    patterns many times."""

    def __init__(self, is_replicator: Callable[[str], bool], index: TopicIndex) -> None:
        self._is_replicator = is_replicator
        self._index = index
        self._replicators: dict[str, bool] = {}
        self._none: list[str] = []  # the families of a grant on no topic (read-only)

    def replicator(self, principal: str) -> bool:
        found = self._replicators.get(principal)
        if found is None:
            found = self._replicators[principal] = self._is_replicator(principal)
        return found

    def records(self, fields: Sequence[Sequence[str]], source: str) -> list[dict[str, Any]]:
        """The records of many grants of one source from their fields' columns (`Grant` order,
        the source left out): each worked-out field once per distinct principal or resource,
        the records laid out with C-level maps."""
        principals, rtypes, patterns, names, operations = fields[:5]
        replicators = {p: self.replicator(p) for p in dict.fromkeys(principals)}
        resources = list(zip(rtypes, patterns, names, strict=True))
        families = {
            resource: self._index.families(resource[1], resource[2])
            for resource in dict.fromkeys(resources)
            if resource[0] == "TOPIC"
        }
        writes = map(_TOPIC_WRITES.get, zip(rtypes, operations, strict=True), repeat(False))
        built = map(
            _GrantRecord,
            *fields,
            repeat(source),
            map(replicators.__getitem__, principals),
            map(families.get, resources, repeat(self._none)),
            writes,
        )
        return list(map(vars, built))

    def record(self, grant: Grant) -> dict[str, Any]:
        """The grant's record (read-only: records of grants on no topic share one empty
        families list, the index shares its lists)."""
        principal, rtype, pattern, name, operation, _, _, _ = grant
        return vars(
            _GrantRecord(
                *grant,
                self.replicator(principal),
                self._index.families(pattern, name) if rtype == "TOPIC" else self._none,
                _TOPIC_WRITES.get((rtype, operation), False),
            )
        )


_TOPIC_WRITES = {("TOPIC", operation): True for operation in WRITE_OPERATIONS}


class _GrantRecord:
    """Builds one grant record: the attribute dict of an instance is a plain `dict` whose keys
    are shared by every instance (PEP 412), a third of the memory of a dict of its own. Only
    the dict is kept; its key order is the order the attributes are set in."""

    def __init__(
        self,
        principal: str,
        resource_type: str,
        pattern_type: str,
        resource_name: str,
        operation: str,
        permission: str,
        host: str,
        source: str,
        replicator: bool,
        families: list[str],
        write: bool,
    ) -> None:
        self.principal = principal
        self.resource_type = resource_type
        self.pattern_type = pattern_type
        self.resource_name = resource_name
        self.operation = operation
        self.permission = permission
        self.host = host
        self.source = source
        self.replicator = replicator
        self.families = families
        self.write = write


class GrantMap(Mapping[str, dict[str, Any]]):
    """Grant key -> record (read-only), in the order keys were first granted: the ACL rows'
    keys, then the other grants' keys no ACL row has. A record is worked out when first read
    and kept (reading it again gives the same object)."""

    def __init__(
        self,
        rows: dict[str, int],
        columns: Sequence[Sequence[str]],
        others: dict[str, dict[str, Any]],
        derivation: Derivation,
    ) -> None:
        self._rows = rows  # ACL grant key -> a row of `columns` granting it
        self._columns = columns  # the ACL grants' fields but the source, in `Grant` order
        self._others = others  # key -> record, for the other grants (they win over a row)
        self._derivation = derivation
        self._built: dict[str, dict[str, Any]] = {}
        self._extra = [k for k in others if k not in rows]  # keys no ACL row has

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self.many([key])[0]

    def many(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """The records of `keys` (each held), in that order: those of ACL rows not read yet
        worked out together (`Derivation.records`), and kept."""
        built = self._built
        todo = [k for k in dict.fromkeys(keys) if k not in self._others and k not in built]
        if todo:
            rows = list(map(self._rows.__getitem__, todo))
            fields = [list(map(column.__getitem__, rows)) for column in self._columns]
            built.update(zip(todo, self._derivation.records(fields, ACL), strict=True))
        return [self._others.get(k) or built[k] for k in keys]

    def __contains__(self, key: object) -> bool:
        return key in self._rows or key in self._others

    def __iter__(self) -> Iterator[str]:
        yield from self._rows
        yield from self._extra

    def __len__(self) -> int:
        return len(self._rows) + len(self._extra)

    def source(self, key: str) -> str:
        found = self._others.get(key)
        if found is not None:
            return str(found["source"])
        if key in self._rows:
            return ACL
        raise KeyError(key)

    def alike(self, other: GrantMap) -> bool:
        """Are the two maps' records of a key and source equal (one derivation)?"""
        return self._derivation is other._derivation

    def missing_from(self, other: GrantMap) -> list[str]:
        """The keys of this map that `other` lacks, unsorted (the ACL rows' keys looked up in
        a C-level loop)."""
        missing = list(filterfalse(other._rows.__contains__, self._rows))
        if other._others:
            missing = [k for k in missing if k not in other._others]
        missing += [k for k in self._extra if k not in other]
        return missing

    def differing(self, other: GrantMap) -> list[str]:
        """The keys both maps hold whose records differ (`alike` maps: whose sources differ;
        a key both hold from ACL rows has the same record in both), unsorted."""
        candidates = self._others.keys() | other._others.keys()
        return [
            k for k in candidates if k in self and k in other and self.source(k) != other.source(k)
        ]


def grant_map(
    acl_columns: Sequence[Sequence[str]] | None,
    grant_list: Iterable[Grant],
    derivation: Derivation,
) -> GrantMap:
    """The region's grant records: its ACL grants from their columns (principals canonical;
    `grants.ACL_FIELDS` order, the source left out), then `grant_list`. A key granted twice
    keeps the record of its greatest source (the first of them)."""
    columns = list(acl_columns) if acl_columns is not None else []
    keys = list(map("|".join, zip(*columns, strict=True))) if columns else []
    rows = dict(zip(keys, itertools.count()))
    if len(rows) < len(keys):  # a key granted twice: its first row (fields holding "|" may
        # join to one key and differ)
        rows.update(zip(reversed(keys), reversed(range(len(keys))), strict=True))
    others: dict[str, dict[str, Any]] = {}
    for grant in grant_list:
        key = grant.key
        kept = others.get(key)
        kept_source = kept["source"] if kept is not None else (ACL if key in rows else None)
        if kept_source is not None and kept_source >= grant.source:
            continue
        others[key] = derivation.record(grant)
    return GrantMap(rows, columns, others, derivation)
