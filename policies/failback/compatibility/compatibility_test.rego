package failback.compatibility_test

import data.failback.compatibility
import data.failback.lib

phases(writer) := {p: {"writer": writer, "consumer": writer} |
	some p in ["normal", "failover", "dr_operation", "failback", "cleanup"]
}

family(writer, transactional, connect) := {
	"tier": 1,
	"phases": phases(writer),
	"producers": ["User:api", "User:batch"],
	"transactional": transactional,
	"connect": connect,
}

# facts.transactional for the producers that can use transactions (the others are absent,
# which the rule reads as "cannot").
transactional(allowed) := {p: {"allowed": true, "missing": []} | some p in allowed}

region(minor, version, allowed) := {
	"cluster": {"kafka_version": version, "kafka_minor": minor},
	"quotas": {},
	"facts": {"transactional": transactional(allowed)},
}

base := {
	"phase": "failover",
	"plan": {"families": {}},
	"primary": region("3.6", "3.6.0", ["User:api", "User:batch"]),
	"secondary": region("3.6", "3.6.0", ["User:api", "User:batch"]),
	"flows": {},
	"changes": [],
}

findings_of(rule_id, findings) := {f | some f in findings; f.rule_id == rule_id}

with_families(families) := object.union(base, {"plan": {"families": families}})

# One payments family, and the producers that can use transactions in one region.
with_txn_grants(fam, role, principals) := object.union(
	object.remove(with_families({"payments": fam}), [role]),
	{role: region("3.6", "3.6.0", principals)},
)

# CMP-001

test_cmp_001_minor_versions_differ_fires if {
	inp := object.union(base, {"secondary": {"cluster": {"kafka_version": "3.7.x", "kafka_minor": "3.7"}}})
	findings_of("CMP-001", compatibility.deny) == {{
		"rule_id": "CMP-001",
		"resource": "cluster.kafka_version",
		"message": "the primary runs Kafka 3.6.0 and the secondary Kafka 3.7.x",
		"region": null,
		"family": null,
		"primary": "3.6.0",
		"secondary": "3.7.x",
	}} with input as inp
}

test_cmp_001_patch_difference_passes if {
	inp := object.union(base, {"secondary": {"cluster": {"kafka_version": "3.6.1", "kafka_minor": "3.6"}}})
	count(findings_of("CMP-001", compatibility.deny)) == 0 with input as inp
}

test_cmp_001_unknown_version_passes if {
	inp := object.union(base, {"secondary": {"cluster": {"kafka_version": "", "kafka_minor": ""}}})
	count(findings_of("CMP-001", compatibility.deny)) == 0 with input as inp
}

# CMP-002

test_cmp_002_missing_transactional_grant_in_writer_fires if {
	inp := with_txn_grants(family("secondary", true, null), "secondary", ["User:api"])
	findings := findings_of("CMP-002", compatibility.deny) with input as inp
	{[f.resource, f.region, f.family] | some f in findings} == {["User:batch in payments", "secondary", "payments"]}
}

test_cmp_002_both_writers_checks_both_regions if {
	inp := object.union(object.remove(with_families({"payments": family("both", true, null)}), ["primary", "secondary"]), {
		"primary": region("3.6", "3.6.0", ["User:batch"]),
		"secondary": region("3.6", "3.6.0", []),
	})
	findings := findings_of("CMP-002", compatibility.deny) with input as inp
	{[f.resource, f.region] | some f in findings} == {
		["User:api in payments", "primary"],
		["User:api in payments", "secondary"],
		["User:batch in payments", "secondary"],
	}
}

test_cmp_002_names_what_the_producer_lacks if {
	lacking := {"User:api": {"allowed": true, "missing": []}, "User:batch": {
		"allowed": false,
		"missing": ["kafka-cluster:WriteDataIdempotently", "kafka-cluster:DescribeTransactionalId"],
	}}
	inp := object.union(
		object.remove(with_families({"payments": family("secondary", true, null)}), ["secondary"]),
		{"secondary": object.union(region("3.6", "3.6.0", []), {"facts": {"transactional": lacking}})},
	)
	findings := findings_of("CMP-002", compatibility.deny) with input as inp
	{f.message | some f in findings} == {concat("", [
		"transactional producer User:batch of payments cannot use transactions in the secondary, which writes ",
		"payments in failover: it lacks kafka-cluster:WriteDataIdempotently, kafka-cluster:DescribeTransactionalId",
	])}
}

