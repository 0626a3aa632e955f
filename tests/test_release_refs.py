"""Every place a user copies a release reference from (the pre-commit `rev:`, `pip install
...@vX.Y.Z`, `uses: ...@vX.Y.Z`, the GitLab include) names the version in checker/__init__.py,
and that version is a release in CHANGELOG.md: releases are tagged `vX.Y.Z` from there
(docs/install.md#releases). Bumping the version without updating a snippet fails here."""

from __future__ import annotations

import re
from pathlib import Path

import checker

from .conftest import ROOT

TAG = f"v{checker.__version__}"
# a release reference: rev: vX.Y.Z, failback-checker@vX.Y.Z, failback-checker/vX.Y.Z/ (raw URL)
REFERENCE = re.compile(r"(?:rev:\s*|failback-checker[@/])(v\d+\.\d+\.\d+)\b")


def _copied_from() -> list[Path]:
    docs = [p for p in (ROOT / "docs").rglob("*.md") if "rules" not in p.parts]
    examples = [p for p in (ROOT / "examples").rglob("*") if p.suffix in (".yml", ".yaml")]
    top = [ROOT / name for name in ("README.md", ".pre-commit-hooks.yaml", "action.yml")]
    return sorted([*top, *docs, *examples])


def test_snippets_name_the_current_release() -> None:
    found: dict[str, set[str]] = {}
    for path in _copied_from():
        for match in REFERENCE.finditer(path.read_text("utf-8")):
            found.setdefault(match[1], set()).add(str(path.relative_to(ROOT)))
    assert set(found) == {TAG}, {tag: sorted(files) for tag, files in found.items()}
    # the places issue #17 named carry it
    named = found[TAG]
    for name in (
        ".pre-commit-hooks.yaml",
        "docs/integrations/pre-commit.md",
        "README.md",
        "action.yml",
        "examples/ci/gitlab-ci.yml",
    ):
        assert name in named, name


def test_the_pre_commit_snippet_rev_is_the_release() -> None:
    doc = (ROOT / "docs" / "integrations" / "pre-commit.md").read_text("utf-8")
    revs = re.findall(r"^\s*rev:\s*(\S+)", doc, re.MULTILINE)
    assert revs == [TAG]


def test_the_version_is_a_changelog_release_with_its_tag_link() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert re.search(
        rf"^## \[{re.escape(checker.__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$",
        changelog,
        re.MULTILINE,
    )
    assert f"[{checker.__version__}]: " in changelog
    assert f"releases/tag/{TAG}" in changelog
