"""A seeded generator of large, realistic two-region estates for the benchmarks.

    python -m benchmarks.estate --topics 10000 --bindings 100000 --out /tmp/estate

writes failback.yaml, us-east-1.json and us-west-2.json: N topics in families, M ACL bindings
(producers write only in the primary, consumers read in both), IAM grants, replication flows,
consumer groups and a controlled fraction of drift in the secondary.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

import yaml

PRIMARY, SECONDARY = "us-east-1", "us-west-2"
ACCOUNT = "111122223333"
PHASES = ("normal", "failover", "dr_operation", "failback", "cleanup")
WRITERS = {
    "normal": "primary",
    "failover": "secondary",
    "dr_operation": "secondary",
    "failback": "primary",
    "cleanup": "primary",
}


def _acl(
    principal: str, rtype: str, name: str, op: str, pattern: str = "LITERAL"
) -> dict[str, str]:
    return {
        "principal": principal,
        "resource_type": rtype,
        "pattern_type": pattern,
        "resource_name": name,
        "operation": op,
        "permission": "ALLOW",
        "host": "*",
    }


def generate(
    topics: int, bindings: int, seed: int = 7, drift: float = 0.01, families: int = 0
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    rng = random.Random(seed)
    family_count = families or max(6, min(200, topics // 50))
    names = [f"fam{i:03d}" for i in range(family_count)]
    topic_names = [f"{names[i % family_count]}.topic-{i:06d}" for i in range(topics)]
    by_family: dict[str, list[str]] = {n: [] for n in names}
    for t in topic_names:
        by_family[t.split(".", 1)[0]].append(t)

    producers = {n: f"User:{n}-producer" for n in names}
    per_topic = max(2, bindings // max(topics, 1))
    consumers = max(1, (per_topic - 2) // 2)

    def all_acls() -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for topic in topic_names:
            family = topic.split(".", 1)[0]
            out.append(_acl(producers[family], "TOPIC", topic, "WRITE"))
            out.append(_acl(producers[family], "TOPIC", topic, "DESCRIBE"))
            for c in range(consumers):
                out.append(_acl(f"User:{family}-consumer-{c}", "TOPIC", topic, "READ"))
                out.append(_acl(f"User:{family}-consumer-{c}", "TOPIC", topic, "DESCRIBE"))
                if len(out) >= bindings:
                    return out
        k = 0
        while len(out) < bindings:  # pad with group grants up to the exact count
            out.append(_acl(f"User:extra-{k % 997}", "GROUP", f"group-{k}", "READ"))
            k += 1
        return out[:bindings]

    primary_acls = all_acls()
    # the secondary is fenced for the failback phase: no producer writes there
    secondary_acls = [a for a in primary_acls if a["operation"] != "WRITE"]

    def snapshot(region: str, captured: str) -> dict[str, Any]:
        arn = f"arn:aws:kafka:{region}:{ACCOUNT}"
        cluster = f"estate-{region}/uuid-{region}-1"
        return {
            "schema_version": "1.0",
            "region": region,
            "captured_at": captured,
            "source": {"type": "generated", "detail": f"benchmarks.estate seed={seed}"},
            "cluster": {
                "id": f"{arn}:cluster/{cluster}",
                "name": f"estate-{region}",
                "kind": "msk",
                "kafka_version": "3.6.0",
            },
            "topics": {
                t: {
                    "partitions": 12,
                    "replication_factor": 3,
                    "configs": {"retention.ms": "604800000", "cleanup.policy": "delete"},
                }
                for t in topic_names
            },
            "acls": list(primary_acls if region == PRIMARY else secondary_acls),
            "quotas": [],
            "iam_grants": [
                {
                    "principal": f"arn:aws:iam::{ACCOUNT}:role/replicator",
                    "effect": "Allow",
                    "actions": [
                        "kafka-cluster:WriteData",
                        "kafka-cluster:ReadData",
                        "kafka-cluster:DescribeTopic",
                        "kafka-cluster:CreateTopic",
                    ],
                    "resources": [f"{arn}:topic/{cluster}/*"],
                }
            ],
            "authentication": {"iam": True, "scram": True, "mtls": False, "unauthenticated": False},
            "encryption": {
                "at_rest": {
                    "enabled": True,
                    "key_id": "mrk-1",
                    "key_manager": "CUSTOMER",
                    "rotation": True,
                    "multi_region": True,
                },
                "in_transit": {"client_broker": "TLS", "in_cluster": True},
            },
            "network": {
                "public_access": False,
                "ingress": [
                    {
                        "protocol": "tcp",
                        "from_port": 9096,
                        "to_port": 9098,
                        "peer": "10.0.0.0/8",
                        "peer_type": "cidr",
                    }
                ],
            },
            "audit": {
                "broker_logs": [
                    {"destination": "cloudwatch", "enabled": True, "retention_days": 365}
                ],
                "trail": {"logging": True, "multi_region": True, "log_file_validation": True},
            },
            "broker_config": {"allow.everyone.if.no.acl.found": "false"},
            "replication": [
                {
                    "name": f"to-{region}",
                    "tool": "msk-replicator",
                    "source_region": SECONDARY if region == PRIMARY else PRIMARY,
                    "target_region": region,
                    "topics_include": [".*"],
                    "topic_naming": "identical",
                    "loop_protection": True,
                    "offset_sync": {"enabled": True, "mode": "ENHANCED"},
                    "state": "RUNNING",
                    "owner": "platform",
                }
            ],
            "consumer_groups": {
                f"{n}-group": {
                    "state": "STABLE" if region == PRIMARY else "EMPTY",
                    "topics": by_family[n][:5],
                }
                for n in names
            },
            "storage": [],
            "gaps": [],
        }

    primary = snapshot(PRIMARY, "2026-11-28T09:00:00Z")
    secondary = snapshot(SECONDARY, "2026-11-28T09:05:00Z")
    # drift: drop some consumer grants, shorten some retention in the secondary
    drop = int(len(secondary["acls"]) * drift)
    for index in sorted(rng.sample(range(len(secondary["acls"])), drop), reverse=True):
        secondary["acls"].pop(index)
    for topic in rng.sample(topic_names, int(topics * drift)):
        secondary["topics"][topic]["configs"]["retention.ms"] = "86400000"
    plan = {
        "schema_version": "1.0",
        "name": f"bench-{topics}-{bindings}",
        "current_phase": "failback",
        "regions": {
            "primary": {"name": PRIMARY, "snapshot": f"{PRIMARY}.json"},
            "secondary": {"name": SECONDARY, "snapshot": f"{SECONDARY}.json"},
        },
        "equivalences": [
            {
                "kind": "cluster",
                "canonical": "estate",
                "values": [f"estate-{PRIMARY}", f"estate-{SECONDARY}"],
            }
        ],
        "replicator_principals": ["iam:role/replicator"],
        "topic_families": [
            {
                "name": n,
                "match": [f"{n}.*"],
                "tier": 1 if i < 3 else 3,
                "phases": {p: {"writer": WRITERS[p], "consumer": WRITERS[p]} for p in PHASES},
                "producers": [producers[n]],
                "offset_strategy": "translated",
                "evidence": {
                    p: {
                        "runbook": "r.md",
                        "last_rehearsal": "2026-11-01",
                        "metrics": ["lag"],
                        "alerts": ["lag-high"],
                    }
                    for p in PHASES
                },
            }
            for i, n in enumerate(names)
        ],
        "rollback": {"stop_point": "before producers move", "return_path": "reverse"},
        "cost": {"max_dual_region_days": 30, "dual_region_since": "2026-11-20"},
    }
    return plan, primary, secondary


def write(
    out: Path, plan: dict[str, Any], primary: dict[str, Any], secondary: dict[str, Any]
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "failback.yaml").write_text(yaml.safe_dump(plan, sort_keys=False))
    (out / f"{PRIMARY}.json").write_text(json.dumps(primary))
    (out / f"{SECONDARY}.json").write_text(json.dumps(secondary))
    return out / "failback.yaml"


def many_families(out: Path, families: int, source: Path) -> Path:
    """The estate in `source` (a fixture directory) with `families` more topic families in its
    plan, each a copy of the plan's last family (evidence, phases, producers) matching no
    topic: every copy has a blocking finding, so each lowers its own scorecard cells (the
    plan-side scale that once made evaluation quadratic in the number of families)."""
    import copy
    import shutil

    plan = yaml.safe_load((source / "failback.yaml").read_text())
    template = plan["topic_families"][-1]
    for index in range(families):
        family = copy.deepcopy(template)
        family["name"] = f"generated-{index:06d}"
        family["match"] = [f"generated{index:06d}.*"]
        plan["topic_families"].append(family)
    out.mkdir(parents=True, exist_ok=True)
    for name in (f"{PRIMARY}.json", f"{SECONDARY}.json"):
        shutil.copyfile(source / name, out / name)
    (out / "failback.yaml").write_text(yaml.safe_dump(plan, sort_keys=False))
    return out / "failback.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=10000)
    parser.add_argument("--bindings", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--drift", type=float, default=0.01)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(write(args.out, *generate(args.topics, args.bindings, args.seed, args.drift)))


if __name__ == "__main__":
    main()