test_cmp_002_grants_present_passes if {
	inp := with_families({"payments": family("secondary", true, null)})
	count(findings_of("CMP-002", compatibility.deny)) == 0 with input as inp
}

test_cmp_002_passive_region_not_checked if {
	inp := with_txn_grants(family("primary", true, null), "secondary", [])
	count(findings_of("CMP-002", compatibility.deny)) == 0 with input as inp
}

test_cmp_002_non_transactional_family_passes if {
	inp := with_txn_grants(family("secondary", false, null), "secondary", [])
	count(findings_of("CMP-002", compatibility.deny)) == 0 with input as inp
}

test_cmp_002_no_writer_passes if {
	inp := with_txn_grants(family("none", true, null), "secondary", [])
	count(findings_of("CMP-002", compatibility.deny)) == 0 with input as inp
}

# CMP-003

quota_change(key, path, kind, primary, secondary) := {
	"area": "quotas", "key": key, "path": path,
	"kind": kind, "primary": primary, "secondary": secondary,
}

test_cmp_003_one_finding_per_quota_key if {
	inp := object.union(base, {
		"primary": {"quotas": {"user:alice": {"producer_byte_rate": 100, "consumer_byte_rate": 200}}},
		"secondary": {"quotas": {"user:alice": {"producer_byte_rate": 50, "consumer_byte_rate": 100}}},
		"changes": [
			quota_change("user:alice", "quotas/user:alice/producer_byte_rate", "changed", 100, 50),
			quota_change("user:alice", "quotas/user:alice/consumer_byte_rate", "changed", 200, 100),
		],
	})
	findings_of("CMP-003", compatibility.deny) == {{
		"rule_id": "CMP-003",
		"resource": "user:alice",
		"message": "client quota user:alice differs between the regions",
		"region": null,
		"family": null,
		"primary": {"producer_byte_rate": 100, "consumer_byte_rate": 200},
		"secondary": {"producer_byte_rate": 50, "consumer_byte_rate": 100},
	}} with input as inp
}

test_cmp_003_quota_only_in_primary_fires if {
	inp := object.union(base, {
		"primary": {"quotas": {"user:bob": {"producer_byte_rate": 100}}},
		"changes": [quota_change("user:bob", "quotas/user:bob", "removed", {"producer_byte_rate": 100}, null)],
	})
	findings := findings_of("CMP-003", compatibility.deny) with input as inp
	count(findings) == 1
	some f in findings
	f.resource == "user:bob"
	f.message == "client quota user:bob exists only in the primary"
	f.secondary == null
}

test_cmp_003_quota_only_in_secondary_fires if {
	inp := object.union(base, {
		"secondary": {"quotas": {"user:carol": {"consumer_byte_rate": 100}}},
		"changes": [quota_change("user:carol", "quotas/user:carol", "added", null, {"consumer_byte_rate": 100})],
	})
	findings := findings_of("CMP-003", compatibility.deny) with input as inp
	count(findings) == 1
	some f in findings
	f.resource == "user:carol"
	f.message == "client quota user:carol exists only in the secondary"
	f.primary == null
}

test_cmp_003_other_areas_pass if {
	grant_change := {"area": "grants", "key": "k", "path": "grants/k", "kind": "removed", "primary": {}, "secondary": null}
	inp := object.union(base, {"changes": [grant_change]})
	count(findings_of("CMP-003", compatibility.deny)) == 0 with input as inp
}

# CMP-004

connect(recreate) := {"internal_topics": ["connect-configs", "connect-offsets"], "recreate": recreate}

# The secondary writes in failover and dr_operation, the primary in the other phases.
dr_phases := object.union(phases("primary"), {
	"failover": {"writer": "secondary", "consumer": "secondary"},
	"dr_operation": {"writer": "secondary", "consumer": "secondary"},
})

