"""A fleet of MSK cluster pairs in moto (+ MskFake), and its fleet repository.

`seed(url, fake, pairs, accounts)` builds, for pair i, a primary cluster in us-east-1 and a
secondary in us-west-2 of account accounts[i % len(accounts)], each with what
tests/aws/estate.py gives its one pair (ready variant): broker and client security groups with
ingress, a KMS key with rotation, a CloudWatch log group with retention, a configuration
revision, a cluster policy, a tiered-storage bucket (versioning, encryption, lifecycle, public
access block), bootstrap brokers, a VPC connection, topics, and the replicators both ways; per
account and region a VPC with an MSK interface endpoint, per account a multi-region trail, and
per pair IAM roles (writer, reader, replicator). Accounts other than moto's default are reached
with credentials from sts:AssumeRole on a role of that account (moto keeps accounts apart by
access key).

`write_fleet(root, url, pairs, families=N)` writes one plan per pair (sources: `aws` at `url`)
with N topic families over the pair's topics, and fleet.yaml naming them (accounts entries give
the role to assume for the other accounts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from .msk_front import MskFake

DEFAULT_ACCOUNT = "123456789012"  # moto's
OTHER_ACCOUNT = "210987654321"
PRIMARY, SECONDARY = "us-east-1", "us-west-2"
REGIONS = (PRIMARY, SECONDARY)
AUDIT_ROLE = "failback-audit"
CIDR = {PRIMARY: "10.10.0.0/16", SECONDARY: "10.20.0.0/16"}
SERVER_PROPERTIES = """\
auto.create.topics.enable=false
allow.everyone.if.no.acl.found = false
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
log.retention.hours=168
"""
INTERNAL_TOPICS: dict[str, dict[str, Any]] = {
    "__consumer_offsets": {
        "partitions": 50,
        "replication_factor": 3,
        "configs": {"cleanup.policy": "compact"},
    },
    "__amazon_msk_canary": {"partitions": 1, "replication_factor": 3},
}


@dataclass(frozen=True)
class Cluster:
    region: str
    name: str
    arn: str
    alias: str
    client_sg: str
    log_group: str
    bucket: str


@dataclass(frozen=True)
class Pair:
    index: int
    account: str
    clusters: dict[str, Cluster]  # by region

    @property
    def name(self) -> str:
        return f"p{self.index:03d}"


def resource(cluster: Cluster, kind: str, rest: str = "") -> str:
    """The IAM resource ARN of the cluster (kind "cluster") or of its topics/groups:
    arn:aws:kafka:REGION:ACCOUNT:KIND/NAME/UUID[/REST] (moto's cluster ARNs omit the name)."""
    head, _, uuid = cluster.arn.rpartition("/")
    prefix = head.rsplit(":", 1)[0]
    tail = f"/{rest}" if rest else ""
    return f"{prefix}:{kind}/{cluster.name}/{uuid}{tail}"


def role_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:role/{AUDIT_ROLE}"


class _Clients:
    """Seeding clients per (account, service, region)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._credentials: dict[str, dict[str, str]] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}

    def _creds(self, account: str) -> dict[str, str]:
        if account == DEFAULT_ACCOUNT:
            return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        if account not in self._credentials:
            sts = self.get(DEFAULT_ACCOUNT, "sts", PRIMARY)
            answer = sts.assume_role(RoleArn=role_arn(account), RoleSessionName="seed")
            creds = answer["Credentials"]
            self._credentials[account] = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        return self._credentials[account]

    def get(self, account: str, service: str, region: str) -> Any:
        key = (account, service, region)
        if key not in self._clients:
            self._clients[key] = boto3.client(
                service,  # type: ignore[call-overload]
                region_name=region,
                endpoint_url=self.url,
                **self._creds(account),
            )
        return self._clients[key]


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass(frozen=True)
class _Network:
    vpc: str
    subnet: str
    client_sg: str


def _network(clients: _Clients, account: str, region: str) -> _Network:
    ec2 = clients.get(account, "ec2", region)
    vpc = ec2.create_vpc(CidrBlock=CIDR[region])["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=CIDR[region].replace("0.0/16", "1.0/24"))
    subnet_id = subnet["Subnet"]["SubnetId"]
    client_sg = ec2.create_security_group(
        GroupName="kafka-clients", Description="clients", VpcId=vpc
    )["GroupId"]
    ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName=f"com.amazonaws.{region}.kafka",
        VpcEndpointType="Interface",
        SubnetIds=[subnet_id],
        SecurityGroupIds=[client_sg],
    )
    return _Network(vpc, subnet_id, client_sg)


def _trail(clients: _Clients, account: str) -> None:
    s3 = clients.get(account, "s3", PRIMARY)
    bucket = f"org-trail-logs-{account}"
    s3.create_bucket(Bucket=bucket)
    trail = clients.get(account, "cloudtrail", PRIMARY)
    trail.create_trail(
        Name="org-trail", S3BucketName=bucket, IsMultiRegionTrail=True, EnableLogFileValidation=True
    )
    trail.put_event_selectors(
        TrailName="org-trail",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    trail.start_logging(Name="org-trail")


def topic_names(topics: int) -> list[str]:
    return [f"ledger.t{k:02d}" for k in range(topics)]


def _cluster(
    clients: _Clients,
    fake: MskFake,
    account: str,
    region: str,
    network: _Network,
    pair: str,
    topics: int,
) -> Cluster:
    name = f"{pair}-{region}"
    ec2 = clients.get(account, "ec2", region)
    brokers = ec2.create_security_group(
        GroupName=f"{name}-brokers", Description="brokers", VpcId=network.vpc
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=brokers,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 9098,
                "ToPort": 9098,
                "IpRanges": [{"CidrIp": CIDR[region], "Description": "IAM clients"}],
                "UserIdGroupPairs": [{"GroupId": network.client_sg, "Description": "clients"}],
            }
        ],
    )
    kms = clients.get(account, "kms", region)
    key = kms.create_key(Description=f"{name} at rest", MultiRegion=True)["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=key)
    log_group = f"/aws/msk/{name}/broker"
    logs = clients.get(account, "logs", region)
    logs.create_log_group(logGroupName=log_group)
    logs.put_retention_policy(logGroupName=log_group, retentionInDays=365)
    config_arn = f"arn:aws:kafka:{region}:{account}:configuration/{name}/0c1d2e3f-1"
    kafka = clients.get(account, "kafka", region)
    arn = kafka.create_cluster(
        ClusterName=name,
        KafkaVersion="3.6.0",
        NumberOfBrokerNodes=3,
        BrokerNodeGroupInfo={
            "InstanceType": "kafka.m5.large",
            "ClientSubnets": [network.subnet],
            "SecurityGroups": [brokers],
            "ConnectivityInfo": {"PublicAccess": {"Type": "DISABLED"}},
        },
        ClientAuthentication={
            "Sasl": {"Iam": {"Enabled": True}, "Scram": {"Enabled": False}},
            "Unauthenticated": {"Enabled": False},
        },
        EncryptionInfo={
            "EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True},
            "EncryptionAtRest": {"DataVolumeKMSKeyId": key},
        },
        LoggingInfo={"BrokerLogs": {"CloudWatchLogs": {"Enabled": True, "LogGroup": log_group}}},
        ConfigurationInfo={"Arn": config_arn, "Revision": 3},
        Tags={"team": "platform"},
    )["ClusterArn"]
    kafka.put_cluster_policy(
        ClusterArn=arn,
        Policy=_policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::999988887777:role/partner-reader"]},
                "Action": ["kafka-cluster:Connect", "kafka-cluster:DescribeTopic"],
                "Resource": [
                    f"arn:aws:kafka:{region}:{account}:cluster/{name}/{arn.rsplit('/', 1)[-1]}"
                ],
            }
        ),
    )
    bucket = f"{name}-tiered-{account}"
    s3 = clients.get(account, "s3", region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "Expiration": {"Days": 30},
                }
            ]
        },
    )
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    fake.configurations[(config_arn, 3)] = SERVER_PROPERTIES
    fake.bootstrap[arn] = {
        "BootstrapBrokerStringSaslIam": ",".join(
            f"b-{i}.{name}.kafka.{region}.amazonaws.com:9098" for i in (1, 2, 3)
        )
    }
    fake.scram[arn] = []
    fake.vpc_connections[arn] = [
        {
            "VpcConnectionArn": f"arn:aws:kafka:{region}:{account}:vpc-connection/{account}/"
            f"{name}/1a2b3c4d",
            "CreationTime": datetime(2026, 1, 5, tzinfo=UTC),
            "State": "ACTIVE",
            "Authentication": "SASL_IAM",
            "Owner": "444455556666",
        }
    ]
    fake.topics[arn] = {
        **{
            topic: {
                "partitions": 12,
                "replication_factor": 3,
                "configs": {"retention.ms": "604800000", "cleanup.policy": "delete"},
            }
            for topic in topic_names(topics)
        },
        **{k: dict(v) for k, v in INTERNAL_TOPICS.items()},
    }
    alias = f"{pair}-{region.replace('-', '')}"
    return Cluster(region, name, arn, alias, network.client_sg, log_group, bucket)


def _iam(clients: _Clients, pair: Pair) -> None:
    iam = clients.get(pair.account, "iam", PRIMARY)
    trust = _policy(
        {
            "Effect": "Allow",
            "Principal": {"Service": "kafka.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    primary, secondary = pair.clusters[PRIMARY], pair.clusters[SECONDARY]

    def topics(cluster: Cluster) -> str:
        return resource(cluster, "topic", "ledger.*")

    roles: dict[str, list[dict[str, Any]]] = {
        f"{pair.name}-writer": [
            {
                "Effect": "Allow",
                "Action": ["kafka-cluster:Connect", "kafka-cluster:DescribeTopic"],
                "Resource": [
                    x for c in (primary, secondary) for x in (resource(c, "cluster"), topics(c))
                ],
            },
            {"Effect": "Allow", "Action": "kafka-cluster:WriteData", "Resource": topics(primary)},
        ],
        f"{pair.name}-reader": [
            {
                "Effect": "Allow",
                "Action": [
                    "kafka-cluster:Connect",
                    "kafka-cluster:DescribeTopic",
                    "kafka-cluster:ReadData",
                ],
                "Resource": [
                    x for c in (primary, secondary) for x in (resource(c, "cluster"), topics(c))
                ],
            }
        ],
        f"{pair.name}-replicator": [
            {
                "Effect": "Allow",
                "Action": "kafka-cluster:*",
                "Resource": [
                    x for c in (primary, secondary) for x in (resource(c, "cluster"), topics(c))
                ],
            }
        ],
    }
    for role, statements in roles.items():
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
        iam.put_role_policy(RoleName=role, PolicyName="kafka", PolicyDocument=_policy(*statements))


def _replicator(pair: Pair, source: Cluster, target: Cluster, start: str) -> dict[str, Any]:
    name = f"{source.name}-to-{target.region}"
    return {
        "ReplicatorArn": f"arn:aws:kafka:{target.region}:{pair.account}:replicator/{name}/7f6e",
        "ReplicatorName": name,
        "ReplicatorState": "RUNNING",
        "CurrentVersion": "K1A2B3",
        "IsReplicatorReference": False,
        "CreationTime": datetime(2026, 10, 1, tzinfo=UTC),
        "ServiceExecutionRoleArn": f"arn:aws:iam::{pair.account}:role/{pair.name}-replicator",
        "KafkaClusters": [
            {
                "AmazonMskCluster": {"MskClusterArn": c.arn},
                "KafkaClusterAlias": c.alias,
                "VpcConfig": {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": [c.client_sg]},
            }
            for c in (source, target)
        ],
        "ReplicationInfoList": [
            {
                "SourceKafkaClusterAlias": source.alias,
                "TargetKafkaClusterAlias": target.alias,
                "TargetCompressionType": "NONE",
                "TopicReplication": {
                    "TopicsToReplicate": ["ledger\\..*"],
                    "TopicsToExclude": ["__.*"],
                    "CopyTopicConfigurations": True,
                    "CopyAccessControlListsForTopics": True,
                    "DetectAndCopyNewTopics": True,
                    "StartingPosition": {"Type": start},
                    "TopicNameConfiguration": {"Type": "IDENTICAL"},
                },
                "ConsumerGroupReplication": {
                    "ConsumerGroupsToReplicate": [".*"],
                    "ConsumerGroupsToExclude": [],
                    "SynchroniseConsumerGroupOffsets": True,
                    "DetectAndCopyNewConsumerGroups": True,
                    "ConsumerGroupOffsetSyncMode": "ENHANCED",
                },
            }
        ],
        "Tags": {"owner": "team-platform"},
    }


def seed(
    url: str,
    fake: MskFake,
    pairs: int,
    accounts: tuple[str, ...] = (DEFAULT_ACCOUNT,),
    topics: int = 10,
) -> list[Pair]:
    """`pairs` cluster pairs spread round-robin over `accounts` (moto reset beforehand)."""
    clients = _Clients(url)
    networks = {(a, r): _network(clients, a, r) for a in accounts for r in REGIONS}
    for account in accounts:
        _trail(clients, account)
        if account != DEFAULT_ACCOUNT:  # the role the fleet's accounts entry assumes
            clients.get(account, "iam", PRIMARY).create_role(
                RoleName=AUDIT_ROLE, AssumeRolePolicyDocument=_policy()
            )
    built: list[Pair] = []
    for index in range(pairs):
        account = accounts[index % len(accounts)]
        name = f"p{index:03d}"
        clusters = {
            region: _cluster(
                clients, fake, account, region, networks[(account, region)], name, topics
            )
            for region in REGIONS
        }
        pair = Pair(index, account, clusters)
        _iam(clients, pair)
        primary, secondary = clusters[PRIMARY], clusters[SECONDARY]
        fake.replicators.setdefault((account, SECONDARY), []).append(
            _replicator(pair, primary, secondary, "LATEST")
        )
        fake.replicators.setdefault((account, PRIMARY), []).append(
            _replicator(pair, secondary, primary, "EARLIEST")  # failback carries it all back
        )
        built.append(pair)
    return built


def plan(pair: Pair, url: str, families: int, topics: int, today: date | None = None) -> Any:
    """The pair's failback plan: `families` topic families (1: `ledger.*`; N: the pair's
    topics split into N families, round-robin), sources reading both regions at `url`."""
    rehearsed = ((today or datetime.now(UTC).date()) - timedelta(days=10)).isoformat()
    writers = {
        "normal": "primary",
        "failover": "secondary",
        "dr_operation": "secondary",
        "failback": "primary",
        "cleanup": "primary",
    }
    names = topic_names(topics)
    matches = [["ledger.*"]] if families == 1 else [names[k::families] for k in range(families)]
    clusters = pair.clusters

    def region(name: str) -> dict[str, Any]:
        return {
            "name": name,
            "source": {
                "type": "aws",
                "cluster_arn": clusters[name].arn,
                "endpoint_url": url,
                "storage_buckets": [clusters[name].bucket],
                "max_attempts": 2,
            },
        }

    return {
        "schema_version": "1.0",
        "name": f"{pair.name}-on-msk",
        "current_phase": "failback",
        "regions": {"primary": region(PRIMARY), "secondary": region(SECONDARY)},
        "equivalences": [
            {
                "kind": "cluster",
                "canonical": pair.name,
                "values": [c.name for c in clusters.values()],
            },
            {
                "kind": "security_group",
                "canonical": "sg:kafka-clients",
                "values": sorted({c.client_sg for c in clusters.values()}),
            },
            {"kind": "other", "canonical": "cidr:app-vpc", "values": list(CIDR.values())},
            {
                "kind": "log_group",
                "canonical": "log-group:msk-broker",
                "values": [c.log_group for c in clusters.values()],
            },
            {
                "kind": "bucket",
                "canonical": "bucket:tiered",
                "values": [c.bucket for c in clusters.values()],
            },
        ],
        "replicator_principals": [f"iam:role/{pair.name}-replicator"],
        "topic_families": [
            {
                "name": f"ledger-{k:02d}" if families > 1 else "ledger",
                "match": match,
                "owner": "team-ledger",
                "tier": 1,
                "phases": {p: {"writer": w, "consumer": w} for p, w in writers.items()},
                "producers": [f"iam:role/{pair.name}-writer"],
                "offset_strategy": "translated",
                "transactional": False,
                "sinks": [{"name": "warehouse", "idempotency": "dedupe-by-key"}],
                "evidence": {
                    p: {
                        "runbook": f"runbooks/ledger/{p}.md",
                        "last_rehearsal": rehearsed,
                        "metrics": ["MaxOffsetLag:ledger"],
                        "alerts": ["ledger-replication-lag-high"],
                    }
                    for p in writers
                },
            }
            for k, match in enumerate(matches)
        ],
        "rollback": {
            "stop_point": "Before producers move back; us-west-2 stays the writer",
            "return_path": "Re-grant writes in us-west-2, revoke in us-east-1",
        },
        "evidence": {"out_of_scope": ["consumer_groups", "quotas"]},
    }


def write_fleet(
    root: Path,
    url: str,
    pairs: list[Pair],
    families: int = 1,
    topics: int = 10,
    concurrency: int = 8,
) -> Path:
    """A repository at root with one plan per pair (pairs/<name>/failback.yaml) and its
    fleet.yaml; JSON is YAML."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for pair in pairs:
        directory = root / "pairs" / pair.name
        directory.mkdir(parents=True, exist_ok=True)
        document = plan(pair, url, families, topics)
        (directory / "failback.yaml").write_text(json.dumps(document, indent=1))
    accounts = sorted({p.account for p in pairs} - {DEFAULT_ACCOUNT})
    fleet = {
        "schema_version": "1.0",
        "name": f"aws-{len(pairs)}",
        "plans": ["pairs/*/failback.yaml"],
        "concurrency": concurrency,
        "accounts": [{"account": a, "role_arn": role_arn(a)} for a in accounts],
    }
    path = root / "fleet.yaml"
    path.write_text(json.dumps(fleet, indent=1))
    return path
