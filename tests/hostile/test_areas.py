"""Empty or partial snapshot areas are gaps (indeterminate), never compliant: on both engines."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, Run
from tests.opa_support import opa_server

Mutation = Callable[[dict[str, Any]], None]


def _set(area: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        doc[area] = value

    return mutate


def _drop(area: str, *path: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node = doc[area]
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return mutate


# (probe id, region file, mutation, the area that must become a gap)
PROBES: list[tuple[str, str, Mutation, str]] = [
    ("encryption-empty", "us-west-2.json", _set("encryption", {}), "encryption"),
    ("network-empty", "us-west-2.json", _set("network", {}), "network"),
    ("authentication-empty", "us-east-1.json", _set("authentication", {}), "authentication"),
    ("broker-config-empty", "us-west-2.json", _set("broker_config", {}), "broker_config"),
    (
        "in-cluster-removed",
        "us-west-2.json",
        _drop("encryption", "in_transit", "in_cluster"),
        "encryption",
    ),
    ("at-rest-in-one-region-only", "us-east-1.json", _drop("encryption", "at_rest"), "encryption"),
    ("ingress-removed", "us-west-2.json", _drop("network", "ingress"), "network"),
    ("audit-empty", "us-east-1.json", _set("audit", {}), "audit"),
]


@pytest.fixture(scope="module")
def opa_url() -> Iterator[str]:
    with opa_server() as url:
        yield url


def _mutated(estate: Callable[[str], Path], variant: str, file: str, mutation: Mutation) -> Path:
    root = estate(variant)
    path = root / file
    document = json.loads(path.read_text())
    mutation(document)
    path.write_text(json.dumps(document))
    return root / "failback.yaml"


def _check(cli: Callable[[list[str]], Run], plan: Path, *extra: str) -> Run:
    return cli(["check", "-c", str(plan), "--now", NOW, "--format", "json", *extra])


@pytest.mark.parametrize(("probe", "file", "mutation", "area"), PROBES, ids=[p[0] for p in PROBES])
def test_incomplete_area_makes_the_ready_estate_indeterminate(
    probe: str,
    file: str,
    mutation: Mutation,
    area: str,
    estate: Callable[[str], Path],
    cli: Callable[[list[str]], Run],
    opa_url: str,
) -> None:
    plan = _mutated(estate, "ready", file, mutation)
    embedded = _check(cli, plan)
    assert embedded.exit_code == 4, (probe, embedded.stderr, embedded.stdout[-400:])
    decision = embedded.json()["decisions"][0]
    assert decision["verdict"] == "indeterminate"
    role = "primary" if file == "us-east-1.json" else "secondary"
    assert any(g["area"] == area and g["region"] == role for g in decision["gaps"]), decision[
        "gaps"
    ]
    opa = _check(cli, plan, "--engine", "opa", "--opa-url", opa_url)
    assert opa.exit_code == 4
    assert opa.json()["decisions"] == embedded.json()["decisions"]


def test_an_empty_network_area_never_hides_the_faulted_estate(
    estate: Callable[[str], Path], cli: Callable[[list[str]], Run]
) -> None:
    plan = _mutated(estate, "faulted", "us-west-2.json", _set("network", {}))
    run = _check(cli, plan)
    assert run.exit_code == 1
    decision = run.json()["decisions"][0]
    assert decision["verdict"] == "no-go"
    assert {"area": "network", "region": "secondary"} in [
        {"area": g["area"], "region": g["region"]} for g in decision["gaps"]
    ]


def test_at_rest_absent_in_both_regions_is_not_a_gap(
    estate: Callable[[str], Path], cli: Callable[[list[str]], Run]
) -> None:
    """A source that cannot see at-rest encryption (Strimzi) in both regions: nothing to pair."""
    root = estate("ready")
    for name in ("us-east-1.json", "us-west-2.json"):
        path = root / name
        document = json.loads(path.read_text())
        del document["encryption"]["at_rest"]
        path.write_text(json.dumps(document))
    run = _check(cli, root / "failback.yaml")
    assert run.exit_code == 0, run.stdout[-400:]
    assert run.json()["decisions"][0]["gaps"] == []
