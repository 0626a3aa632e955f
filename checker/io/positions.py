"""Line and column of a place in a YAML or JSON document, for messages people can act on.

The text is composed (not constructed) with PyYAML, which reads JSON as well: each node keeps
where it starts. Best effort: text PyYAML cannot compose (e.g. a JSON surrogate pair escape)
gives no positions, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


class Positions:
    """Where the documents of one text put each value (and each mapping key)."""

    def __init__(self, text: str) -> None:
        try:
            self._roots: list[yaml.Node] = list(yaml.compose_all(text, Loader=_LOADER))
        except (yaml.YAMLError, UnicodeError, RecursionError, ValueError):
            self._roots = []

    def of(
        self, path: Sequence[str | int], key: str | None = None, document: int = 0
    ) -> Position | None:
        """The value at `path` (keys and list indexes) of the `document`-th document, or with
        `key` the key `key` of the mapping there; None when it cannot be found."""
        if document >= len(self._roots):
            return None
        node: yaml.Node = self._roots[document]
        steps = [*path, *([key] if key is not None else [])]
        for index, step in enumerate(steps):
            last_is_key = key is not None and index == len(steps) - 1
            found = self._child(node, step, want_key=last_is_key)
            if found is None:
                return None
            node = found
        mark = node.start_mark
        return Position(mark.line + 1, mark.column + 1)

    @staticmethod
    def _child(node: yaml.Node, step: str | int, want_key: bool) -> yaml.Node | None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(step):
                    return key_node if want_key else value_node
            return None
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            return node.value[step] if 0 <= step < len(node.value) else None
        return None