flow(source, target, active, internal_topics) := {
	"name": sprintf("%s-to-%s", [source, target]), "source": source, "target": target,
	"active": active, "families": ["payments"], "internal_topics": internal_topics,
}

both_topics := ["connect-configs", "connect-offsets"]

forth := flow("primary", "secondary", true, both_topics)

back := flow("secondary", "primary", true, both_topics)

# One payments family with Kafka Connect that fails over, the phase and the flows.
with_connect_flows(recreate, phase, flows) := object.union(
	with_families({"payments": object.union(family("primary", false, connect(recreate)), {"phases": dr_phases})}),
	{"phase": phase, "flows": {f.name: f | some f in flows}},
)

cmp_004 contains [f.resource, f.message] if {
	some f in compatibility.deny
	f.rule_id == "CMP-004"
}

not_carried(topic, directions) := concat(" ", [
	"Kafka Connect internal topic", topic, "of payments is carried by no active flow", directions,
	"and the plan does not re-create the connectors",
])

test_cmp_004_internal_topic_not_carried_fires if {
	inp := with_connect_flows(false, "normal", [flow("primary", "secondary", true, ["connect-offsets"])])
	findings := findings_of("CMP-004", compatibility.deny) with input as inp
	{[f.resource, f.family, f.region] | some f in findings} == {["connect-configs", "payments", null]}
}

test_cmp_004_inactive_flow_does_not_carry if {
	inp := with_connect_flows(false, "normal", [flow("primary", "secondary", false, both_topics)])
	findings := findings_of("CMP-004", compatibility.deny) with input as inp
	{f.resource | some f in findings} == {"connect-configs", "connect-offsets"}
}

test_cmp_004_carried_only_into_the_writer_fires if {
	# in normal the primary's connector state must reach the failover writer
	cmp_004 == {
		["connect-configs", not_carried("connect-configs", "from the primary to the secondary,")],
		["connect-offsets", not_carried("connect-offsets", "from the primary to the secondary,")],
	} with input as with_connect_flows(false, "normal", [back])
}

test_cmp_004_failback_needs_both_directions if {
	cmp_004 == {
		["connect-configs", not_carried("connect-configs", "from the secondary to the primary,")],
		["connect-offsets", not_carried("connect-offsets", "from the secondary to the primary,")],
	} with input as with_connect_flows(false, "failback", [forth])
	both := "from the primary to the secondary nor from the secondary to the primary,"
	cmp_004 == {
		["connect-configs", not_carried("connect-configs", both)],
		["connect-offsets", not_carried("connect-offsets", both)],
	} with input as with_connect_flows(false, "failback", [])
}

test_cmp_004_failover_asks_only_the_way_in if {
	# failover needs the connectors' state carried in from the primary, not yet the way back
	count(cmp_004) == 0 with input as with_connect_flows(false, "failover", [forth])
	cmp_004 == {
		["connect-configs", not_carried("connect-configs", "from the primary to the secondary,")],
		["connect-offsets", not_carried("connect-offsets", "from the primary to the secondary,")],
	} with input as with_connect_flows(false, "failover", [back])
}

test_cmp_004_dr_operation_asks_the_way_back if {
	cmp_004 == {
		["connect-configs", not_carried("connect-configs", "from the secondary to the primary,")],
		["connect-offsets", not_carried("connect-offsets", "from the secondary to the primary,")],
	} with input as with_connect_flows(false, "dr_operation", [forth])
}

test_cmp_004_all_topics_carried_both_ways_passes if {
	every phase in ["normal", "failover", "dr_operation", "failback", "cleanup"] {
		count(cmp_004) == 0 with input as with_connect_flows(false, phase, [forth, back])
	}
}

test_cmp_004_family_that_never_moves_passes if {
	inp := object.union(with_families({"payments": family("primary", false, connect(false))}), {"phase": "normal"})
	count(findings_of("CMP-004", compatibility.deny)) == 0 with input as inp
}

test_cmp_004_recreate_passes if {
	count(cmp_004) == 0 with input as with_connect_flows(true, "failback", [])
}

