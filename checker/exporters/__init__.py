"""Exporter registry: source type -> module. Explicit and lazy (boto3, confluent-kafka load on use).

Every exporter module provides
  command:      a click.Command, mounted as `failback export <name>`
  from_source:  (source mapping from failback.yaml, region name, plan directory) -> snapshot dict
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import InputError

EXPORTERS: Mapping[str, str] = {
    "aws": "checker.exporters.aws",
    "kafka": "checker.exporters.kafka",
    "terraform": "checker.exporters.terraform",
    "strimzi": "checker.exporters.strimzi",
}
SUMMARIES: Mapping[str, str] = {
    "aws": "Live AWS: MSK and its surroundings (boto3, read-only).",
    "kafka": "Live Kafka: ACLs, topics, brokers, groups (Admin API); MirrorMaker 2 config.",
    "terraform": "A `terraform show -json` plan or state.",
    "strimzi": "Strimzi custom resources (Kafka, KafkaTopic, KafkaUser, KafkaMirrorMaker2).",
}

FromSource = Callable[[Mapping[str, Any], str, Path], dict[str, Any]]


def module(name: str) -> ModuleType:
    if name not in EXPORTERS:
        raise InputError(
            f"unknown source type {name!r}; expected one of "
            f"{', '.join(sorted(EXPORTERS))} or snapshot"
        )
    try:
        return importlib.import_module(EXPORTERS[name])
    except ModuleNotFoundError as exc:
        raise InputError(
            f"the {name} exporter needs the missing module {exc.name!r} "
            f"(pip install 'failback-checker[{name}]')"
        ) from None


def available() -> list[str]:
    return sorted(EXPORTERS)


def from_source(source: Mapping[str, Any], region: str, base_dir: Path) -> dict[str, Any]:
    """Export one region from a source declared in failback.yaml."""
    exporter: FromSource = module(str(source.get("type"))).from_source
    return exporter(source, region, base_dir)
