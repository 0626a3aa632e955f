"""Exporter registry: source type -> (package, summary). Explicit and lazy: a source's package
(and boto3, confluent-kafka behind it) is imported only when that source is used.

Every source package (aws/, kafka/, terraform/, strimzi/) provides
  <Name>Source:  a frozen dataclass, what one export reads (region, cluster, paths, ...)
  from_plan:     (failback.yaml `source:` mapping, region name, plan directory) -> <Name>Source
  export:        (<Name>Source, messages: TextIO | None) -> snapshot v1 document (a dict);
                 progress and warnings go to `messages` (the command line hands in stderr)
and imports only from itself, _shared/ and checker's core modules, never from another source
or the command line. Adding a source: a package beside these and one line below.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple, TextIO

from ..errors import InputError


class Exporter(NamedTuple):
    module: str
    summary: str


EXPORTERS: Mapping[str, Exporter] = {
    "aws": Exporter(
        "checker.exporters.aws", "Live AWS: MSK and its surroundings (boto3, read-only)."
    ),
    "kafka": Exporter(
        "checker.exporters.kafka",
        "Live Kafka: ACLs, topics, brokers, groups (Admin API); MirrorMaker 2 config.",
    ),
    "terraform": Exporter("checker.exporters.terraform", "A `terraform show -json` plan or state."),
    "strimzi": Exporter(
        "checker.exporters.strimzi",
        "Strimzi custom resources (Kafka, KafkaTopic, KafkaUser, KafkaMirrorMaker2).",
    ),
}


def module(name: str) -> ModuleType:
    if name not in EXPORTERS:
        raise InputError(
            f"unknown source type {name!r}; expected one of "
            f"{', '.join(sorted(EXPORTERS))} or snapshot"
        )
    try:
        return importlib.import_module(EXPORTERS[name].module)
    except ModuleNotFoundError as exc:
        raise InputError(
            f"the {name} exporter needs the missing module {exc.name!r} "
            f"(pip install 'failback-checker[{name}]')"
        ) from None


def available() -> list[str]:
    return sorted(EXPORTERS)


def from_source(
    source: Mapping[str, Any],
    region: str,
    base_dir: Path,
    messages: TextIO | None,
    now: str | None = None,
) -> dict[str, Any]:
    """Export one region from a source declared in failback.yaml. `now` (RFC 3339) is handed
    to sources whose config takes it (`now` field): their capture time when the files do not
    tell one, so a check of the same files is reproducible."""
    exporter = module(str(source.get("type")))
    config = exporter.from_plan(source, region, base_dir)
    if now is not None and any(f.name == "now" for f in dataclasses.fields(config)):
        config = dataclasses.replace(config, now=now)
    snapshot: dict[str, Any] = exporter.export(config, messages)
    return snapshot
