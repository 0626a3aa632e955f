package failback.retention_test

import data.failback.lib
import data.failback.retention

topic(family, ms, bytes) := {
	"partitions": 6, "replication_factor": 3, "configs": {}, "cleanup_policy": ["delete"],
	"retention_ms": ms, "retention_bytes": bytes, "family": family, "internal": false,
}

compacted(family, ms, bytes) := object.union(topic(family, ms, bytes), {"cleanup_policy": ["compact"]})

flow(active) := {"mm2": {
	"name": "mm2", "source": "primary", "target": "secondary",
	"active": active, "healthy": active, "families": ["payments"],
}}

# The diff names a topic whose normalised records differ (checker/diff.py).
changes(primary, secondary) := [{"area": "topics", "key": "payments.events", "kind": "changed"}] if {
	primary != secondary
} else := []

doc(primary_topic, secondary_topic, active) := {
	"primary": {"topics": {"payments.events": primary_topic}, "storage": {}},
	"secondary": {"topics": {"payments.events": secondary_topic}, "storage": {}},
	"flows": flow(active),
	"changes": changes(primary_topic, secondary_topic),
}

storage_doc(primary_bucket, secondary_bucket) := {
	"primary": {"topics": {}, "storage": {"tiered": primary_bucket}},
	"secondary": {"topics": {}, "storage": {"tiered": secondary_bucket}},
	"flows": {},
}

week := 604800000

found(findings, rule_id) := {[f.resource, f.region, f.family] | some f in findings; f.rule_id == rule_id}

test_baseline_has_no_findings if {
	count(retention.deny) == 0 with input as doc(topic("payments", week, -1), topic("payments", week, -1), true)
}

test_ret_001_shorter_time_retention_fires if {
	findings := retention.deny with input as doc(topic("payments", week, -1), topic("payments", 86400000, -1), true)
	found(findings, "RET-001") == {["payments.events", "secondary", "payments"]}
	some f in findings
	f.rule_id == "RET-001"
	f.primary == week
	f.secondary == 86400000
}

test_ret_001_unlimited_primary_fires if {
	inp := doc(topic("payments", -1, -1), topic("payments", week, -1), true)
	found(retention.deny, "RET-001") == {["payments.events", "secondary", "payments"]} with input as inp
}

test_ret_001_without_active_flow_passes if {
	inp := doc(topic("payments", week, -1), topic("payments", 86400000, -1), false)
	found(retention.deny, "RET-001") == set() with input as inp
}

test_ret_001_unfamilied_or_longer_passes if {
	unfamilied := doc(topic(null, week, -1), topic(null, 86400000, -1), true)
	found(retention.deny, "RET-001") == set() with input as unfamilied
	longer := doc(topic("payments", week, -1), topic("payments", -1, -1), true)
	found(retention.deny, "RET-001") == set() with input as longer
}

test_ret_002_shorter_size_retention_fires if {
	inp := doc(topic("payments", week, -1), topic("payments", week, 1073741824), true)
	found(retention.deny, "RET-002") == {["payments.events", "secondary", "payments"]} with input as inp
}

test_ret_002_larger_secondary_passes if {
	inp := doc(topic("payments", week, 1073741824), topic("payments", week, 2147483648), true)
	found(retention.deny, "RET-002") == set() with input as inp
}

test_ret_003_shorter_lifecycle_fires if {
	findings := retention.deny with input as storage_doc({"purpose": "tiered"}, {"lifecycle_expiration_days": 30})
	found(findings, "RET-003") == {["tiered", "secondary", null]}
	some f in findings
	f.rule_id == "RET-003"
	f.primary == -1
	f.secondary == 30
}

test_ret_003_never_expiring_secondary_passes if {
	never := storage_doc({"lifecycle_expiration_days": 30}, {"lifecycle_expiration_days": null})
	found(retention.deny, "RET-003") == set() with input as never
	same := storage_doc({"lifecycle_expiration_days": 30}, {"lifecycle_expiration_days": 30})
	found(retention.deny, "RET-003") == set() with input as same
}

test_ret_001_compact_only_topic_passes if {
	inp := doc(topic("payments", week, 1024), compacted("payments", 86400000, 512), true)
	count(retention.deny) == 0 with input as inp
}

test_ret_001_compact_and_delete_topic_fires if {
	both := object.union(topic("payments", 86400000, -1), {"cleanup_policy": ["compact", "delete"]})
	inp := doc(topic("payments", week, -1), both, true)
	found(retention.deny, "RET-001") == {["payments.events", "secondary", "payments"]} with input as inp
}

test_only_topics_the_diff_names_are_judged if {
	inp := object.union(doc(topic("payments", week, -1), topic("payments", 86400000, 512), true), {"changes": []})
	count(retention.deny) == 0 with input as inp
}

# RET-001 and RET-002 as they were written before they looked only at the topics the diff
# names: every secondary topic against its primary namesake.
reference[field] contains name if {
	some field in ["retention_ms", "retention_bytes"]
	some name, record in input.secondary.topics
	secondary := record[field]
	primary := input.primary.topics[name][field]
	lib.shorter(secondary, primary)
	retention.deletes(record)
	family := input.primary.topics[name].family
	family in lib.actively_replicated
}

judged(rule_id) := {f.resource | some f in retention.deny; f.rule_id == rule_id}

# Topic records on a grid of retentions, sizes, cleanup policies and families, named so that
# each primary record meets each secondary one under one topic name.
grid_topics[sprintf("%s-%d-%d-%s", [policy, ms, bytes, family])] := object.union(
	topic(family, ms, bytes),
	{"cleanup_policy": cleanup},
) if {
	some [policy, cleanup] in [["delete", ["delete"]], ["compact", ["compact"]], ["both", ["compact", "delete"]]]
	some ms in [-1, 0, 86400000, week]
	some bytes in [-1, 1024]
	some family in ["payments", "orders"]
}

# primary record a meets secondary record b under the topic "a|b"
grid_primary[sprintf("%s|%s", [a, b])] := grid_topics[a] if {
	some a, _ in grid_topics
	some b, _ in grid_topics
}

grid_secondary[sprintf("%s|%s", [a, b])] := grid_topics[b] if {
	some a, _ in grid_topics
	some b, _ in grid_topics
}

grid_doc := {
	"primary": {"topics": grid_primary, "storage": {}},
	"secondary": {"topics": object.union(grid_secondary, {"secondary-only": topic("payments", 1, 1)}), "storage": {}},
	"flows": flow(true),
	"changes": [{"area": "topics", "key": sprintf("%s|%s", [a, b]), "kind": "changed"} |
		some a, primary in grid_topics
		some b, secondary in grid_topics
		primary != secondary
	],
}

test_ret_001_and_002_judge_as_the_rules_over_every_topic_did if {
	# orders is not replicated by the flow: its topics must stay silent in both
	ret_001 := judged("RET-001") with input as grid_doc
	ret_001 == reference.retention_ms with input as grid_doc
	count(ret_001) > 0
	ret_002 := judged("RET-002") with input as grid_doc
	ret_002 == reference.retention_bytes with input as grid_doc
	count(ret_002) > 0
}
