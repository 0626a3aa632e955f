"""Docs that name what the program outputs must name what it outputs (issue #17, item 8)."""

from __future__ import annotations

import re

import click

from .conftest import ROOT, run_cli

RULE_LINK = re.compile(r"\[([A-Z]{2,3}-\d{3})\]\((?:\.\./)*rules/([A-Z]{2,3}-\d{3})\.md")


def test_every_rule_the_docs_link_exists() -> None:
    """docs/concepts/replication.md linked OFF-006, a rule since renamed CA-002."""
    catalog = set(run_cli(["rules", "--format", "json"]).json())
    for page in (ROOT / "docs").rglob("*.md"):
        for shown, target in RULE_LINK.findall(page.read_text("utf-8")):
            assert shown == target and target in catalog, (page, shown, target)


def test_the_readme_lists_every_report_format() -> None:
    from checker.reports import FORMATS

    readme = (ROOT / "README.md").read_text("utf-8")
    listed = readme.split("Reports: ", 1)[1].split(".\n", 1)[0]
    assert re.findall(r"`([a-z]+)`", listed) == list(FORMATS)


def test_the_cli_reference_lists_every_command() -> None:
    from checker.cli import main

    reference = (ROOT / "docs" / "reference" / "cli.md").read_text("utf-8")
    for name in main.list_commands(click.Context(main)):
        assert f"failback {name}" in reference, name
