"""Reading JSON and YAML documents safely: bounded size, UTF-8, no object tags, no alias bombs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError

MAX_INPUT_BYTES = int(os.environ.get("FAILBACK_MAX_INPUT_BYTES", str(512 * 1024 * 1024)))
MAX_YAML_EXPANDED_NODES = 2_000_000


def read_text(path: Path, what: str) -> str:
    """Read a UTF-8 file, refusing missing, unreadable, oversized or non-UTF-8 input."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None
    if path.is_dir():
        raise InputError(f"{what} {path} is a directory, expected a file")
    if size > MAX_INPUT_BYTES:
        raise InputError(
            f"{what} {path} is {size} bytes, over the {MAX_INPUT_BYTES}-byte limit",
            hint="raise FAILBACK_MAX_INPUT_BYTES if this is intended",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} {path} is not UTF-8 text (byte {exc.start})") from None


def parse_json(text: str, origin: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} {origin} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InputError(f"{what} {origin} is nested too deeply to be a {what}") from None


# libyaml's SafeLoader when PyYAML has it (10x faster on large plans and manifests). Safe
# loaders build no Python objects from tags, and an anchor is built once and shared by its
# aliases, so an alias bomb costs nothing to load; _expanded_size refuses it before anything
# walks it.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _expanded_size(node: Any, memo: dict[int, int], limit: int) -> int:
    """Nodes the document would have with every alias expanded (linear: shared nodes memoised)."""
    if not isinstance(node, dict | list):
        return 1
    key = id(node)
    if key in memo:
        return memo[key]
    children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
    total = 1
    for child in children:
        total += _expanded_size(child, memo, limit)
        if total > limit:
            break
    memo[key] = total
    return total


def _load_all(text: str) -> list[Any]:
    documents = []
    for document in yaml.load_all(text, Loader=_LOADER):
        if _expanded_size(document, {}, MAX_YAML_EXPANDED_NODES) > MAX_YAML_EXPANDED_NODES:
            raise yaml.YAMLError(
                f"aliases expand to more than {MAX_YAML_EXPANDED_NODES} nodes (alias bomb?)"
            )
        documents.append(document)
    return documents


def parse_yaml(text: str, origin: str, what: str) -> Any:
    """One YAML document (a plan, a waiver file) with one-line errors."""
    return _parse(text, origin, what, many=False)


def parse_yaml_all(text: str, origin: str, what: str) -> list[Any]:
    """Every document of a multi-document YAML stream (Kubernetes manifests)."""
    documents: list[Any] = _parse(text, origin, what, many=True)
    return documents


def _parse(text: str, origin: str, what: str, many: bool) -> Any:
    try:
        if many:
            return _load_all(text)
        documents = _load_all(text)
        if len(documents) > 1:
            raise yaml.YAMLError("expected one YAML document, found several (--- separators)")
        return documents[0] if documents else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InputError(f"{what} {origin} is not valid YAML: {exc.problem}{where}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{what} {origin} is not valid YAML: {exc}") from None
    except ValueError as exc:  # a well-formed scalar that cannot be built, e.g. 2026-13-45
        raise InputError(
            f"{what} {origin} has an impossible date or value: {exc}", hint="dates are YYYY-MM-DD"
        ) from None
    except RecursionError:
        raise InputError(f"{what} {origin} is nested too deeply") from None


def load_document(path: Path, what: str) -> Any:
    """Load a JSON (.json) or YAML (anything else) document."""
    text = read_text(path, what)
    if path.suffix.lower() == ".json":
        return parse_json(text, str(path), what)
    return parse_yaml(text, str(path), what)