test_cmp_004_no_connect_passes if {
	inp := with_families({"payments": family("primary", false, null)})
	count(findings_of("CMP-004", compatibility.deny)) == 0 with input as inp
}

test_cmp_clean_input_has_no_findings if {
	count(compatibility.deny) == 0 with input as with_families({"payments": family("both", true, connect(true))})
}

test_cmp_004_each_phases_declaration_has_its_own_directions if {
	# the directions are worked out once per distinct phases declaration: a family that fails
	# over and one that never moves, side by side, each keep their own
	inp := object.union(
		with_families({
			"payments": object.union(family("primary", false, connect(false)), {"phases": dr_phases}),
			"orders": family("primary", false, connect(false)),
			"billing": object.union(family("primary", false, connect(false)), {"phases": dr_phases}),
		}),
		{"phase": "normal", "flows": {}},
	)
	findings := findings_of("CMP-004", compatibility.deny) with input as inp
	{[f.family, f.resource] | some f in findings} == {
		["billing", "connect-configs"], ["billing", "connect-offsets"],
		["payments", "connect-configs"], ["payments", "connect-offsets"],
	}
}

# CMP-004 as it was before carried_every_way (a family's directions asked about every topic),
# the reference the rule is held to over families that share topics and phases declarations,
# flows carrying some topics every way, one way or none, in every phase.
reference_cmp_004 contains lib.finding_at(
	"CMP-004", topic,
	sprintf(
		concat(" ", [
			"Kafka Connect internal topic %s of %s is carried by no active flow %s, and the plan does not",
			"re-create the connectors",
		]),
		[topic, name, concat(" nor ", [sprintf("from the %s to the %s", d) | some d in missing])],
	),
	null, name,
) if {
	some name, declared in lib.families
	declared.connect != null
	declared.connect.recreate == false
	directions := compatibility.connect_directions[declared.phases]
	some topic in declared.connect.internal_topics
	some direction in directions
	not [topic, direction] in compatibility.carried
	missing := sort([d | some d in directions; not [topic, d] in compatibility.carried])
}

shared_topic_families := with_families({
	"payments": object.union(family("primary", false, connect(false)), {"phases": dr_phases}),
	"billing": object.union(family("primary", false, connect(false)), {"phases": dr_phases}),
	"orders": family("primary", false, connect(false)),
	"ledger": object.union(
		family("primary", false, {"internal_topics": ["connect-offsets", "ledger-status"], "recreate": false}),
		{"phases": dr_phases},
	),
	"audit": object.union(family("secondary", false, connect(false)), {"phases": object.union(dr_phases, {
		"cleanup": {"writer": "secondary", "consumer": "secondary"},
	})}),
	"rebuilt": object.union(family("primary", false, connect(true)), {"phases": dr_phases}),
})

test_cmp_004_matches_the_reference_with_topics_carried_every_way_or_not if {
	flow_sets := [
		[],
		[forth],
		[back],
		[forth, back],
		[flow("primary", "secondary", true, ["connect-offsets", "ledger-status"]), back],
		[forth, flow("secondary", "primary", true, ["connect-configs"])],
		[forth, flow("secondary", "primary", false, both_topics)],
	]
	every phase in ["normal", "failover", "dr_operation", "failback", "cleanup"] {
		every flows in flow_sets {
			inp := object.union(shared_topic_families, {"phase": phase, "flows": {f.name: f | some f in flows}})
			findings := findings_of("CMP-004", compatibility.deny) with input as inp
			findings == reference_cmp_004 with input as inp
		}
	}

	# not vacuous: some of these inputs have findings and some have none
	inp := object.union(shared_topic_families, {"phase": "failback", "flows": {f.name: f | some f in flow_sets[4]}})
	count(reference_cmp_004) > 0 with input as inp
	count(findings_of("CMP-004", compatibility.deny)) == 0 with input as object.union(
		shared_topic_families,
		{"phase": "failback", "flows": {f.name: f | some f in [
			flow("primary", "secondary", true, ["connect-configs", "connect-offsets", "ledger-status"]),
			flow("secondary", "primary", true, ["connect-configs", "connect-offsets", "ledger-status"]),
		]}},
	)
}
