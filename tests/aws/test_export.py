"""`failback export aws` against moto over HTTP (+ Stubber for what moto lacks)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from checker.exporters import aws
from checker.exporters.aws import AwsSource
from checker.exporters.aws.client import Progress

from . import estate
from .conftest import ACCOUNT, World, closed_port
from .estate import PRIMARY, SECONDARY

ROOT = Path(__file__).resolve().parents[2]
# S3's IAM actions are not named after its API operations.
S3_ACTIONS = {
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "GetBucketReplication": "GetReplicationConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
}
IAM_PREFIXES = {"monitoring": "cloudwatch"}  # CloudWatch signs as `monitoring`


def export_args(world: World, region: estate.Region, *extra: str) -> list[str]:
    return [
        "export",
        "aws",
        "--region",
        region.name,
        "--cluster-arn",
        region.cluster_arn,
        "--endpoint-url",
        world.url,
        *extra,
    ]


def export(world: World, region: estate.Region, **settings: Any) -> dict[str, Any]:
    options = AwsSource(
        region=region.name, cluster_arn=region.cluster_arn, endpoint_url=world.url, **settings
    )
    return aws.export(options, None)


def test_primary_snapshot(world: World, cli: Any, tmp_path: Path) -> None:
    regions = estate.build(world)
    # A secret-looking property never reaches the snapshot.
    for key in list(world.msk.configurations):
        world.msk.configurations[key] += "ssl.keystore.password=hunter2\n"
    primary = regions[PRIMARY]
    out = tmp_path / "use1.json"
    run = cli(
        [
            *export_args(world, primary, "--storage-bucket", estate.BUCKET[PRIMARY]),
            "-o",
            str(out),
            "--quiet",
        ]
    )
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "" and run.stderr == ""
    assert "hunter2" not in out.read_text()
    assert cli(["validate", str(out)]).exit_code == 0
    snap = json.loads(out.read_text())

    assert snap["region"] == PRIMARY and snap["source"]["type"] == "aws"
    assert snap["cluster"] == {
        "id": primary.cluster_arn,
        "name": "payments-use1",
        "kind": "msk",
        "kafka_version": "3.6.0",
    }
    assert snap["gaps"] == []
    assert snap["authentication"] == {
        "iam": True,
        "scram": False,
        "mtls": False,
        "unauthenticated": False,
        "scram_users": [],
    }
    at_rest = snap["encryption"]["at_rest"]
    assert at_rest["key_manager"] == "CUSTOMER" and at_rest["rotation"] is True
    assert at_rest["multi_region"] is True and at_rest["key_id"].startswith("arn:aws:kms:")
    assert snap["encryption"]["in_transit"] == {"client_broker": "TLS", "in_cluster": True}

    network = snap["network"]
    assert network["public_access"] is False and network["plaintext_listener"] is False
    assert network["multi_vpc"] is True  # a client VPC connection exists
    connection, endpoint = network["private_endpoints"]
    assert connection.startswith(f"arn:aws:kafka:us-east-1:{ACCOUNT}:vpc-connection/")
    assert endpoint.startswith("vpce-")  # the MSK interface endpoint, not the S3 gateway
    assert {
        (r["protocol"], r["from_port"], r["to_port"], r["peer"], r["peer_type"])
        for r in network["ingress"]
    } == {
        ("tcp", 9098, 9098, "10.10.0.0/16", "cidr"),
        ("tcp", 9098, 9098, primary.client_sg, "security_group"),
    }

    assert snap["audit"]["broker_logs"] == [
        {
            "destination": "cloudwatch",
            "enabled": True,
            "target": "/aws/msk/payments-use1/broker",
            "retention_days": 365,
        }
    ]
    assert snap["audit"]["trail"] == {
        "name": "org-trail",
        "logging": True,
        "multi_region": True,
        "log_file_validation": True,
        "kms_key_id": None,
    }
    assert snap["broker_config"] == {
        "allow.everyone.if.no.acl.found": "false",
        "auto.create.topics.enable": "false",
        "default.replication.factor": "3",
        "log.retention.hours": "168",
        "min.insync.replicas": "2",
        "unclean.leader.election.enable": "false",
    }

    grants = {
        (g["principal"].split(":")[-1], g["policy"], tuple(g["actions"]))
        for g in snap["iam_grants"]
    }
    assert grants == {
        ("user/alice", "operate", ("kafka-cluster:*",)),
        (
            "role/ledger-reader",
            "read-ledger",
            (
                "kafka-cluster:AlterGroup",
                "kafka-cluster:Connect",
                "kafka-cluster:DescribeGroup",
                "kafka-cluster:DescribeTopic",
                "kafka-cluster:ReadData",
            ),
        ),
        (
            "role/ledger-writer",
            "ledger-producer",
            ("kafka-cluster:Connect", "kafka-cluster:DescribeTopic"),
        ),
        ("role/ledger-writer", "ledger-producer", ("kafka-cluster:WriteData",)),
        ("role/reporting", "read-ledger", ("kafka-cluster:ReadData",)),
        ("role/msk-replicator-payments", "replicate", ("kafka-cluster:*",)),
        (
            "role/partner-reader",
            "cluster-policy",
            ("kafka-cluster:Connect", "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"),
        ),
    }
    resources = [r for g in snap["iam_grants"] for r in g["resources"]]
    assert not [r for r in resources if "us-west-2" in r or "payments-usw2" in r]

    assert snap["replication"] == [
        {
            "name": "payments-usw2-to-use1",
            "tool": "msk-replicator",
            "source_region": SECONDARY,
            "target_region": PRIMARY,
            "topics_include": ["ledger\\..*"],
            "topics_exclude": ["__.*"],
            "topic_naming": "identical",
            "prefix": None,
            "copies_acls": True,
            "copies_topic_configs": True,
            "offset_sync": {"enabled": True, "mode": "ENHANCED"},
            "loop_protection": True,
            "starting_position": "EARLIEST",
            "state": "RUNNING",
            "owner": "team-platform",
        }
    ]
    assert snap["topics"]["ledger.entries"] == {
        "partitions": 24,
        "replication_factor": 3,
        "configs": {"cleanup.policy": "delete", "retention.ms": "604800000"},
    }
    assert sorted(snap["topics"]) == sorted(estate.TOPICS)
    assert snap["storage"] == [
        {
            "name": "payments-use1-tiered",
            "purpose": "storage",
            "encryption": "aws:kms",
            "versioning": True,
            "replication": False,
            "lifecycle_expiration_days": 30,
            "public_access_blocked": True,
        }
    ]


def test_policy_lists_exactly_the_actions_called(world: World) -> None:
    regions = estate.build(world)
    for name in regions:
        glue = world.client("glue", name)
        glue.create_registry(RegistryName="orders")
        glue.create_schema(
            RegistryId={"RegistryName": "orders"},
            SchemaName="orders.events",
            DataFormat="AVRO",
            Compatibility="BACKWARD",
            SchemaDefinition='{"type": "string"}',
        )
    for name, region in regions.items():
        export(
            world,
            region,
            storage_buckets=(estate.BUCKET[name],),
            glue_registries=("*",),
            runtime=True,
        )
    called = {
        f"{IAM_PREFIXES.get(prefix, prefix)}:{S3_ACTIONS.get(op, op) if prefix == 's3' else op}"
        for prefix, op in world.operations
    }
    policy = json.loads(aws.POLICY_FILE.read_text())
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert set(statement["Action"]) == called
    assert all(":Describe" in a or ":Get" in a or ":List" in a for a in called)


def test_secondary_drift_is_captured(world: World) -> None:
    regions = estate.build(world, drift=True)
    snap = export(world, regions[SECONDARY])
    assert snap["gaps"] == []
    assert snap["encryption"]["at_rest"] == {
        "enabled": True,
        "key_id": None,
        "key_manager": "AWS",
        "rotation": None,
        "multi_region": False,
    }
    assert snap["encryption"]["in_transit"]["client_broker"] == "TLS_PLAINTEXT"
    assert snap["network"]["plaintext_listener"] is True
    assert "0.0.0.0/0" in {r["peer"] for r in snap["network"]["ingress"]}
    assert snap["audit"]["trail"] is None  # the primary's trail is single-region
    assert snap["audit"]["broker_logs"][0]["retention_days"] == 30
    writes = [g for g in snap["iam_grants"] if g["actions"] == ["kafka-cluster:WriteData"]]
    assert [(g["principal"], g["policy"]) for g in writes] == [
        (f"arn:aws:iam::{ACCOUNT}:role/ledger-writer", "dr-ledger-writes")
    ]
    assert [g for g in snap["iam_grants"] if g["principal"].endswith("role/reporting")] == []


def test_access_denied_becomes_a_gap(world: World) -> None:
    regions = estate.build(world)
    world.fail(SECONDARY, "kafka", "DescribeReplicator", "AccessDeniedException")
    world.fail(SECONDARY, "logs", "DescribeLogGroups", "AccessDeniedException")
    snap = export(world, regions[SECONDARY])
    assert snap["gaps"] == [
        {"area": "audit", "reason": "AccessDeniedException", "call": "logs:DescribeLogGroups"},
        {
            "area": "replication",
            "reason": "AccessDeniedException",
            "call": "kafka:DescribeReplicator",
        },
    ]
    assert snap["audit"]["broker_logs"][0]["retention_days"] is None
    assert snap["encryption"]["at_rest"]["key_manager"] == "CUSTOMER"  # the rest was read


def test_cluster_denied_gaps_every_area_it_feeds(world: World) -> None:
    regions = estate.build(world)
    world.fail(PRIMARY, "kafka", "DescribeClusterV2", "AccessDeniedException")
    snap = export(world, regions[PRIMARY])
    assert {g["area"] for g in snap["gaps"]} == {
        "cluster",
        "authentication",
        "encryption",
        "network",
        "audit",
        "broker_config",
    }
    assert {g["call"] for g in snap["gaps"]} == {"kafka:DescribeClusterV2"}
    assert snap["cluster"]["id"] == regions[PRIMARY].cluster_arn
    assert "encryption" not in snap and "topics" not in snap
    assert snap["iam_grants"] and snap["replication"]  # what does not depend on it is read


def test_unsupported_operation_is_a_gap(world: World) -> None:
    regions = estate.build(world)
    world.fail(PRIMARY, "kafka", "ListReplicators", "UnknownOperationException")
    snap = export(world, regions[PRIMARY])
    assert snap["gaps"] == [
        {
            "area": "replication",
            "reason": "UnknownOperationException",
            "call": "kafka:ListReplicators",
        }
    ]
    assert "replication" not in snap


def test_one_topic_unreadable(world: World) -> None:
    regions = estate.build(world)
    world.fail(PRIMARY, "kafka", "DescribeTopic", "ForbiddenException")
    snap = export(world, regions[PRIMARY])
    assert snap["gaps"] == [
        {"area": "topics", "reason": "ForbiddenException", "call": "kafka:DescribeTopic"}
    ]
    assert snap["topics"]["ledger.entries"] == {"partitions": 24, "replication_factor": 3}


def test_throttling_is_retried(world: World) -> None:
    regions = estate.build(world)
    world.throttle(PRIMARY, "logs", "DescribeLogGroups", times=1)
    snap = export(world, regions[PRIMARY])
    assert snap["gaps"] == []
    assert world.throttles[(PRIMARY, "logs", "DescribeLogGroups")] == 0
    assert snap["audit"]["broker_logs"][0]["retention_days"] == 365


def test_rejected_credentials_exit_2(world: World, cli: Any) -> None:
    regions = estate.build(world)
    world.fail(PRIMARY, "kafka", "DescribeClusterV2", "UnrecognizedClientException")
    run = cli(export_args(world, regions[PRIMARY], "--quiet"))
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert "AWS rejected the credentials (UnrecognizedClientException" in run.stderr


def test_no_credentials_exit_2(world: World, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    run = cli(
        [
            "export",
            "aws",
            "--region",
            "us-east-1",
            "--cluster-arn",
            f"arn:aws:kafka:us-east-1:{ACCOUNT}:cluster/payments-use1/0a1b2c3d-1",
            "--endpoint-url",
            world.url,
            "--quiet",
        ]
    )
    assert run.exit_code == 2
    assert run.stderr == (
        "failback: error: no usable AWS credentials: Unable to locate credentials\n"
    )


def test_unknown_cluster_exit_2(world: World, cli: Any) -> None:
    regions = estate.build(world)
    world.fail(PRIMARY, "kafka", "DescribeClusterV2", "NotFoundException")
    run = cli(export_args(world, regions[PRIMARY], "--quiet"))
    assert run.exit_code == 2
    assert run.stderr.startswith("failback: error: no MSK cluster arn:aws:kafka:us-east-1:")


def test_unreachable_endpoint_exit_2_in_one_line(cli: Any) -> None:
    port = closed_port()
    started = time.monotonic()
    run = cli(
        [
            "export",
            "aws",
            "--region",
            "us-east-1",
            "--cluster-arn",
            f"arn:aws:kafka:us-east-1:{ACCOUNT}:cluster/payments-use1/0a1b2c3d-1",
            "--endpoint-url",
            f"http://127.0.0.1:{port}",
            "--connect-timeout",
            "1",
            "--max-attempts",
            "1",
            "--quiet",
        ]
    )
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr == (
        f"failback: error: cannot reach http://127.0.0.1:{port}: "
        "EndpointConnectionError on kafka:DescribeClusterV2 (check "
        "--endpoint-url, the network and the region)\n"
    )
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "--region",
                "us-west-2",
                "--cluster-arn",
                f"arn:aws:kafka:us-east-1:{ACCOUNT}:cluster/payments-use1/0a1b2c3d-1",
            ],
            "is in us-east-1, not in the exported region us-west-2",
        ),
        (["--region", "us-east-1", "--cluster-arn", "payments-use1"], "is not an MSK cluster ARN"),
    ],
)
def test_bad_cluster_arn_exit_2(cli: Any, args: list[str], message: str) -> None:
    run = cli(["export", "aws", *args, "--quiet"])
    assert run.exit_code == 2
    assert message in run.stderr and run.stderr.count("\n") == 1


def test_progress_plain_lines_when_not_a_tty(world: World, cli: Any, tmp_path: Path) -> None:
    regions = estate.build(world)
    run = cli([*export_args(world, regions[PRIMARY]), "-o", str(tmp_path / "s.json")])
    assert run.exit_code == 0
    lines = run.stderr.splitlines()
    assert lines[0] == "aws us-east-1: kafka:DescribeClusterV2"
    assert "aws us-east-1: iam:GetAccountAuthorizationDetails" in lines
    assert lines.count("aws us-east-1: kafka:DescribeTopic") == 1  # one line per run of calls
    assert lines[-1].startswith("aws us-east-1: done, ") and lines[-1].endswith(" calls, 0 gaps")
    assert "\r" not in run.stderr


def test_progress_counter_on_a_tty(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress("aws us-east-1", sys.stderr, tty=True)
    progress.call("kafka:DescribeClusterV2")
    progress.call("kafka:DescribeTopic")
    progress.done(gaps=1)
    err = capsys.readouterr().err
    assert err.startswith("\r| aws us-east-1: 1 calls, kafka:DescribeClusterV2")
    assert "2 calls, kafka:DescribeTopic" in err
    assert err.endswith("aws us-east-1: done, 2 calls, 1 gap\n")
    failing = Progress("aws us-east-1", sys.stderr, tty=True)
    failing.call("kafka:DescribeClusterV2")
    failing.clear()  # before an error line, the counter is erased
    assert capsys.readouterr().err.endswith("\r" + " " * 78 + "\r")
    quiet = Progress("x", sys.stderr, quiet=True, tty=True)
    quiet.call("a")
    quiet.done(0)
    assert capsys.readouterr().err == ""


def test_role_is_assumed_first(world: World) -> None:
    regions = estate.build(world)
    snap = export(world, regions[PRIMARY], role_arn=f"arn:aws:iam::{ACCOUNT}:role/failback-auditor")
    assert snap["gaps"] == []
    assert ("sts", "AssumeRole") in world.operations


def test_role_that_cannot_be_assumed_exit_2(world: World, cli: Any) -> None:
    regions = estate.build(world)
    world.fail(PRIMARY, "sts", "AssumeRole", "AccessDenied")
    role = f"arn:aws:iam::{ACCOUNT}:role/failback-auditor"
    run = cli(export_args(world, regions[PRIMARY], "--role-arn", role, "--quiet"))
    assert run.exit_code == 2
    assert run.stderr == f"failback: error: cannot assume role {role}: AccessDenied\n"


def test_scram_cluster_lists_secret_names_and_gaps_kafka_acls(world: World) -> None:
    ec2 = world.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    arn = world.client("kafka").create_cluster(
        ClusterName="legacy",
        KafkaVersion="3.5.1",
        NumberOfBrokerNodes=2,
        BrokerNodeGroupInfo={"InstanceType": "kafka.m5.large", "ClientSubnets": [subnet]},
        EncryptionInfo={"EncryptionInTransit": {"ClientBroker": "TLS_PLAINTEXT"}},
        ClientAuthentication={
            "Sasl": {"Scram": {"Enabled": True}},
            "Unauthenticated": {"Enabled": True},
        },
    )["ClusterArn"]
    secret = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:AmazonMSK_ledger-writer-Ab12Cd"
    world.msk.scram[arn] = [secret]
    snap = export(world, estate.Region(PRIMARY, arn, arn.rsplit("/", 1)[-1], "", ""))
    assert snap["authentication"] == {
        "iam": False,
        "scram": True,
        "mtls": False,
        "unauthenticated": True,
        "scram_users": ["AmazonMSK_ledger-writer"],
    }
    assert "Ab12Cd" not in json.dumps(snap)
    assert [(g["area"], g.get("call")) for g in snap["gaps"]] == [
        ("acls", None),
        ("network", "ec2:DescribeSecurityGroups"),
    ]  # no groups: ingress unknown
    # no custom configuration: MSK's documented defaults
    assert snap["broker_config"] == {
        "allow.everyone.if.no.acl.found": "true",
        "auto.create.topics.enable": "false",
    }
    assert snap["encryption"] == {
        "at_rest": {
            "enabled": True,
            "key_id": None,
            "key_manager": "AWS",
            "rotation": None,
            "multi_region": False,
        },
        "in_transit": {"client_broker": "TLS_PLAINTEXT", "in_cluster": True},
    }
    assert snap["audit"] == {"broker_logs": [], "trail": None}


def test_serverless_cluster(world: World) -> None:
    ec2 = world.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="sls", Description="sls", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "-1", "PrefixListIds": [{"PrefixListId": "pl-0a1b2c3d"}]}],
    )
    arn = world.client("kafka").create_cluster_v2(
        ClusterName="events",
        Serverless={
            "VpcConfigs": [{"SubnetIds": [subnet], "SecurityGroupIds": [group]}],
            "ClientAuthentication": {"Sasl": {"Iam": {"Enabled": True}}},
        },
    )["ClusterArn"]
    snap = export(world, estate.Region(PRIMARY, arn, arn.rsplit("/", 1)[-1], "", ""))
    assert snap["cluster"]["kind"] == "msk-serverless"
    assert snap["authentication"]["iam"] is True
    assert snap["encryption"]["in_transit"] == {"client_broker": "TLS", "in_cluster": True}
    assert snap["network"]["ingress"] == [
        {
            "protocol": "all",
            "from_port": None,
            "to_port": None,
            "peer": "pl-0a1b2c3d",
            "peer_type": "prefix_list",
            "description": None,
        }
    ]
    assert ("kafka", "ListScramSecrets") not in world.operations
    assert snap["gaps"] == []


def test_help_does_not_import_boto3() -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from checker.cli import main\n"
        "for args in (['--help'], ['export', '--help'], ['export', 'aws', '--help']):\n"
        "    result = CliRunner().invoke(main, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "print('boto3' in sys.modules, 'botocore' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False False"
