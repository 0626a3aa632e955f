"""`failback init` on live AWS (moto): two inline aws sources, the regions' names taken from
the cluster ARNs; the draft names the same sources, validates, and `check` finds what the
hand-written plan finds (tests/test_init.py says which rules a draft cannot know)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ..test_init import PLAN_ONLY_RULES
from . import estate
from .conftest import World
from .estate import PRIMARY, SECONDARY


def _ids(cli: Any, plan: Path) -> dict[str, set[str]]:
    run = cli(["check", "-c", str(plan), "--phase", "all", "--format", "json"])
    assert run.exit_code in (0, 1, 4), run.stderr
    return {
        d["phase"]: {f["rule_id"] for f in d["findings"]} - PLAN_ONLY_RULES
        for d in json.loads(run.stdout)["decisions"]
    }


def test_init_from_two_live_aws_sources(world: World, cli: Any, tmp_path: Path) -> None:
    regions = estate.build(world, drift=True)

    def source(name: str) -> str:
        return json.dumps(
            {
                "type": "aws",
                "cluster_arn": regions[name].cluster_arn,
                "endpoint_url": world.url,
                "storage_buckets": [estate.BUCKET[name]],
                "quiet": True,
                "max_attempts": 2,
            }
        )

    drafted = tmp_path / "drafted.yaml"
    run = cli(["init", source(PRIMARY), source(SECONDARY), "-o", str(drafted)])
    assert run.exit_code == 0, run.stderr
    text = drafted.read_text()
    document = yaml.safe_load(text)
    assert document["regions"]["secondary"]["name"] == SECONDARY  # from the cluster ARN
    assert document["regions"]["secondary"]["source"]["cluster_arn"] == (
        regions[SECONDARY].cluster_arn
    )
    assert document["topic_families"][0]["producers"] == ["iam:role/ledger-writer"]
    # no export reads consumer groups or quotas from AWS: suggested, never declared
    scope = '# evidence:\n#   out_of_scope: ["consumer_groups", "quotas"]\n'
    assert scope in text
    drafted.write_text(text.replace(scope, scope.replace("# ", "")))
    assert cli(["validate", str(drafted)]).exit_code == 0
    hand = tmp_path / "failback.yaml"
    hand.write_text(yaml.safe_dump(estate.plan(regions, world.url), sort_keys=False))
    assert _ids(cli, drafted) == _ids(cli, hand)
