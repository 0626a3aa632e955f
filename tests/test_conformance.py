"""Engine conformance: the embedded engine (regorus) and real OPA give identical decisions.

Every fixture variant in every phase, plus a few hundred seeded random scenarios: plans and
snapshots perturbed the way real estates drift. A failure prints the seed to reproduce it.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from checker.diff import diff
from checker.engines.embedded import EmbeddedEngine
from checker.engines.opa import OpaEngine, OpaSettings
from checker.evaluate import build_input
from checker.model import PHASES, SEVERITIES
from checker.normalize import normalize_pair
from checker.plan import parse_plan
from checker.policy.locate import ENTRYPOINT, load_policies
from checker.snapshot import parse_snapshot

from .conftest import ESTATE
from .opa_support import tool

pytestmark = pytest.mark.opa
SCENARIOS = 300
BASE_SEED = 20261129
NOW = datetime(2026, 11, 29, tzinfo=UTC)

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def engines() -> Iterator[tuple[EmbeddedEngine, OpaEngine]]:
    policies = load_policies()
    embedded = EmbeddedEngine()
    embedded.load(policies)
    opa = OpaEngine(OpaSettings(binary=tool("opa")))
    try:
        opa.load(policies)
        yield embedded, opa
    finally:
        opa.close()


def load(variant: str) -> tuple[Doc, Doc, Doc]:
    import yaml

    plan = yaml.safe_load((ESTATE / variant / "failback.yaml").read_text())
    primary = json.loads((ESTATE / variant / "us-east-1.json").read_text())
    secondary = json.loads((ESTATE / variant / "us-west-2.json").read_text())
    return plan, primary, secondary


def input_document(plan: Doc, primary: Doc, secondary: Doc, phase: str, fail_on: str) -> Doc:
    parsed = parse_plan(plan, "scenario")
    left = parse_snapshot(primary, "primary")
    right = parse_snapshot(secondary, "secondary")
    normalized = normalize_pair(parsed, left, right)
    changes = diff(normalized.primary, normalized.secondary)
    return build_input(parsed, normalized, changes, phase, NOW, fail_on)


def agree(engines: tuple[EmbeddedEngine, OpaEngine], document: Doc, label: str) -> Doc:
    embedded, opa = engines
    left = embedded.query(ENTRYPOINT, document)
    right = opa.query(ENTRYPOINT, document)
    assert json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True), label
    assert isinstance(left, dict)
    return left


@pytest.mark.parametrize("variant", ["ready", "faulted", "gaps"])
@pytest.mark.parametrize("phase", PHASES)
def test_fixture_decisions_agree(engines: Any, variant: str, phase: str) -> None:
    document = input_document(*load(variant), phase, "high")
    agree(engines, document, f"{variant}/{phase}")


# -- perturbations: each takes (rng, plan, primary, secondary) and changes them in place -----


def _side(rng: random.Random, primary: Doc, secondary: Doc) -> Doc:
    return primary if rng.random() < 0.5 else secondary


def drop_acl(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    side = _side(rng, p, s)
    if side["acls"]:
        side["acls"].pop(rng.randrange(len(side["acls"])))


def add_acl(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    _side(rng, p, s)["acls"].append(
        {
            "principal": rng.choice(
                ["User:*", "User:payments-api", "User:intruder", "User:fraud-scorer"]
            ),
            "resource_type": rng.choice(["TOPIC", "GROUP", "TRANSACTIONAL_ID"]),
            "pattern_type": rng.choice(["LITERAL", "PREFIXED"]),
            "resource_name": rng.choice(["*", "payments.", "fraud.scores", "ledger."]),
            "operation": rng.choice(["ALL", "WRITE", "READ", "DESCRIBE"]),
            "permission": rng.choice(["ALLOW", "ALLOW", "DENY"]),
            "host": "*",
        }
    )


def encryption(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    enc = _side(rng, p, s)["encryption"]
    enc["in_transit"]["client_broker"] = rng.choice(["TLS", "TLS_PLAINTEXT", "PLAINTEXT"])
    enc["in_transit"]["in_cluster"] = rng.random() < 0.7
    enc["at_rest"]["key_manager"] = rng.choice(["CUSTOMER", "AWS"])
    enc["at_rest"]["rotation"] = rng.choice([True, False, None])


def network(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    net = _side(rng, p, s)["network"]
    net["public_access"] = rng.random() < 0.3
    net["plaintext_listener"] = rng.random() < 0.3
    net["ingress"].append(
        {
            "protocol": rng.choice(["tcp", "-1"]),
            "from_port": rng.choice([9092, 9096, 0]),
            "to_port": rng.choice([9096, 9098, 65535]),
            "peer": rng.choice(
                ["0.0.0.0/0", "10.0.0.0/8", "192.168.1.0/24", "::/0", "172.16.0.0/12"]
            ),
            "peer_type": "cidr",
        }
    )


def audit(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    side = _side(rng, p, s)
    logs = side["audit"]["broker_logs"][0]
    logs["enabled"] = rng.random() < 0.7
    logs["retention_days"] = rng.choice([None, 1, 30, 365, 3653])
    if rng.random() < 0.3:
        side["audit"]["trail"] = None


def retention(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    side = _side(rng, p, s)
    topic = rng.choice(sorted(side["topics"]))
    configs = side["topics"][topic].setdefault("configs", {})
    configs["retention.ms"] = str(rng.choice([-1, 3600000, 86400000, 604800000]))
    configs["retention.bytes"] = str(rng.choice([-1, 1073741824]))


def flows(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    side = _side(rng, p, s)
    for flow in side["replication"]:
        flow["state"] = rng.choice(["RUNNING", "FAILED", "DELETING", "RUNNING"])
        flow["offset_sync"]["mode"] = rng.choice(["ENHANCED", "LEGACY"])
        flow["offset_sync"]["enabled"] = rng.random() < 0.8
        flow["loop_protection"] = rng.random() < 0.6
        flow["owner"] = rng.choice([None, "team-platform"])


def plan_phases(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    family = rng.choice(plan["topic_families"])
    phase = rng.choice(PHASES)
    choice = rng.choice(["primary", "secondary", "both", "none", None])
    if choice is None:
        family["phases"].pop(phase, None)
    else:
        family["phases"][phase] = {"writer": choice, "consumer": choice}
    family["tier"] = rng.choice([1, 2, 3])
    family["offset_strategy"] = rng.choice(
        ["replicated", "translated", "reset-to-timestamp", "idempotent-replay"]
    )


def plan_evidence(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    family = rng.choice(plan["topic_families"])
    phase = rng.choice(PHASES)
    evidence = family.setdefault("evidence", {})
    evidence[phase] = rng.choice(
        [
            {},
            {"runbook": "r.md"},
            {"runbook": "r.md", "last_rehearsal": "2026-01-01"},
            {"runbook": "r.md", "last_rehearsal": "2026-11-01", "metrics": ["m"], "alerts": ["a"]},
        ]
    )
    if rng.random() < 0.3:
        plan["rollback"].pop(rng.choice(["stop_point", "return_path"]), None)
    plan["cost"]["dual_region_since"] = rng.choice(["2026-11-20", "2026-06-01"])


def clusters(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    _side(rng, p, s)["cluster"]["kafka_version"] = rng.choice(["3.5.1", "3.6.0", "3.7.0"])
    _side(rng, p, s)["captured_at"] = rng.choice(["2026-11-28T09:00:00Z", "2026-11-20T09:00:00Z"])
    _side(rng, p, s)["schema_version"] = rng.choice(["1.0", "1.1"])


def gaps(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    side = _side(rng, p, s)
    area = rng.choice(["audit", "acls", "replication", "network", "topics", "encryption"])
    side.setdefault("gaps", []).append({"area": area, "reason": "AccessDenied"})


def groups(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    side = _side(rng, p, s)
    for group in side["consumer_groups"].values():
        group["state"] = rng.choice(["STABLE", "EMPTY", "DEAD"])


def quotas(rng: random.Random, plan: Doc, p: Doc, s: Doc) -> None:
    side = _side(rng, p, s)
    side["quotas"][0]["values"]["producer_byte_rate"] = rng.choice([1048576, 10485760])


PERTURBATIONS: list[Callable[[random.Random, Doc, Doc, Doc], None]] = [
    drop_acl,
    add_acl,
    encryption,
    network,
    audit,
    retention,
    flows,
    plan_phases,
    plan_evidence,
    clusters,
    gaps,
    groups,
    quotas,
]


def scenario(seed: int) -> tuple[Doc, str, str]:
    rng = random.Random(seed)
    plan, primary, secondary = (copy.deepcopy(d) for d in load(rng.choice(["ready", "faulted"])))
    for _ in range(rng.randint(1, 6)):
        rng.choice(PERTURBATIONS)(rng, plan, primary, secondary)
    phase = rng.choice(PHASES)
    fail_on = rng.choice(SEVERITIES)
    return input_document(plan, primary, secondary, phase, fail_on), phase, fail_on


@pytest.mark.slow  # 300 scenarios on both engines: `make test` runs it, `make unit` skips it
def test_random_scenarios_agree(engines: Any) -> None:
    verdicts: dict[str, int] = {}
    rules: set[str] = set()
    for offset in range(SCENARIOS):
        seed = BASE_SEED + offset
        document, phase, fail_on = scenario(seed)
        decision = agree(engines, document, f"seed {seed} ({phase}, fail-on {fail_on})")
        verdicts[decision["verdict"]] = verdicts.get(decision["verdict"], 0) + 1
        rules.update(f["rule_id"] for f in decision["findings"])
    # the generator really explores: every verdict occurs and most rules fire somewhere
    assert set(verdicts) == {"go", "no-go", "indeterminate"}, verdicts
    assert len(rules) >= 30, sorted(rules)
