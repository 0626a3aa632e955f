"""One finding per fault, each rule judged on its own, direction-aware Connect topics: end to end
on the ready estate."""

from __future__ import annotations

from pathlib import Path

from .setups import REVERSE, documents, flow, ids, judge

ALL = frozenset({"encryption", "network", "compatibility"})
CONNECT = ("connect-configs-payments", "connect-offsets-payments", "connect-status-payments")


def open_rule(port: int) -> dict[str, object]:
    return {
        "protocol": "tcp",
        "from_port": port,
        "to_port": port,
        "peer": "0.0.0.0/0",
        "peer_type": "cidr",
        "description": "debugging",
    }


def test_an_open_rule_on_another_port_does_not_mask_one(tmp_path: Path) -> None:
    plan, primary, secondary = documents()
    secondary["network"]["ingress"].append(open_rule(9096))
    primary["network"]["ingress"].append(open_rule(22))
    found = judge(tmp_path, plan, primary, secondary)
    assert ids(found["failback"], ALL) == [
        ("NET-002", "tcp|22-22|0.0.0.0/0", "primary", None),
        ("NET-002", "tcp|9096-9096|0.0.0.0/0", "secondary", None),
    ]


def test_the_same_open_rule_in_both_regions_is_parity(tmp_path: Path) -> None:
    plan, primary, secondary = documents()
    for document in (primary, secondary):
        document["network"]["ingress"].append(open_rule(9096))
    found = judge(tmp_path, plan, primary, secondary)
    assert ids(found["failback"], ALL) == []


def test_tls_plaintext_is_one_finding(tmp_path: Path) -> None:
    plan, primary, secondary = documents()
    secondary["encryption"]["in_transit"]["client_broker"] = "TLS_PLAINTEXT"
    secondary["network"]["plaintext_listener"] = True
    found = judge(tmp_path, plan, primary, secondary)
    assert ids(found["failback"], ALL) == [
        ("ENC-001", "encryption.in_transit.client_broker", "secondary", None)
    ]


def test_plaintext_listener_alone_is_enc_005(tmp_path: Path) -> None:
    plan, primary, secondary = documents()
    secondary["network"]["plaintext_listener"] = True
    found = judge(tmp_path, plan, primary, secondary)
    assert ids(found["failback"], ALL) == [
        ("ENC-005", "network.plaintext_listener", "secondary", None)
    ]


def test_connect_topics_carried_one_way_only(tmp_path: Path) -> None:
    plan, primary, secondary = documents()
    reverse = flow(primary, REVERSE)
    reverse["topics_include"] = [p for p in reverse["topics_include"] if "connect" not in p]
    found = judge(tmp_path, plan, primary, secondary)
    missing = [("CMP-004", topic, None, "integrations") for topic in CONNECT]
    for phase in ("dr_operation", "failback"):
        assert ids(found[phase], ALL) == missing, phase
    for phase in ("normal", "failover", "cleanup"):  # failover does not ask the way back yet
        assert ids(found[phase], ALL) == [], phase
    [message, *_] = [f["message"] for f in found["failback"] if f["rule_id"] == "CMP-004"]
    assert message == (
        "Kafka Connect internal topic connect-configs-payments of integrations is carried by no "
        "active flow from the secondary to the primary, and the plan does not re-create the "
        "connectors"
    )
