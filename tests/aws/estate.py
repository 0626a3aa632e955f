"""A two-region MSK estate in moto (+ the MSK fake): us-east-1 primary, us-west-2 secondary.

`build(world, drift=False)` is failback-ready; `drift=True` seeds known drift in us-west-2:
weaker encryption (TLS_PLAINTEXT, AWS-managed key, a plaintext listener), no API trail,
30-day broker logs, ingress open to the internet, a producer write grant via an IAM policy,
a consumer grant that exists only in the primary, and a reverse replicator with LEGACY offset
sync and no owner tag.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .conftest import ACCOUNT, World

PRIMARY, SECONDARY = "us-east-1", "us-west-2"
NAME = {PRIMARY: "payments-use1", SECONDARY: "payments-usw2"}
ALIAS = {PRIMARY: "use1", SECONDARY: "usw2"}
CIDR = {PRIMARY: "10.10.0.0/16", SECONDARY: "10.20.0.0/16"}
BUCKET = {PRIMARY: "payments-use1-tiered", SECONDARY: "payments-usw2-tiered"}
LOG_GROUP = {r: f"/aws/msk/{n}/broker" for r, n in NAME.items()}
REPLICATOR_ROLE = f"arn:aws:iam::{ACCOUNT}:role/msk-replicator-payments"
PARTNER = "arn:aws:iam::999988887777:role/partner-reader"
SERVER_PROPERTIES = """\
# payments broker configuration
auto.create.topics.enable=false
allow.everyone.if.no.acl.found = false
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
log.retention.hours=168
"""
TOPICS: dict[str, dict[str, Any]] = {
    "ledger.entries": {
        "partitions": 24,
        "replication_factor": 3,
        "configs": {"retention.ms": "604800000", "cleanup.policy": "delete"},
    },
    "ledger.balances": {
        "partitions": 12,
        "replication_factor": 3,
        "configs": {"retention.ms": "604800000", "cleanup.policy": "delete"},
    },
    "__consumer_offsets": {
        "partitions": 50,
        "replication_factor": 3,
        "configs": {"cleanup.policy": "compact"},
    },
    "__amazon_msk_canary": {"partitions": 1, "replication_factor": 3},
}


@dataclass
class Region:
    name: str
    cluster_arn: str
    uuid: str
    client_sg: str
    broker_sg: str


def kafka_arn(region: str, kind: str, rest: str = "*") -> str:
    return f"arn:aws:kafka:{region}:{ACCOUNT}:{kind}/{NAME[region]}/{rest}"


def build(world: World, drift: bool = False) -> dict[str, Region]:
    regions = {r: _region(world, r, weak=drift and r == SECONDARY) for r in (PRIMARY, SECONDARY)}
    _trail(world, multi_region=not drift)
    _iam(world, drift)
    _replicators(world, regions, drift)
    return regions


def _region(world: World, region: str, weak: bool) -> Region:
    ec2 = world.client("ec2", region)
    vpc = ec2.create_vpc(CidrBlock=CIDR[region])["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=CIDR[region].replace("0.0/16", "1.0/24"))
    subnet_id = subnet["Subnet"]["SubnetId"]
    clients = ec2.create_security_group(
        GroupName="kafka-clients", Description="clients", VpcId=vpc
    )["GroupId"]
    brokers = ec2.create_security_group(
        GroupName="kafka-brokers", Description="brokers", VpcId=vpc
    )["GroupId"]
    permissions: list[dict[str, Any]] = [
        {
            "IpProtocol": "tcp",
            "FromPort": 9098,
            "ToPort": 9098,
            "IpRanges": [{"CidrIp": CIDR[region], "Description": "IAM clients in the app VPC"}],
            "UserIdGroupPairs": [{"GroupId": clients, "Description": "client security group"}],
        }
    ]
    if weak:
        permissions.append(
            {
                "IpProtocol": "tcp",
                "FromPort": 9098,
                "ToPort": 9098,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "debugging"}],
            }
        )
    ec2.authorize_security_group_ingress(GroupId=brokers, IpPermissions=permissions)
    ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName=f"com.amazonaws.{region}.kafka",
        VpcEndpointType="Interface",
        SubnetIds=[subnet_id],
        SecurityGroupIds=[brokers],
    )
    ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=f"com.amazonaws.{region}.s3", VpcEndpointType="Gateway"
    )

    encryption: dict[str, Any] = {
        "EncryptionInTransit": {
            "ClientBroker": "TLS_PLAINTEXT" if weak else "TLS",
            "InCluster": True,
        }
    }
    if not weak:
        kms = world.client("kms", region)
        key = kms.create_key(Description="msk at rest", MultiRegion=True)["KeyMetadata"]["Arn"]
        kms.enable_key_rotation(KeyId=key)
        encryption["EncryptionAtRest"] = {"DataVolumeKMSKeyId": key}

    logs = world.client("logs", region)
    logs.create_log_group(logGroupName=LOG_GROUP[region])
    logs.put_retention_policy(logGroupName=LOG_GROUP[region], retentionInDays=30 if weak else 365)
    logs.create_log_group(logGroupName=LOG_GROUP[region] + "-old")  # same prefix, not ours

    config_arn = f"arn:aws:kafka:{region}:{ACCOUNT}:configuration/payments/0c1d2e3f-1"
    kafka = world.client("kafka", region)
    arn = kafka.create_cluster(
        ClusterName=NAME[region],
        KafkaVersion="3.6.0",
        NumberOfBrokerNodes=3,
        BrokerNodeGroupInfo={
            "InstanceType": "kafka.m5.large",
            "ClientSubnets": [subnet_id],
            "SecurityGroups": [brokers],
            "ConnectivityInfo": {"PublicAccess": {"Type": "DISABLED"}},
        },
        ClientAuthentication={
            "Sasl": {"Iam": {"Enabled": True}, "Scram": {"Enabled": False}},
            "Unauthenticated": {"Enabled": False},
        },
        EncryptionInfo=encryption,
        LoggingInfo={
            "BrokerLogs": {"CloudWatchLogs": {"Enabled": True, "LogGroup": LOG_GROUP[region]}}
        },
        ConfigurationInfo={"Arn": config_arn, "Revision": 3},
        Tags={"team": "platform"},
    )["ClusterArn"]
    uuid = arn.rsplit("/", 1)[-1]
    kafka.put_cluster_policy(
        ClusterArn=arn,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": [PARTNER]},
                        "Action": [
                            "kafka-cluster:Connect",
                            "kafka-cluster:DescribeTopic",
                            "kafka-cluster:ReadData",
                        ],
                        "Resource": [
                            kafka_arn(region, "cluster", uuid),
                            kafka_arn(region, "topic", f"{uuid}/ledger.*"),
                        ],
                    },
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": [PARTNER]},
                        "Action": ["kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers"],
                        "Resource": arn,
                    },
                ],
            }
        ),
    )

    s3 = world.client("s3", region)
    bucket = BUCKET[region]
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

    msk = world.msk
    msk.configurations[(config_arn, 3)] = SERVER_PROPERTIES
    brokers_iam = ",".join(
        f"b-{i}.{NAME[region]}.kafka.{region}.amazonaws.com:9098" for i in (1, 2, 3)
    )
    msk.bootstrap[arn] = {"BootstrapBrokerStringSaslIam": brokers_iam}
    if weak:
        msk.bootstrap[arn]["BootstrapBrokerString"] = brokers_iam.replace(":9098", ":9092")
    msk.scram[arn] = []
    msk.vpc_connections[arn] = [
        {
            "VpcConnectionArn": f"arn:aws:kafka:{region}:{ACCOUNT}:vpc-connection/{ACCOUNT}/"
            f"{NAME[region]}/1a2b3c4d",
            "CreationTime": datetime(2026, 1, 5, tzinfo=UTC),
            "State": "ACTIVE",
            "Authentication": "SASL_IAM",
            "Owner": "444455556666",
        }
    ]
    msk.topics[arn] = {k: dict(v) for k, v in TOPICS.items()}
    return Region(region, arn, uuid, clients, brokers)


def _trail(world: World, multi_region: bool) -> None:
    """One trail in us-east-1; only multi-region when the estate is ready."""
    s3 = world.client("s3", PRIMARY)
    s3.create_bucket(Bucket="org-trail-logs")
    trail = world.client("cloudtrail", PRIMARY)
    trail.create_trail(
        Name="org-trail",
        S3BucketName="org-trail-logs",
        IsMultiRegionTrail=multi_region,
        EnableLogFileValidation=True,
    )
    trail.put_event_selectors(
        TrailName="org-trail",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    trail.start_logging(Name="org-trail")


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _iam(world: World, drift: bool) -> None:
    iam = world.client("iam")
    trust = _policy(
        {
            "Effect": "Allow",
            "Principal": {"Service": "kafka.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    for role in (
        "ledger-writer",
        "ledger-reader",
        "reporting",
        "msk-replicator-payments",
        "s3-reader",
    ):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
    producer = iam.create_policy(
        PolicyName="ledger-producer",
        PolicyDocument=_policy(
            {
                "Effect": "Allow",
                "Action": ["kafka-cluster:Connect", "kafka-cluster:DescribeTopic"],
                "Resource": [
                    kafka_arn(r, k) for r in (PRIMARY, SECONDARY) for k in ("cluster", "topic")
                ],
            },
            {
                "Effect": "Allow",
                "Action": "kafka-cluster:WriteData",
                "Resource": kafka_arn(PRIMARY, "topic", "*/ledger.*"),
            },
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"},
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="ledger-writer", PolicyArn=producer)
    if drift:  # kept from DR operation: the passive secondary still accepts ledger writes
        iam.put_role_policy(
            RoleName="ledger-writer",
            PolicyName="dr-ledger-writes",
            PolicyDocument=_policy(
                {
                    "Effect": "Allow",
                    "Action": ["kafka-cluster:WriteData"],
                    "Resource": [kafka_arn(SECONDARY, "topic", "*/ledger.*")],
                }
            ),
        )
    iam.put_role_policy(
        RoleName="ledger-reader",
        PolicyName="read-ledger",
        PolicyDocument=_policy(
            {
                "Effect": "Allow",
                "Action": [
                    "kafka-cluster:Connect",
                    "kafka-cluster:DescribeTopic",
                    "kafka-cluster:ReadData",
                    "kafka-cluster:AlterGroup",
                    "kafka-cluster:DescribeGroup",
                ],
                "Resource": [
                    f"arn:aws:kafka:*:{ACCOUNT}:cluster/*/*",
                    f"arn:aws:kafka:*:{ACCOUNT}:topic/*/*/ledger.*",
                    f"arn:aws:kafka:*:{ACCOUNT}:group/*/*/ledger-*",
                ],
            }
        ),
    )
    reporting = [PRIMARY] if drift else [PRIMARY, SECONDARY]
    iam.put_role_policy(
        RoleName="reporting",
        PolicyName="read-ledger",
        PolicyDocument=_policy(
            {
                "Effect": "Allow",
                "Action": "kafka-cluster:ReadData",
                "Resource": [kafka_arn(r, "topic", "*/ledger.*") for r in reporting],
            }
        ),
    )
    iam.put_role_policy(
        RoleName="msk-replicator-payments",
        PolicyName="replicate",
        PolicyDocument=_policy(
            {
                "Effect": "Allow",
                "Action": "kafka-cluster:*",
                "Resource": [
                    kafka_arn(r, k, "*/*" if k != "cluster" else "*")
                    for r in (PRIMARY, SECONDARY)
                    for k in ("cluster", "topic", "group")
                ],
            }
        ),
    )
    iam.put_role_policy(
        RoleName="s3-reader",
        PolicyName="s3",
        PolicyDocument=_policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
    )
    iam.create_group(GroupName="platform-admins")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="platform-admins", UserName="alice")
    iam.put_group_policy(
        GroupName="platform-admins",
        PolicyName="operate",
        PolicyDocument=_policy(
            {
                "Effect": "Allow",
                "Action": "kafka-cluster:*",
                "Resource": f"arn:aws:kafka:*:{ACCOUNT}:cluster/*",
            }
        ),
    )


def replicator(
    name: str, source: Region, target: Region, mode: str, owner: str | None, start: str
) -> dict[str, Any]:
    arn = f"arn:aws:kafka:{target.name}:{ACCOUNT}:replicator/{name}/7f6e5d4c-{target.uuid[:8]}"
    return {
        "ReplicatorArn": arn,
        "ReplicatorName": name,
        "ReplicatorState": "RUNNING",
        "CurrentVersion": "K1A2B3",
        "IsReplicatorReference": False,
        "CreationTime": datetime(2026, 10, 1, tzinfo=UTC),
        "ServiceExecutionRoleArn": REPLICATOR_ROLE,
        "KafkaClusters": [
            {
                "AmazonMskCluster": {"MskClusterArn": c.cluster_arn},
                "KafkaClusterAlias": ALIAS[c.name],
                "VpcConfig": {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": [c.client_sg]},
            }
            for c in (source, target)
        ],
        "ReplicationInfoList": [
            {
                "SourceKafkaClusterAlias": ALIAS[source.name],
                "TargetKafkaClusterAlias": ALIAS[target.name],
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
                    "ConsumerGroupOffsetSyncMode": mode,
                },
            }
        ],
        "Tags": {"owner": owner} if owner else {},
    }


def _replicators(world: World, regions: dict[str, Region], drift: bool) -> None:
    primary, secondary = regions[PRIMARY], regions[SECONDARY]
    forward = replicator(
        "payments-use1-to-usw2", primary, secondary, "ENHANCED", "team-platform", "LATEST"
    )
    reverse = replicator(
        "payments-usw2-to-use1",
        secondary,
        primary,
        "LEGACY" if drift else "ENHANCED",
        None if drift else "team-platform",
        "EARLIEST",
    )
    world.msk.replicators[SECONDARY] = [forward]
    world.msk.replicators[PRIMARY] = [reverse]
    # In us-east-1 also: the forward replicator's reference, and a replicator of another cluster.
    reference = {
        **{
            k: forward[k]
            for k in ("ReplicatorArn", "ReplicatorName", "ReplicatorState", "CurrentVersion")
        },
        "IsReplicatorReference": True,
        "KafkaClustersSummary": [
            {
                "AmazonMskCluster": {"MskClusterArn": c.cluster_arn},
                "KafkaClusterAlias": ALIAS[c.name],
            }
            for c in (primary, secondary)
        ],
    }
    other = {
        "ReplicatorArn": f"arn:aws:kafka:{PRIMARY}:{ACCOUNT}:replicator/orders/1a2b3c4d",
        "ReplicatorName": "orders",
        "ReplicatorState": "RUNNING",
        "CurrentVersion": "X",
        "IsReplicatorReference": False,
        "KafkaClustersSummary": [
            {
                "AmazonMskCluster": {
                    "MskClusterArn": f"arn:aws:kafka:{PRIMARY}:{ACCOUNT}:cluster/orders/0-1"
                },
                "KafkaClusterAlias": "orders",
            }
        ],
    }
    world.msk.summaries[PRIMARY] = [reference, other]


def plan(
    regions: dict[str, Region], url: str, today: date | None = None, sources: bool = True
) -> dict[str, Any]:
    """A failback plan for the estate; sources read both regions through moto."""
    rehearsed = ((today or datetime.now(UTC).date()) - timedelta(days=10)).isoformat()
    writers = {
        "normal": "primary",
        "failover": "secondary",
        "dr_operation": "secondary",
        "failback": "primary",
        "cleanup": "primary",
    }

    def region(role: str, name: str) -> dict[str, Any]:
        if not sources:
            return {"name": name, "snapshot": f"{name}.json"}
        return {
            "name": name,
            "source": {
                "type": "aws",
                "cluster_arn": regions[name].cluster_arn,
                "endpoint_url": url,
                "storage_buckets": [BUCKET[name]],
                "quiet": True,
                "max_attempts": 2,
            },
        }

    return {
        "schema_version": "1.0",
        "name": "payments-on-msk",
        "current_phase": "failback",
        "regions": {
            "primary": region("primary", PRIMARY),
            "secondary": region("secondary", SECONDARY),
        },
        "equivalences": [
            {"kind": "cluster", "canonical": "payments", "values": list(NAME.values())},
            {
                "kind": "security_group",
                "canonical": "sg:kafka-clients",
                "values": [r.client_sg for r in regions.values()],
            },
            {"kind": "other", "canonical": "cidr:app-vpc", "values": list(CIDR.values())},
            {
                "kind": "log_group",
                "canonical": "log-group:msk-broker",
                "values": list(LOG_GROUP.values()),
            },
            {"kind": "bucket", "canonical": "bucket:tiered", "values": list(BUCKET.values())},
        ],
        "replicator_principals": ["iam:role/msk-replicator-*"],
        "topic_families": [
            {
                "name": "ledger",
                "match": ["ledger.*"],
                "owner": "team-ledger",
                "tier": 1,
                "phases": {p: {"writer": w, "consumer": w} for p, w in writers.items()},
                "producers": ["iam:role/ledger-writer"],
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
        ],
        "rollback": {
            "stop_point": "Before producers move back; us-west-2 stays the writer",
            "return_path": "Re-grant writes in us-west-2, revoke in us-east-1",
        },
        # Consumer groups and client quotas live inside Kafka: the kafka exporter reads them.
        "evidence": {"out_of_scope": ["consumer_groups", "quotas"]},
    }
