"""Where a finding lives in Strimzi manifests: the document and key, as file and line.

A snapshot the Strimzi exporter wrote records the manifests it read in `source.file` (one file,
or the directory that holds them). The locator indexes the Strimzi documents found there (the
same walk as the exporter: *.yaml / *.yml, hidden entries skipped, links to directories not
followed) by kind and name, with the line of every key, and points a finding at:

- a principal's KafkaUser (User:<name>, User:CN=<name>): the ACL rule on the finding's resource
  (type and name), a rule granting Write or All for write authority, else `acls:`, the
  `authentication:` of a SCRAM-user finding, else the document;
- a topic's KafkaTopic (spec.topicName or metadata.name): the config key the finding names,
  `partitions` / `replicas`, else the document;
- a flow's KafkaMirrorMaker2 or KafkaConnector (by name, `<name>/<src>-><tgt>` for one mirror of
  several): that mirror, or the connector's config;
- the Kafka for cluster-wide findings: the listener on the rule's port (network), a plaintext
  listener (encryption), a listener of the authentication mechanism, `authorization` for the
  authorizer settings, the `config` key a broker setting names, `version`.

Best effort, like every location: a finding it cannot place gets the Kafka document, and a
file it cannot read safely is skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import InputError
from ..io.read import read_text
from ..model import Finding

GROUP = "kafka.strimzi.io/"
SUFFIXES = (".yaml", ".yml")
# Bounds on the walk: locating is best effort, and a snapshot's source.file could name a
# large tree (its directory comes from the snapshot, not from the plan's confined paths).
MAX_FILES = 10_000
MAX_DIRECTORIES = 5_000
_PRINCIPAL = re.compile(r"User:(?:CN=)?([A-Za-z0-9][A-Za-z0-9._@-]*)")
_PORTS = re.compile(r"\|(\d+)-(\d+)\|")
_CONFIG_KEY = re.compile(r"\b([a-z][a-z0-9]*(?:\.[a-z0-9]+)+)\b")
AUTHORIZER_KEYS = ("authorizer.class.name", "super.users", "allow.everyone.if.no.acl.found")
MECHANISMS = {
    "scram": ("scram-sha-512",),
    "mtls": ("tls",),
    "oauth": ("oauth",),
    "custom": ("custom",),
}
WRITE_OPERATIONS = frozenset({"write", "all"})


@dataclass(frozen=True)
class Document:
    """A Strimzi resource of a manifest file: kind, name, cluster and where it is."""

    kind: str
    name: str
    cluster: str | None  # the strimzi.io/cluster label
    file: Path
    node: yaml.MappingNode

    @property
    def line(self) -> int:
        """The line of metadata.name, else of the document's first key."""
        name = _key_line(_child(self.node, "metadata"), "name")
        return name if name is not None else self.node.start_mark.line + 1


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if getattr(k, "value", None) == key:
            return v  # type: ignore[no-any-return]
    return None


def _key_line(node: yaml.Node | None, key: str) -> int | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, _ in node.value:
        if getattr(k, "value", None) == key:
            return int(k.start_mark.line) + 1
    return None


