package failback.topic_config_test

import data.failback.topic_config

phases(writer) := {p: {"writer": writer, "consumer": writer} |
	some p in ["normal", "failover", "dr_operation", "failback", "cleanup"]
}

# The secondary writes in failover and dr_operation, the primary in the other phases.
dr_phases := object.union(phases("primary"), {
	"failover": {"writer": "secondary", "consumer": "secondary"},
	"dr_operation": {"writer": "secondary", "consumer": "secondary"},
})

topic(overrides) := object.union(
	{
		"partitions": 12, "replication_factor": 3, "family": "payments", "internal": false,
		"cleanup_policy": ["delete"], "min_insync_replicas": 2, "max_message_bytes": 1048588,
		"timestamp_type": "CreateTime",
	},
	overrides,
)

# The diff names a topic whose records differ (checker/diff.py).
changes(primary, secondary) := [{"area": "topics", "key": "payments.events", "kind": "changed"}] if {
	primary != secondary
} else := []

doc(primary, secondary) := {
	"phase": "failback",
	"plan": {"families": {"payments": {"tier": 1, "phases": dr_phases}}},
	"primary": {"topics": {"payments.events": primary}},
	"secondary": {"topics": {"payments.events": secondary}},
	"flows": {"k": {"name": "fwd", "source": "primary", "target": "secondary", "active": true, "families": ["payments"]}},
	"changes": changes(primary, secondary),
}

found(rule_id, findings) := {[f.resource, f.region, f.family, f.primary, f.secondary] |
	some f in findings
	f.rule_id == rule_id
}

test_same_topics_are_clean if {
	count(topic_config.deny) == 0 with input as doc(topic({}), topic({}))
}

test_top_001_partitions_differ_fires if {
	fs := topic_config.deny with input as doc(topic({}), topic({"partitions": 6}))
	found("TOP-001", fs) == {["payments.events", null, "payments", 12, 6]}
	some f in fs
	f.rule_id == "TOP-001"
	contains(f.message, "12 partitions in the primary and 6 in the secondary")
}

test_top_001_unknown_partitions_pass if {
	count(found("TOP-001", topic_config.deny)) == 0 with input as doc(topic({}), topic({"partitions": null}))
}

test_top_001_unreplicated_family_passes if {
	inp := object.union(object.remove(doc(topic({}), topic({"partitions": 6})), ["flows"]), {"flows": {}})
	count(topic_config.deny) == 0 with input as inp
}

test_top_002_cleanup_policy_differs_fires if {
	fs := topic_config.deny with input as doc(topic({}), topic({"cleanup_policy": ["compact"]}))
	found("TOP-002", fs) == {["payments.events", null, "payments", ["delete"], ["compact"]]}
	some f in fs
	f.rule_id == "TOP-002"
	contains(f.message, "cleanup.policy delete in the primary and compact in the secondary")
}

test_top_003_lower_min_isr_in_a_writing_region_fires if {
	fs := topic_config.deny with input as doc(topic({}), topic({"min_insync_replicas": 1}))
	found("TOP-003", fs) == {["payments.events/min.insync.replicas", "secondary", "payments", 2, 1]}
}

test_top_003_lower_replication_factor_fires if {
	fs := topic_config.deny with input as doc(topic({"replication_factor": 2}), topic({}))
	found("TOP-003", fs) == {["payments.events/replication.factor", "primary", "payments", 2, 3]}
}

test_top_003_region_that_never_writes_passes if {
	inp := object.union(
		doc(topic({}), topic({"min_insync_replicas": 1, "replication_factor": 2})),
		{"plan": {"families": {"payments": {"tier": 1, "phases": phases("primary")}}}},
	)
	count(found("TOP-003", topic_config.deny)) == 0 with input as inp
}

test_top_004_message_limits_differ_fire if {
	secondary := topic({"max_message_bytes": 524288, "timestamp_type": "LogAppendTime"})
	fs := topic_config.deny with input as doc(topic({}), secondary)
	found("TOP-004", fs) == {
		["payments.events/max.message.bytes", null, "payments", 1048588, 524288],
		["payments.events/message.timestamp.type", null, "payments", "CreateTime", "LogAppendTime"],
	}
}

test_only_topics_the_diff_names_are_judged if {
	inp := object.union(doc(topic({}), topic({"partitions": 6})), {"changes": []})
	count(topic_config.deny) == 0 with input as inp
}
