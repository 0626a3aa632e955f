"""Region sources declared in failback.yaml: merging several exporters' snapshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError
from checker.plan import parse_plan
from checker.sources import merge, region_snapshot

from .conftest import ESTATE


def doc(variant: str = "ready", region: str = "us-west-2") -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ESTATE / variant / f"{region}.json").read_text())
    return loaded


def test_an_area_one_source_read_fills_another_sources_gap() -> None:
    aws = doc()
    aws["source"] = {"type": "aws", "detail": "x"}
    del aws["acls"], aws["consumer_groups"]
    aws["gaps"] = [{"area": "acls", "reason": "ACLs live in Kafka", "call": ""}]
    kafka = {
        "schema_version": "1.0",
        "region": "us-west-2",
        "captured_at": aws["captured_at"],
        "source": {"type": "kafka"},
        "cluster": aws["cluster"],
        "acls": doc()["acls"],
        "consumer_groups": doc()["consumer_groups"],
        "gaps": [{"area": "encryption", "reason": "not visible over Kafka", "call": ""}],
    }
    merged = merge([aws, kafka])
    assert merged["acls"] == doc()["acls"]
    assert merged["consumer_groups"] == doc()["consumer_groups"]
    assert merged["encryption"] == doc()["encryption"]  # the first source's reading stands
    assert merged["gaps"] == []
    assert merged["source"] == {"type": "aws", "detail": "merged: aws + kafka"}


def test_a_gap_nobody_filled_stays() -> None:
    first = doc()
    first["gaps"] = [{"area": "audit", "reason": "AccessDenied"}]
    second = doc()
    second["gaps"] = [{"area": "audit", "reason": "AccessDenied too"}]
    merged = merge([first, second])
    assert sorted(g["reason"] for g in merged["gaps"]) == ["AccessDenied", "AccessDenied too"]


def test_a_single_document_is_unchanged() -> None:
    assert merge([doc()]) == doc()


def test_plan_accepts_a_list_of_sources() -> None:
    plan = parse_plan(
        {
            "schema_version": "1.0",
            "regions": {
                "primary": {"name": "a", "source": [{"type": "aws"}, {"type": "kafka"}]},
                "secondary": {"name": "b", "source": {"type": "terraform"}},
            },
            "topic_families": [{"name": "all", "match": ["*"]}],
        },
        "plan",
    )
    assert plan.primary.source == [{"type": "aws"}, {"type": "kafka"}]


def test_unknown_source_type_is_an_input_error() -> None:
    with pytest.raises(InputError, match="does not match the v1 schema"):
        parse_plan(
            {
                "schema_version": "1.0",
                "regions": {
                    "primary": {"name": "a", "source": {"type": "ftp"}},
                    "secondary": {"name": "b"},
                },
                "topic_families": [{"name": "all", "match": ["*"]}],
            },
            "plan",
        )


def test_region_without_snapshot_or_source(tmp_path: Path) -> None:
    plan = parse_plan(
        {
            "schema_version": "1.0",
            "regions": {"primary": {"name": "a"}, "secondary": {"name": "b"}},
            "topic_families": [{"name": "all", "match": ["*"]}],
        },
        "plan",
        tmp_path / "failback.yaml",
    )
    with pytest.raises(InputError, match="no snapshot or source for the primary region a"):
        region_snapshot(plan, plan.primary, None)


def test_audit_exports_both_regions_checks_them_and_keeps_the_evidence(tmp_path: Path) -> None:
    from .conftest import ROOT, run_cli

    plan = ROOT / "fixtures" / "terraform" / "faulted" / "failback.yaml"
    run = run_cli(
        [
            "audit",
            "-c",
            str(plan),
            "--now",
            "2026-11-29T00:00:00Z",
            "--export-dir",
            str(tmp_path),
            "--format",
            "json",
        ]
    )
    assert run.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["us-east-1.json", "us-west-2.json"]
    exported = json.loads((tmp_path / "us-west-2.json").read_text())
    assert exported["source"]["type"] == "terraform"
    assert exported["encryption"]["in_transit"]["in_cluster"] is False
    rules = {f["rule_id"] for f in run.json()["decisions"][0]["findings"]}
    assert "ENC-002" in rules


def test_export_dir_must_be_a_directory_and_is_created_when_missing(tmp_path: Path) -> None:
    from .conftest import ROOT, run_cli

    def audit(export_dir: Path) -> Any:
        plan = ROOT / "fixtures" / "terraform" / "ready" / "failback.yaml"
        return run_cli(["audit", "-c", str(plan), "--export-dir", str(export_dir)])

    a_file = tmp_path / "a-file"
    a_file.write_text("keep\n")
    run = audit(a_file)
    assert run.exit_code == 2
    assert "is not a directory" in run.stderr
    assert a_file.read_text() == "keep\n"
    missing = tmp_path / "missing" / "evidence"
    assert audit(missing).exit_code in (0, 1, 4)
    assert sorted(p.name for p in missing.iterdir()) == ["us-east-1.json", "us-west-2.json"]
