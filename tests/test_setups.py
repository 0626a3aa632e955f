"""The estates of fixtures/setups/ (one per documented replication setup, fixtures/
generate_setups.py) judged by `failback check --phase all` on both engines: the exact rule ids,
how many of each, of every phase. tests/test_replication.py looks closer at the same setups."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator

import pytest

from fixtures.generate_setups import OUT, PHASES, SETUPS

from .conftest import NOW, ROOT, run_cli
from .opa_support import opa_server

# The write fence of an estate captured with the primary writing, judged where the secondary
# writes (failover, dr_operation): producer grants missing there (WA-005) and left in the
# primary (WA-002), consumer groups active in the primary (CA-001).
FENCE = {"CA-001": 17, "WA-002": 8, "WA-005": 7}
CONNECT = {"CMP-004": 3}  # the three Connect internal topics of integrations
NO_WAY_BACK = {"REP-006": 7, "OFF-003": 5, **CONNECT}  # every family; the 5 with synced offsets
CLEAN: dict[str, dict[str, int]] = {
    "normal": {},
    "failover": FENCE,
    "dr_operation": FENCE,
    "failback": {},
    "cleanup": {},
}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "msk-replicator-enhanced-pair": CLEAN,
    "mm2-default-policy-both-ways": CLEAN,
    "mm2-one-way-with-checkpoints": {
        "normal": {},
        "failover": {**FENCE},
        "dr_operation": {**FENCE, **NO_WAY_BACK},
        "failback": NO_WAY_BACK,
        "cleanup": {},
    },
    "enhanced-without-pair": {
        "normal": {"OFF-005": 1},
        "failover": {**FENCE, "OFF-005": 1, "REP-001": 7},
        "dr_operation": {**FENCE, **NO_WAY_BACK, "OFF-005": 1, "REP-001": 7},
        "failback": {**NO_WAY_BACK, "OFF-005": 1},
        "cleanup": {"OFF-005": 1},
    },
    "reverse-flow-at-latest": {
        **CLEAN,
        "dr_operation": {**FENCE, "REP-005": 1},
        "failback": {"REP-005": 1},
    },
    "reverse-flow-one-of-twelve": {
        **CLEAN,
        "dr_operation": {**FENCE, "REP-006": 1},
        "failback": {"REP-006": 1},
    },
    "topic-created-during-dr": {
        **CLEAN,
        "dr_operation": {**FENCE, "REP-006": 1},
        "failback": {"REP-006": 1},
    },
    "forward-flow-stopped": {
        "normal": {**CONNECT, "OFF-001": 5, "OFF-005": 1, "REP-001": 7, "REP-006": 7},
        "failover": {**FENCE, **CONNECT, "OFF-001": 5, "OFF-005": 1},
        "dr_operation": {**FENCE, "OFF-001": 5, "OFF-005": 1},
        "failback": {**CONNECT, "OFF-001": 5, "OFF-005": 1, "RB-002": 7},
        "cleanup": {**CONNECT, "OFF-001": 5, "OFF-005": 1, "REP-004": 1, "REP-006": 7},
    },
    "consumers-active-in-both-regions": {
        # ledger-reader.ledger is CA-002, no longer one of the fence's CA-001
        phase: {**counts, "CA-001": 16, "CA-002": 1} if counts else {"CA-002": 1}
        for phase, counts in CLEAN.items()
    },
    "mm2-identity-both-ways": {
        "normal": {"REP-001": 7, "REP-002": 7},
        "failover": {**FENCE, "REP-001": 7, "REP-002": 7},
        "dr_operation": {**FENCE, "REP-001": 7, "REP-002": 7},
        "failback": {"REP-002": 7},
        "cleanup": {"REP-002": 7, "REP-004": 1},
    },
    "mm2-uncommitted-transactions": {
        phase: {**counts, "REP-007": 1} for phase, counts in CLEAN.items()
    },
}


@pytest.fixture(scope="module", params=["embedded", pytest.param("opa", marks=pytest.mark.opa)])
def engine(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """The `failback check` options that pick the engine: regorus in process, or one OPA
    server for the module."""
    if request.param == "embedded":
        yield ["--engine", "embedded"]
        return
    with opa_server() as url:
        yield ["--engine", "opa", "--opa-url", url]


def test_every_setup_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(SETUPS)
    assert sorted(p.name for p in OUT.iterdir() if p.is_dir()) == sorted(SETUPS)


@pytest.mark.parametrize("name", list(SETUPS))
def test_setup_estate(name: str, engine: list[str]) -> None:
    run = run_cli(
        [
            "check",
            "-c",
            str(OUT / name / "failback.yaml"),
            "--now",
            NOW,
            "--phase",
            "all",
            "--format",
            "json",
            *engine,
        ]
    )
    report = run.json()
    found = {
        d["phase"]: dict(sorted(Counter(f["rule_id"] for f in d["findings"]).items()))
        for d in report["decisions"]
    }
    assert found == {phase: dict(sorted(EXPECTED[name][phase].items())) for phase in PHASES}
    # every finding here blocks; a phase is clean exactly when it has none
    for decision in report["decisions"]:
        assert all(f["blocking"] for f in decision["findings"]), decision["phase"]
        assert decision["verdict"] == ("no-go" if decision["findings"] else "go")
    clean = tuple(phase for phase in PHASES if not found[phase])
    assert clean == SETUPS[name].clean  # what fixtures/setups/README.md says
    assert run.exit_code == 1  # no estate is clean in failover (the fence)


def test_setups_are_generated_and_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "fixtures" / "generate_setups.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