def _path(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    for key in keys:
        node = _child(node, key)
    return node


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _files(root: Path) -> Iterator[Path]:
    """The manifests under root, as the exporter walks them: links out of it are skipped."""
    if root.is_file():
        yield root
        return
    top = root.resolve()
    count = 0
    for visited, (folder, dirs, names) in enumerate(os.walk(root)):
        if visited >= MAX_DIRECTORIES:
            return
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            file = Path(folder) / name
            if not name.lower().endswith(SUFFIXES) or name.startswith("."):
                continue
            if top not in file.resolve().parents:
                continue
            count += 1
            if count > MAX_FILES:
                return
            yield file


def _documents(path: Path) -> Iterator[Document]:
    try:
        text = read_text(path, "Kubernetes manifest")
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (InputError, yaml.YAMLError, RecursionError):
        return
    for node in nodes:
        items = [node]
        if _scalar(_child(node, "kind")) == "List":
            items = _items(_child(node, "items"))
        for item in items:
            api = _scalar(_child(item, "apiVersion")) or ""
            kind = _scalar(_child(item, "kind"))
            if not api.startswith(GROUP) or kind is None or not isinstance(item, yaml.MappingNode):
                continue
            meta = _child(item, "metadata")
            yield Document(
                kind=kind,
                name=_scalar(_child(meta, "name")) or "",
                cluster=_scalar(_path(meta, "labels", "strimzi.io/cluster")),
                file=path,
                node=item,
            )


class StrimziIndex:
    """The Strimzi documents under one path, for one Kafka's findings."""

    def __init__(self, root: Path, kafka: str) -> None:
        self.kafka_name = kafka
        self.documents = [d for f in _files(root) for d in _documents(f)]

    def find(self, kind: str, name: str, labelled: bool = False) -> Document | None:
        found = [d for d in self.documents if d.kind == kind and d.name == name]
        if labelled:
            found = [d for d in found if d.cluster == self.kafka_name]
        return found[0] if found else None

    @property
    def kafka(self) -> Document | None:
        return self.find("Kafka", self.kafka_name)

    def topic(self, name: str) -> Document | None:
        for doc in self.documents:
            if doc.kind == "KafkaTopic" and doc.cluster == self.kafka_name:
                spec_name = _scalar(_path(doc.node, "spec", "topicName"))
                if (spec_name or doc.name) == name:
                    return doc
        return None

    # --- the one entry point -------------------------------------------------------------

    def locate(self, finding: Finding) -> tuple[Path, int] | None:
        for candidate in (
            self._user(finding),
            self._flow(finding),
            self._topic(finding),
            self._kafka(finding),
        ):
            if candidate is not None:
                return candidate
        return None

    def _user(self, finding: Finding) -> tuple[Path, int] | None:
        match = _PRINCIPAL.search(finding.resource) or _PRINCIPAL.search(finding.message)
        if match is None:
            return None
        doc = self.find("KafkaUser", match.group(1), labelled=True)
        if doc is None:
            return None
        spec = _child(doc.node, "spec")
        if finding.rule_id == "ACL-006" or finding.area == "authentication":
            line = _key_line(spec, "authentication")
            return doc.file, line or doc.line
        acls = _path(spec, "authorization", "acls")
        parts = finding.resource.split("|")
        wanted = (parts[1].lower(), parts[-1]) if len(parts) >= 4 else None
        for rule in _items(acls):
            target = _child(rule, "resource")
            rtype = (_scalar(_child(target, "type")) or "").lower()
            name = _scalar(_child(target, "name")) or ""
            ops = {(_scalar(o) or "").lower() for o in _items(_child(rule, "operations"))}
            ops.add((_scalar(_child(rule, "operation")) or "").lower())
            rtype = rtype.replace("transactionalid", "transactional_id")
            if wanted is not None and (rtype, name) == wanted:
                return doc.file, _line(rule)
            if wanted is None and finding.area == "write_authority" and ops & WRITE_OPERATIONS:
                return doc.file, _line(rule)
        line = _key_line(_child(spec, "authorization"), "acls")
        return doc.file, line or doc.line

    def _flow(self, finding: Finding) -> tuple[Path, int] | None:
        if finding.area not in ("replication", "offsets"):
            return None
        for word in re.split(r"\s+<->\s+|\s+", finding.resource):
            name, _, leg = word.partition("/")
            doc = self.find("KafkaMirrorMaker2", name) or self.find("KafkaConnector", name)
            if doc is None:
                continue
            spec = _child(doc.node, "spec")
            if doc.kind == "KafkaConnector":
                return doc.file, _key_line(spec, "config") or doc.line
            mirrors = _items(_child(spec, "mirrors"))
            for mirror in mirrors:
                source = _scalar(_child(mirror, "sourceCluster")) or _scalar(
                    _path(mirror, "source", "alias")
                )
                if leg and leg.startswith(f"{source}->"):
                    return doc.file, _line(mirror)
            if len(mirrors) == 1:
                return doc.file, _line(mirrors[0])
            return doc.file, _key_line(spec, "mirrors") or doc.line
        return None

    def _topic(self, finding: Finding) -> tuple[Path, int] | None:
        doc = self.topic(finding.resource)
        if doc is None:
            return None
        spec = _child(doc.node, "spec")
        config = _child(spec, "config")
        for key in _CONFIG_KEY.findall(finding.message):
            line = _key_line(config, key)
            if line is not None:
                return doc.file, line
        text = finding.message.lower()
        for word, key in (("partition", "partitions"), ("replication factor", "replicas")):
            if word in text and _key_line(spec, key) is not None:
                return doc.file, _key_line(spec, key) or doc.line
        return doc.file, doc.line

    def _kafka(self, finding: Finding) -> tuple[Path, int] | None:
        doc = self.kafka
        if doc is None:
            return None
        kafka = _path(doc.node, "spec", "kafka")
        listeners = _items(_child(kafka, "listeners"))
        resource = finding.resource
        line: int | None = None
        ports = _PORTS.search(resource)
        if finding.area == "network" and ports:
            low, high = int(ports.group(1)), int(ports.group(2))
            line = _first(listeners, lambda x: low <= _int(_child(x, "port")) <= high)
        elif resource == "network.public_access":
            line = _first(listeners, lambda x: _scalar(_child(x, "type")) not in _INSIDE)
        elif resource in ("network.plaintext_listener", "encryption.in_transit.client_broker"):
            line = _first(listeners, lambda x: _scalar(_child(x, "tls")) != "true")
        elif resource.startswith("authentication."):
            types = MECHANISMS.get(resource.split(".", 1)[1], ())
            if resource == "authentication.unauthenticated":
                line = _first(listeners, lambda x: _child(x, "authentication") is None)
            else:
                line = _first(
                    listeners,
                    lambda x: _scalar(_path(x, "authentication", "type")) in types,
                )
        if line is None and any(k in resource or k in finding.message for k in AUTHORIZER_KEYS):
            line = _key_line(kafka, "authorization")
        if line is None and "no authorizer" in finding.message:
            # where spec.kafka.authorization would be
            line = _key_line(kafka, "authorization") or _key_line(_child(doc.node, "spec"), "kafka")
        if line is None and finding.area == "compatibility":
            line = _key_line(kafka, "version")
        if line is None:
            for key in _CONFIG_KEY.findall(f"{resource} {finding.message}"):
                line = _key_line(_child(kafka, "config"), key)
                if line is not None:
                    break
        if line is None and finding.area in ("network", "encryption", "authentication"):
            line = _key_line(kafka, "listeners")
        return doc.file, line or doc.line


_INSIDE = frozenset({"internal", "cluster-ip"})


def _int(node: yaml.Node | None) -> int:
    text = _scalar(node)
    return int(text) if text is not None and text.isdigit() else -1


def _first(nodes: list[yaml.Node], test: Callable[[yaml.Node], bool]) -> int | None:
    for node in nodes:
        if test(node):
            return _line(node)
    return None
