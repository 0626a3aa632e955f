"""Discovering the Rego unit tests (`test_*` rules in `*_test.rego`)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
_TEST_RULE = re.compile(r"^(test_[A-Za-z0-9_]+)\s+if\b", re.MULTILINE)
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)


def discover() -> list[tuple[str, str]]:
    """(file, data.<package>.<rule>) for every test rule, in file order."""
    found = []
    for path in sorted(POLICIES.rglob("*_test.rego")):
        text = path.read_text("utf-8")
        package = _PACKAGE.search(text)
        assert package, f"{path} has no package line"
        for name in dict.fromkeys(_TEST_RULE.findall(text)):
            found.append((str(path.relative_to(ROOT)), f"data.{package.group(1)}.{name}"))
    return found
