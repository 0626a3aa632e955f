package failback.retention_test

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

doc(primary_topic, secondary_topic, active) := {
	"primary": {"topics": {"payments.events": primary_topic}, "storage": {}},
	"secondary": {"topics": {"payments.events": secondary_topic}, "storage": {}},
	"flows": flow(active),
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
