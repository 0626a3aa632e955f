"""Reading Kubernetes manifests for the Strimzi exporter: files and directories (*.yaml, *.yml,
walked in sorted order, hidden directories skipped), multi-document YAML, `kind: List`.

A walked directory is never left (symlinks out of it are skipped). Files are read with
checker.io.read' bounds (size, UTF-8) and parsed with a safe loader (no object tags) and a cap
on alias expansion (alias bombs), document by document. Invalid YAML
in a file you name is an error; in a walked directory it is an error when the file mentions
kafka.strimzi.io (a Strimzi resource we cannot read) and skipped with a warning otherwise (a
Helm template, an unrelated manifest).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...io.read import parse_yaml_all, read_text
from .._shared.paths import display_path

GROUP = "kafka.strimzi.io"
VERSIONS = ("v1beta2", "v1")
# KafkaUser v1beta1 (served up to 0.49) has the v1beta2 schema: read it alike
VERSIONS_OF_KIND = {
    "KafkaUser": ("v1beta1", "v1beta2", "v1"),
    # MirrorMaker 1 is never read, whatever its version: it becomes a gap
    "KafkaMirrorMaker": ("v1alpha1", "v1beta1", "v1beta2"),
}
KINDS = (
    "Kafka",
    "KafkaNodePool",
    "KafkaTopic",
    "KafkaUser",
    "KafkaMirrorMaker2",
    "KafkaMirrorMaker",
    "KafkaConnect",
    "KafkaConnector",
)
MAX_DOCUMENTS = 200_000
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Resource:
    kind: str
    api_version: str
    name: str
    namespace: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    spec: Mapping[str, Any]
    origin: str  # file#document
    file: str = ""  # the file as reports show it (normalised)

    @property
    def version(self) -> str:
        return self.api_version.rsplit("/", 1)[-1]

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.name} ({self.origin})"


@dataclass
class Manifests:
    resources: list[Resource] = field(default_factory=list)
    unsupported: list[Resource] = field(default_factory=list)  # Strimzi kinds of other versions
    warnings: list[str] = field(default_factory=list)
    files: int = 0

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]


def shown_path(path: Path) -> str:
    """A path as messages and gaps show it: normalised (no `..`), relative to the working
    directory when inside it."""
    return display_path(Path(os.path.normpath(path)))


def _files(paths: Sequence[Path], warnings: list[str]) -> Iterator[tuple[Path, bool]]:
    """(file, named explicitly) in a stable order. A walk stays inside the directory it was
    given: links to directories are not followed, and a file that resolves outside it (a
    symlink) is skipped with a warning."""
    for path in paths:
        if path.is_dir():
            top = path.resolve()
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                        file = Path(root) / name
                        if top not in file.resolve().parents:
                            warnings.append(
                                f"skipped {shown_path(file)}: it links outside {shown_path(path)}"
                            )
                            continue
                        yield file, False
        elif path.exists():
            yield path, True
        else:
            raise InputError(f"Strimzi manifests not found: {shown_path(path)}")


def _documents(text: str, origin: str) -> list[Any]:
    """Every document of a YAML stream, read with checker.io.read' safe multi-document parser
    (no Python objects from tags, alias bombs refused by their expanded size)."""
    return parse_yaml_all(text, origin, "Kubernetes manifest")


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def mappings(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def listed(value: Any) -> list[Any]:
    """A YAML list, or a single scalar as a one-item list; [] for anything else."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, str | int | float) and not isinstance(value, bool) else []


def _text_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def _flatten(document: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        return
    if document.get("kind") == "List" and isinstance(document.get("items"), list):
        for item in document["items"]:
            if isinstance(item, Mapping):
                yield item
        return
    yield document


def load(paths: Sequence[Path]) -> Manifests:
    found = Manifests()
    count = 0
    for path, named in _files(paths, found.warnings):
        text = read_text(path, "Kubernetes manifest")
        try:
            documents = _documents(text, str(path))
        except InputError as exc:
            if named or GROUP in text:
                raise
            found.warnings.append(f"skipped {shown_path(path)}: {exc.one_line()}")
            continue
        found.files += 1
        for index, document in enumerate(documents):
            for item in _flatten(document):
                count += 1
                if count > MAX_DOCUMENTS:
                    raise InputError(
                        f"more than {MAX_DOCUMENTS} Kubernetes resources under "
                        f"{', '.join(map(shown_path, paths))}"
                    )
                shown = shown_path(path)
                resource = _resource(item, shown, f"{shown}#{index + 1}")
                if resource is None:
                    continue
                if resource.version in VERSIONS_OF_KIND.get(resource.kind, VERSIONS):
                    found.resources.append(resource)
                else:
                    found.unsupported.append(resource)
    return found


def _resource(item: Mapping[str, Any], file: str, origin: str) -> Resource | None:
    api_version = str(item.get("apiVersion") or "")
    kind = str(item.get("kind") or "")
    if kind not in KINDS or api_version.rsplit("/", 1)[0] != GROUP:
        return None  # an unrelated kind (Secret, ConfigMap, KafkaNodePool, ...)
    meta = mapping(item.get("metadata"))
    spec = mapping(item.get("spec"))
    return Resource(
        kind=kind,
        api_version=api_version,
        name=str(meta.get("name") or "?"),
        namespace=str(meta["namespace"]) if meta.get("namespace") else None,
        labels=_text_map(meta.get("labels")),
        annotations=_text_map(meta.get("annotations")),
        spec=spec,
        origin=origin,
        file=file,
    )
