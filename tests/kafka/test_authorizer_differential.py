"""checker.authz.kafka against a real broker: the project's answer must be the broker's.

Two dedicated single-node KRaft clusters run StandardAuthorizer with `super.users` =
User:admin;User:super1, one with `allow.everyone.if.no.acl.found=false`, one with `true`; a
third runs no authorizer at all. For each of CASES_PER_CLUSTER seeded random ACL sets per
authorizer cluster (ALLOW and DENY; LITERAL names, LITERAL `*`, PREFIXED; hosts `*`,
127.0.0.1 (the clients' address), other addresses and a host name; `User:*`, a `Group:`
principal, the super user, principals without a SCRAM user; TOPIC, GROUP, CLUSTER and
TRANSACTIONAL_ID resources), the ACLs are created through the Admin API (after deleting the
previous case's) and, once the broker lists exactly them, every test principal asks the broker:

- DescribeTopics with authorized operations (DESCRIBE, and the operations the broker reports);
- Metadata for all topics (which topics it lists);
- DescribeGroups and DescribeCluster with authorized operations;
- produce one record to every topic (plain producer);
- fetch from every topic it can see (assigned partitions, offset 0);
- an idempotent producer (does it get a producer id?) and a transactional one
  (init_transactions with its transactional id).

The same questions go to checker.authz.kafka.Authorizer; every answer must agree.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import random
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from checker.authz.kafka import (
    CLUSTER_NAME,
    AclBinding,
    Authorizer,
    Operation,
    ResourceType,
    acl,
)

from .kafka_cluster import (
    ADMIN_PASSWORD,
    ADMIN_USER,
    Cluster,
    ClusterError,
    start_clusters,
)

pytestmark = pytest.mark.slow  # real brokers on loopback

SEED = 20261202
CASES_PER_CLUSTER = int(os.environ.get("AUTHZ_DIFFERENTIAL_CASES", "120"))
CLIENT_HOST = "127.0.0.1"  # every client connects from loopback
USERS = {
    ADMIN_USER: ADMIN_PASSWORD,
    "alice": "alice-secret",
    "bob": "bob-secret",
    "carol": "carol-secret",
    "super1": "super1-secret",
}
SUPER_USERS = ("User:admin", "User:super1")
PROBED = ("alice", "bob", "carol")  # every case; super1 every SUPER_EVERY-th case
SUPER_EVERY = 6
TOPICS = ("pay", "pay.a", "pay.ab", "pay.b", "payroll", "orders.x", "orders.y", "o", "x.1")
GROUPS = ("g1", "g2", "grp.a")
PROBE_GROUP = "zz-probe"  # the consumers' group id: they assign partitions, never join
QUIET = logging.getLogger("authz-differential")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False

# What the broker reports as "authorized operations" per resource type (Kafka 4.1); the
# super user's answers in setup must be exactly these.
TOPIC_OPERATIONS = frozenset(
    {"ALTER", "ALTER_CONFIGS", "CREATE", "DELETE", "DESCRIBE", "DESCRIBE_CONFIGS", "READ", "WRITE"}
)
GROUP_OPERATIONS = frozenset({"ALTER_CONFIGS", "DELETE", "DESCRIBE", "DESCRIBE_CONFIGS", "READ"})
CLUSTER_OPERATIONS = frozenset(
    {
        "ALTER",
        "ALTER_CONFIGS",
        "CLUSTER_ACTION",
        "CREATE",
        "DESCRIBE",
        "DESCRIBE_CONFIGS",
        "IDEMPOTENT_WRITE",
    }
)


@dataclass
class AuthzCluster(Cluster):
    """A test cluster with some broker settings replaced (None removes a setting)."""

    overrides: Mapping[str, str | None] = field(default_factory=dict)

    def server_properties(self) -> str:
        settings = dict(
            line.split("=", 1) for line in super().server_properties().splitlines() if line
        )
        for key, value in self.overrides.items():
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = value
        return "".join(f"{key}={value}\n" for key, value in settings.items())


@dataclass
class Env:
    cluster: AuthzCluster
    allow_everyone: bool
    enabled: bool
    admins: dict[str, Any] = field(default_factory=dict)  # one AdminClient per user, reused

    def admin_for(self, user: str) -> Any:
        if user not in self.admins:
            from confluent_kafka.admin import AdminClient

            self.admins[user] = AdminClient(self.config(user))
        return self.admins[user]

    def config(self, user: str) -> dict[str, Any]:
        return {**self.cluster.client_config(user), "logger": QUIET}


# -- random ACL sets ----------------------------------------------------------------------------


def _pick(rng: random.Random, weighted: Mapping[str, int]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


PRINCIPALS = {
    "User:alice": 25,
    "User:bob": 22,
    "User:carol": 15,
    "User:*": 20,
    "User:super1": 5,
    "User:ghost": 5,
    "Group:alice": 4,
}
HOSTS = {
    "*": 62,
    CLIENT_HOST: 20,
    "10.20.30.40": 5,
    "192.168.7.7": 4,
    "127.0.0.2": 3,
    "localhost": 3,
    "0:0:0:0:0:0:0:1": 3,
}
TOPIC_OPS = {
    "READ": 20,
    "WRITE": 20,
    "DESCRIBE": 18,
    "ALL": 10,
    "CREATE": 5,
    "DELETE": 5,
    "ALTER": 6,
    "DESCRIBE_CONFIGS": 6,
    "ALTER_CONFIGS": 6,
}
GROUP_OPS = {"READ": 8, "DESCRIBE": 6, "DELETE": 3, "ALL": 3, "ALTER_CONFIGS": 2}
CLUSTER_OPS = {
    "DESCRIBE": 6,
    "ALTER": 3,
    "IDEMPOTENT_WRITE": 6,
    "ALL": 3,
    "CLUSTER_ACTION": 2,
    "CREATE": 2,
    "DESCRIBE_CONFIGS": 2,
    "ALTER_CONFIGS": 2,
}
TXN_OPS = {"WRITE": 6, "DESCRIBE": 5, "ALL": 2}
TOPIC_PREFIXES = ("p", "pa", "pay", "pay.", "pay.a", "payr", "orders.", "o", "ord", "x", "zz", "*")


def _resource(rng: random.Random) -> tuple[str, str, str, Mapping[str, int]]:
    """(resource type, pattern type, name, operation weights) for one random binding."""
    kind = _pick(rng, {"TOPIC": 70, "GROUP": 10, "CLUSTER": 10, "TRANSACTIONAL_ID": 10})
    roll = rng.random()
    if kind == "TOPIC":
        if roll < 0.12:
            return kind, "LITERAL", "*", TOPIC_OPS
        if roll < 0.55:
            return kind, "LITERAL", rng.choice((*TOPICS, "nope", "pay.")), TOPIC_OPS
        return kind, "PREFIXED", rng.choice((*TOPIC_PREFIXES, *TOPICS)), TOPIC_OPS
    if kind == "GROUP":
        if roll < 0.6:
            return kind, "LITERAL", rng.choice((*GROUPS, "*")), GROUP_OPS
        return kind, "PREFIXED", rng.choice(("g", "grp.", "x", "zz")), GROUP_OPS
    if kind == "CLUSTER":
        if roll < 0.9:
            return kind, "LITERAL", CLUSTER_NAME, CLUSTER_OPS
        return kind, "PREFIXED", CLUSTER_NAME, CLUSTER_OPS  # the only name the broker takes
    if roll < 0.5:
        return kind, "LITERAL", rng.choice(("tx-alice", "tx-bob", "tx-carol", "*")), TXN_OPS
    return kind, "PREFIXED", rng.choice(("tx-", "tx-a", "t", "tx-carol", "u")), TXN_OPS


def random_acls(rng: random.Random) -> list[AclBinding]:
    out = []
    for _ in range(rng.randint(1, 16)):
        kind, pattern, name, operations = _resource(rng)
        out.append(
            acl(
                _pick(rng, PRINCIPALS),
                "DENY" if rng.random() < 0.3 else "ALLOW",
                _pick(rng, operations),
                kind,
                name,
                pattern_type=pattern,
                host=_pick(rng, HOSTS),
            )
        )
    return list(dict.fromkeys(out))  # the Admin API refuses duplicates


# -- the broker side ----------------------------------------------------------------------------


def _to_client(binding: AclBinding) -> Any:
    client: Any = importlib.import_module("confluent_kafka.admin")  # untyped re-exports
    ClientBinding = client.AclBinding
    AclOperation = client.AclOperation
    AclPermissionType = client.AclPermissionType
    ResourcePatternType = client.ResourcePatternType
    ClientResourceType = client.ResourceType

    kind = "BROKER" if binding.resource_type is ResourceType.CLUSTER else binding.resource_type
    return ClientBinding(
        ClientResourceType[kind],
        binding.resource_name,
        ResourcePatternType[binding.pattern_type],
        binding.principal,
        binding.host,
        AclOperation[binding.operation],
        AclPermissionType[binding.permission],
    )


def _key(binding: Any) -> tuple[str, ...]:
    return (
        binding.restype.name,
        binding.name,
        binding.resource_pattern_type.name,
        binding.principal,
        binding.host,
        binding.operation.name,
        binding.permission_type.name,
    )


def apply_acls(env: Env, bindings: Sequence[AclBinding]) -> None:
    """Replace every ACL with `bindings`; return once the broker lists exactly them."""
    client: Any = importlib.import_module("confluent_kafka.admin")  # untyped re-exports
    AclBindingFilter = client.AclBindingFilter
    AclOperation = client.AclOperation
    AclPermissionType = client.AclPermissionType
    ResourcePatternType = client.ResourcePatternType
    ClientResourceType = client.ResourceType

    anything: Any = None  # the stubs want str; None means "any" to librdkafka
    everything = AclBindingFilter(
        ClientResourceType.ANY,
        anything,
        ResourcePatternType.ANY,
        anything,
        anything,
        AclOperation.ANY,
        AclPermissionType.ANY,
    )
    admin = env.admin_for(ADMIN_USER)
    for future in admin.delete_acls([everything], request_timeout=30).values():
        future.result(timeout=60)
    wanted = [_to_client(b) for b in bindings]
    if wanted:
        for future in admin.create_acls(wanted, request_timeout=30).values():
            future.result(timeout=60)
    expected = {_key(b) for b in wanted}
    deadline = time.monotonic() + 30
    while {_key(b) for b in admin.describe_acls(everything).result(timeout=30)} != expected:
        assert time.monotonic() < deadline, "ACL changes never reached the broker's authorizer"
        time.sleep(0.02)


Answer = frozenset[str] | bool | None
Answers = dict[tuple[str, ...], Answer]


def _operations(found: Any) -> frozenset[str] | None:
    operations = getattr(found, "authorized_operations", None)
    return None if not operations else frozenset(op.name for op in operations)


def _error_code(exc: Any) -> Any:
    return exc.args[0].code()


def observe(env: Env, user: str) -> Answers:
    """What the broker lets `user` do, asked by doing it."""
    from confluent_kafka import (
        Consumer,
        KafkaError,
        KafkaException,
        Producer,
        TopicCollection,
        TopicPartition,
    )

    answers: Answers = {}
    config = env.config(user)
    # an idempotent producer asks for a producer id as soon as it connects
    states: list[str] = []

    def on_stats(text: str) -> None:
        states.append(json.loads(text).get("eos", {}).get("idemp_state", ""))

    idempotent = Producer(
        {
            **config,
            "enable.idempotence": True,
            "statistics.interval.ms": 50,
            "stats_cb": on_stats,
        }
    )
    admin = env.admin_for(user)

    described = admin.describe_topics(
        TopicCollection(list(TOPICS)), include_authorized_operations=True
    )
    for topic, future in described.items():
        try:
            answers[("describe", topic)] = _operations(future.result(timeout=30))
        except KafkaException as exc:
            assert _error_code(exc) == KafkaError.TOPIC_AUTHORIZATION_FAILED, exc
            answers[("describe", topic)] = None
    listed = admin.list_topics(timeout=30).topics
    for topic in TOPICS:
        answers[("listed", topic)] = topic in listed
    groups = admin.describe_consumer_groups(list(GROUPS), include_authorized_operations=True)
    for group, future in groups.items():
        try:
            answers[("group", group)] = _operations(future.result(timeout=30))
        except KafkaException as exc:
            assert _error_code(exc) == KafkaError.GROUP_AUTHORIZATION_FAILED, exc
            answers[("group", group)] = None
    cluster = admin.describe_cluster(include_authorized_operations=True).result(timeout=30)
    answers[("cluster",)] = _operations(cluster)

    delivered: dict[str, Any] = {}

    def on_delivery(err: Any, msg: Any) -> None:
        delivered[msg.topic()] = err

    producer = Producer({**config, "linger.ms": 0, "acks": 1, "message.timeout.ms": 15000})
    for topic in TOPICS:
        producer.produce(topic, b"probe", on_delivery=on_delivery)
    assert producer.flush(30) == 0, f"{user}: records still in flight"
    for topic in TOPICS:
        err = delivered[topic]
        assert err is None or err.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, err
        answers[("produce", topic)] = err is None

    visible = [t for t in TOPICS if answers[("describe", t)] is not None]
    fetched: dict[str, bool] = {t: False for t in TOPICS}
    if visible:
        consumer = Consumer(
            {
                **config,
                "group.id": PROBE_GROUP,
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 50,
                "fetch.error.backoff.ms": 50,
            }
        )
        consumer.assign([TopicPartition(t, 0, 0) for t in visible])
        pending = set(visible)
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            msg = consumer.poll(0.2)
            if msg is None or msg.topic() not in pending:
                continue  # e.g. FindCoordinator refused for the probe group: no topic
            error, topic = msg.error(), str(msg.topic())
            if error is not None:
                assert error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, error
            else:
                fetched[topic] = True
            pending.discard(topic)
        consumer.close()
        assert not pending, f"{user}: no fetch outcome for {sorted(pending)}"
    for topic in TOPICS:
        answers[("consume", topic)] = fetched[topic]

    transactional = Producer({**config, "transactional.id": f"tx-{user}"})
    try:
        transactional.init_transactions(30)
        answers[("transactional", f"tx-{user}")] = True
    except KafkaException as exc:
        assert _error_code(exc) == KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, exc
        answers[("transactional", f"tx-{user}")] = False

    answers[("idempotent",)] = _producer_id(idempotent, states)
    return answers


def _producer_id(producer: Any, states: list[str]) -> bool:
    """Did the idempotent producer get a producer id? librdkafka's statistics say
    (`eos.idemp_state`): "Assigned", or a fatal error (the broker's refusal)."""
    from confluent_kafka import KafkaError, KafkaException

    deadline = time.monotonic() + 30
    try:
        while not states or states[-1] not in ("Assigned", "FatalError"):
            assert time.monotonic() < deadline, f"producer id state stuck at {states[-1:]}"
            producer.poll(0.05)
    except KafkaException as exc:
        assert _error_code(exc) == KafkaError.CLUSTER_AUTHORIZATION_FAILED, exc
        return False
    return states[-1] == "Assigned"


# -- the project's side ---------------------------------------------------------------------


def _allowed(model: Authorizer, principal: str, operation: str, kind: str, name: str) -> bool:
    return model.authorize(
        principal, CLIENT_HOST, Operation(operation), ResourceType(kind), name
    ).allowed


def _reported(
    model: Authorizer, principal: str, kind: str, name: str, supported: frozenset[str]
) -> frozenset[str] | None:
    """The operations the broker reports for a resource the principal may DESCRIBE."""
    if not _allowed(model, principal, "DESCRIBE", kind, name):
        return None
    found = frozenset(op for op in supported if _allowed(model, principal, op, kind, name))
    return found or None


def predict(model: Authorizer, user: str) -> Answers:
    principal = f"User:{user}"
    answers: Answers = {}
    for topic in TOPICS:
        answers[("describe", topic)] = _reported(model, principal, "TOPIC", topic, TOPIC_OPERATIONS)
        answers[("listed", topic)] = _allowed(model, principal, "DESCRIBE", "TOPIC", topic)
        answers[("produce", topic)] = model.can_produce(principal, CLIENT_HOST, topic).allowed
        answers[("consume", topic)] = model.can_consume(principal, CLIENT_HOST, topic).allowed
    for group in GROUPS:
        answers[("group", group)] = _reported(model, principal, "GROUP", group, GROUP_OPERATIONS)
    answers[("cluster",)] = _reported(model, principal, "CLUSTER", CLUSTER_NAME, CLUSTER_OPERATIONS)
    txn = f"tx-{user}"
    producer = model.can_produce(principal, CLIENT_HOST, TOPICS[0], transactional_id=txn)
    # init_transactions: FindCoordinator (DESCRIBE) and InitProducerId (WRITE) on the id
    answers[("transactional", txn)] = all(
        need.decision.allowed for need in producer.needs if "TRANSACTIONAL_ID" in need.what
    )
    answers[("idempotent",)] = (
        model.can_produce(principal, CLIENT_HOST, TOPICS[0], idempotent=True)
        .needs[-1]
        .decision.allowed
    )
    return answers


# -- running cases ----------------------------------------------------------------------------


@dataclass
class Tally:
    cases: int = 0
    answers: int = 0
    allowed: int = 0  # answers that grant something (True, or a set of operations)
    mismatches: list[str] = field(default_factory=list)
    rules: Counter[str] = field(default_factory=Counter)  # what decided the model's answers

    def add(self, other: Tally) -> None:
        self.cases += other.cases
        self.answers += other.answers
        self.allowed += other.allowed
        self.mismatches += other.mismatches
        self.rules += other.rules


def rules_used(model: Authorizer, user: str) -> Counter[str]:
    """Which rules decided the topic questions: the reasons, and what the deciding binding
    was (PREFIXED, LITERAL `*`, `User:*`, one host), so the report shows what was exercised."""
    found: Counter[str] = Counter()
    for topic in TOPICS:
        for operation in (Operation.DESCRIBE, Operation.READ, Operation.WRITE):
            decision = model.authorize(
                f"User:{user}", CLIENT_HOST, operation, ResourceType.TOPIC, topic
            )
            found[decision.reason] += 1
            via = decision.via
            if via is not None:
                found[f"{decision.reason} via {via.pattern_type}"] += 1
                if via.resource_name == "*":
                    found[f"{decision.reason} via LITERAL *"] += 1
                if via.principal == "User:*":
                    found[f"{decision.reason} via User:*"] += 1
                if via.host != "*":
                    found[f"{decision.reason} via host {via.host}"] += 1
                if via.operation != operation:
                    found[f"{decision.reason} via {via.operation} for {operation}"] += 1
    return found


def run_case(env: Env, bindings: Sequence[AclBinding], users: Sequence[str], label: str) -> Tally:
    if env.enabled:
        apply_acls(env, bindings)
    model = Authorizer(
        bindings,
        super_users=SUPER_USERS,
        allow_everyone_if_no_acl_found=env.allow_everyone,
        enabled=env.enabled,
    )
    with ThreadPoolExecutor(len(users)) as pool:
        observed = dict(zip(users, pool.map(lambda user: observe(env, user), users), strict=True))
    tally = Tally(cases=1)
    for user, broker in observed.items():
        project = predict(model, user)
        assert broker.keys() == project.keys()
        tally.answers += len(broker)
        tally.allowed += sum(1 for answer in broker.values() if answer)
        tally.rules += rules_used(model, user)
        for key in sorted(broker):
            if broker[key] != project[key]:
                tally.mismatches.append(
                    f"{label} {user} {'/'.join(key)}: broker {_show(broker[key])}, "
                    f"checker {_show(project[key])}; ACLs: {[str(b) for b in bindings]}"
                )
    return tally


def _show(answer: Answer) -> str:
    return str(sorted(answer)) if isinstance(answer, frozenset) else str(answer)


def cases(seed: int) -> Iterator[tuple[int, list[AclBinding], tuple[str, ...]]]:
    rng = random.Random(seed)
    for number in range(CASES_PER_CLUSTER):
        users = (*PROBED, "super1") if number % SUPER_EVERY == 0 else PROBED
        yield number, random_acls(rng), users


def seed_cluster(env: Env) -> None:
    """Topics with one record each, the offsets topic, and a warm transaction coordinator."""
    from confluent_kafka import Consumer, Producer, TopicPartition
    from confluent_kafka.admin import NewTopic  # type: ignore[attr-defined]

    admin = env.admin_for(ADMIN_USER)
    for future in admin.create_topics([NewTopic(t, 1, 1) for t in TOPICS]).values():
        future.result(timeout=60)
    deadline = time.monotonic() + 60
    while set(TOPICS) - set(admin.list_topics(timeout=10).topics):
        assert time.monotonic() < deadline, "topics never appeared"
        time.sleep(0.1)
    producer = Producer({**env.config(ADMIN_USER), "transactional.id": "warm-up"})
    producer.init_transactions(60)
    producer.begin_transaction()
    for topic in TOPICS:
        producer.produce(topic, b"seed")
    producer.commit_transaction(60)
    consumer = Consumer({**env.config(ADMIN_USER), "group.id": "g1", "enable.auto.commit": False})
    consumer.commit(offsets=[TopicPartition(TOPICS[0], 0, 1)], asynchronous=False)
    consumer.close()


@pytest.fixture(scope="module")
def brokers(
    kafka_jars: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, Env]:
    home = tmp_path_factory.mktemp("authz")
    super_users = ";".join(SUPER_USERS)
    envs = {
        "allow.everyone.if.no.acl.found=false": Env(
            AuthzCluster(
                "deny-default",
                home / "deny-default",
                USERS,
                overrides={"super.users": super_users, "allow.everyone.if.no.acl.found": "false"},
            ),
            allow_everyone=False,
            enabled=True,
        ),
        "allow.everyone.if.no.acl.found=true": Env(
            AuthzCluster(
                "allow-everyone",
                home / "allow-everyone",
                USERS,
                overrides={"super.users": super_users, "allow.everyone.if.no.acl.found": "true"},
            ),
            allow_everyone=True,
            enabled=True,
        ),
        "no authorizer": Env(
            AuthzCluster(
                "no-authorizer",
                home / "no-authorizer",
                USERS,
                overrides={"authorizer.class.name": None, "super.users": None},
            ),
            allow_everyone=False,
            enabled=False,
        ),
    }
    clusters = [env.cluster for env in envs.values()]
    for cluster in clusters:
        request.addfinalizer(cluster.stop)
    try:
        start_clusters(clusters)
    except ClusterError as exc:
        pytest.fail(str(exc), pytrace=False)
    for env in envs.values():
        seed_cluster(env)
    return envs


def _report(capsys: pytest.CaptureFixture[str], name: str, tally: Tally, seconds: float) -> None:
    agreed = tally.answers - len(tally.mismatches)
    rules = ", ".join(f"{rule}: {count}" for rule, count in sorted(tally.rules.items()))
    with capsys.disabled():
        print(
            f"\nauthorizer differential [{name}]: {tally.cases} ACL sets, "
            f"{tally.answers} answers compared ({tally.allowed} allowing), {agreed} agree, "
            f"{seconds:.0f} s\n  rules that decided topic questions: {rules}"
        )


def test_super_user_answers_name_every_supported_operation(brokers: dict[str, Env]) -> None:
    env = brokers["allow.everyone.if.no.acl.found=false"]
    apply_acls(env, [acl("User:super1", "DENY", "ALL", "TOPIC", "*")])
    answers = observe(env, "super1")
    assert {answers[("describe", t)] for t in TOPICS} == {TOPIC_OPERATIONS}
    assert {answers[("group", g)] for g in GROUPS} == {GROUP_OPERATIONS}
    assert answers[("cluster",)] == CLUSTER_OPERATIONS
    assert all(answers[("produce", t)] and answers[("consume", t)] for t in TOPICS)


def run_cases(env: Env, seed: int) -> tuple[Tally, float]:
    started = time.monotonic()
    total = Tally()
    for number, bindings, users in cases(seed):
        total.add(run_case(env, bindings, users, f"case {number}"))
    return total, time.monotonic() - started


def test_checker_answers_what_the_broker_answers(
    brokers: dict[str, Env], capsys: pytest.CaptureFixture[str]
) -> None:
    """Both authorizer clusters at once (each its own seed), CASES_PER_CLUSTER cases each."""
    names = ["allow.everyone.if.no.acl.found=false", "allow.everyone.if.no.acl.found=true"]
    with ThreadPoolExecutor(len(names)) as pool:
        results = dict(
            zip(
                names,
                pool.map(lambda n: run_cases(brokers[n], SEED + names.index(n)), names),
                strict=True,
            )
        )
    for name, (tally, seconds) in results.items():
        _report(capsys, name, tally, seconds)
    for name, (tally, _) in results.items():
        assert tally.cases == CASES_PER_CLUSTER, name
        assert not tally.mismatches, f"{name}:\n" + "\n".join(tally.mismatches[:20])
    # the cases exercise every rule (a generator that drifted into trivial cases would not)
    if CASES_PER_CLUSTER >= 100:
        for name, (tally, _) in results.items():
            default = "no-acl-allow-everyone" if "true" in name else "no-acl"
            for rule in (
                "allow-acl via PREFIXED",
                "allow-acl via LITERAL *",
                "allow-acl via User:*",
                f"allow-acl via host {CLIENT_HOST}",
                "allow-acl via WRITE for DESCRIBE",
                "allow-acl via ALL for READ",
                "deny-acl via PREFIXED",
                "deny-acl via LITERAL",
                "deny-acl via User:*",
                f"deny-acl via host {CLIENT_HOST}",
                "no-allow",
                default,
            ):
                assert tally.rules[rule] >= 3, (name, rule, tally.rules)


def test_without_an_authorizer_everyone_may_do_everything(
    brokers: dict[str, Env], capsys: pytest.CaptureFixture[str]
) -> None:
    env = brokers["no authorizer"]
    started = time.monotonic()
    tally = run_case(env, [], (*PROBED, "super1"), "no authorizer")
    _report(capsys, "no authorizer", tally, time.monotonic() - started)
    assert not tally.mismatches, "\n".join(tally.mismatches[:20])
    answers = observe(env, "alice")
    assert all(answers[("produce", t)] and answers[("consume", t)] for t in TOPICS)
    assert answers[("idempotent",)] and answers[("transactional", "tx-alice")]
