"""The docs site: rule pages follow the catalog, and every page the nav lists exists."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from checker.policy.catalog import load_catalog

from .conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "scripts" / "generate_rule_docs.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_rule_docs", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages(nav: Any) -> Iterator[str]:
    """Every page path in an mkdocs nav (strings, {title: path} and {title: [section]})."""
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _pages(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _pages(value)


def _nav() -> list[str]:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    return list(_pages(config["nav"]))


def test_rule_pages_are_current() -> None:
    run = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr


def test_every_page_in_the_nav_exists() -> None:
    pages = _nav()
    missing = [p for p in pages if not (ROOT / "docs" / p).is_file()]
    assert missing == []
    assert len(pages) == len(set(pages))


def test_every_catalog_rule_has_a_page_in_the_nav_and_the_index() -> None:
    catalog = load_catalog()
    pages = set(_nav())
    index = (ROOT / "docs" / "rules" / "index.md").read_text("utf-8")
    for rule_id, entry in catalog.items():
        assert f"rules/{rule_id}.md" in pages
        assert f"[{rule_id}]({rule_id}.md)" in index
        page = (ROOT / "docs" / "rules" / f"{rule_id}.md").read_text("utf-8")
        assert page.splitlines()[2] == f"# {rule_id}: {entry['title']}"
        for heading in ("## Description", "## Why it matters for failback", "## Remediation"):
            assert heading in page
        assert entry["description"] in page
        assert entry["remediation"] in page
        assert f"`{entry['area']}`" in page
        assert entry["severity"] in page
        for area in entry["inputs"]:
            assert f"`{area}`" in page
    assert sorted(p for p in pages if p.startswith("rules/") and p != "rules/index.md") == sorted(
        f"rules/{rule_id}.md" for rule_id in catalog
    )


def test_rule_index_lists_every_rule_with_its_severity() -> None:
    """Moved from test_cli.py when the rule table moved from the README to the docs."""
    index = (ROOT / "docs" / "rules" / "index.md").read_text()
    for rule_id, entry in run_cli(["rules", "--format", "json"]).json().items():
        assert f"| [{rule_id}]({rule_id}.md) | {entry['area']} | {entry['severity']} |" in index


def test_policy_input_page_is_kept() -> None:
    assert "policy-input.md" in _nav()


@pytest.fixture
def copy_of_the_docs(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs" / "rules", tmp_path / "docs" / "rules")
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    return tmp_path


def test_check_reports_a_stale_missing_or_extra_page(
    copy_of_the_docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generator = _generator()
    rules = copy_of_the_docs / "docs" / "rules"
    assert generator.main(["--check"], root=copy_of_the_docs) == 0

    (rules / "WA-001.md").write_text("stale\n", "utf-8")
    (rules / "ACL-001.md").unlink()
    (rules / "OLD-001.md").write_text("a rule the catalog no longer has\n", "utf-8")
    assert generator.main(["--check"], root=copy_of_the_docs) == 1
    errors = capsys.readouterr().err
    assert "out of date: docs/rules/WA-001.md" in errors
    assert "out of date: docs/rules/ACL-001.md" in errors
    assert "not in the catalog: docs/rules/OLD-001.md" in errors

    assert generator.main([], root=copy_of_the_docs) == 0
    assert not (rules / "OLD-001.md").exists()
    assert generator.main(["--check"], root=copy_of_the_docs) == 0


def test_generator_follows_the_catalog(copy_of_the_docs: Path) -> None:
    """A rule added to the catalog (as another branch adds WVR-001) gets a page and a nav entry."""
    generator = _generator()
    catalog = load_catalog()
    catalog["WVR-001"] = {
        "area": "evidence",
        "severity": "high",
        "title": "Waiver expired",
        "description": "A waiver's end date has passed.",
        "remediation": "Renew or remove the waiver.",
        "phases": list(catalog["WA-001"]["phases"]),
        "inputs": [],
    }
    files = generator.render(copy_of_the_docs, catalog)
    page = files[copy_of_the_docs / "docs" / "rules" / "WVR-001.md"]
    assert "# WVR-001: Waiver expired" in page
    assert "A waiver's end date has passed." in page
    assert '"WVR-001: Waiver expired": rules/WVR-001.md' in files[copy_of_the_docs / "mkdocs.yml"]
    assert "[WVR-001](WVR-001.md)" in files[copy_of_the_docs / "docs" / "rules" / "index.md"]
