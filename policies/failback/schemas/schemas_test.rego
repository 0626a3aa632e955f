package failback.schemas_test

import data.failback.schemas

phases(writer) := {p: {"writer": writer, "consumer": writer} |
	some p in ["normal", "failover", "dr_operation", "failback", "cleanup"]
}

# The primary writes in every phase but failover and dr_operation.
dr_phases := object.union(phases("primary"), {
	"failover": {"writer": "secondary", "consumer": "secondary"},
	"dr_operation": {"writer": "secondary", "consumer": "secondary"},
})

record(overrides) := object.union(
	{
		"family": "orders", "registry": "default", "kind": "confluent", "subject": "orders-value",
		"present": true, "versions": {"1": "sha256:a", "2": "sha256:b"}, "ids": {"1": 1, "2": 2},
		"version_ids": {"1": null, "2": null}, "compatibility": "BACKWARD", "mode": "READWRITE",
		"modes_supported": true, "read_only": false,
	},
	overrides,
)

standby := {"mode": "READONLY", "read_only": true}

doc(phase, kind, version_ids, primary, secondary) := {
	"phase": phase,
	"plan": {"families": {"orders": {
		"phases": dr_phases,
		"schemas": {"kind": kind, "version_ids": version_ids},
	}}},
	"primary": {"schemas": {"subjects": {"orders|orders-value": primary}}},
	"secondary": {"schemas": {"subjects": {"orders|orders-value": secondary}}},
}

confluent(primary, secondary) := doc("normal", "confluent", "must-match", primary, secondary)

found(rule_id, findings) := {[f.resource, f.region, f.family] |
	some f in findings
	f.rule_id == rule_id
}

messages(rule_id, findings) := {f.message | some f in findings; f.rule_id == rule_id}

test_identical_registries_are_silent if {
	findings := schemas.deny with input as confluent(record({}), record(standby))
	count(findings) == 0
}

test_a_subject_missing_in_the_secondary if {
	missing := record({"present": false, "versions": {}, "ids": {}, "version_ids": {}})
	findings := schemas.deny with input as confluent(record({}), object.union(missing, standby))
	found("SR-001", findings) == {["orders|orders-value", "secondary", "orders"]}
	count(found("SR-002", findings)) == 0
}

test_a_renamed_subject_is_named_as_the_region_looks_it_up if {
	missing := record({"present": false, "versions": {}, "subject": "use1.orders-value"})
	findings := schemas.deny with input as confluent(record({}), object.union(missing, standby))
	messages("SR-001", findings) == {concat(" ", [
		"Subject use1.orders-value (registry default) of family orders has 2 version(s) in the primary",
		"and none in the secondary: its consumers there cannot decode the records",
	])}
}

test_another_text_or_a_missing_version if {
	versions := {"1": "sha256:a", "2": "sha256:c", "3": "sha256:d"}
	secondary := record({"versions": versions, "mode": "IMPORT", "read_only": true})
	findings := schemas.deny with input as confluent(record({}), secondary)
	found("SR-002", findings) == {["orders|orders-value", null, "orders"]}
	messages("SR-002", findings) == {concat(" ", [
		"Subject orders-value of family orders differs between the regions in version(s) 2, 3",
		"(missing or another schema text)",
	])}
	count(found("SR-003", findings)) == 0 # only version 1 has the same text, and the same id
}

test_the_same_text_with_another_id if {
	secondary := object.union(record({"ids": {"1": 1, "2": 7}}), standby)
	findings := schemas.deny with input as confluent(record({}), secondary)
	found("SR-003", findings) == {["orders|orders-value", null, "orders"]}
	count(found("SR-002", findings)) == 0
}

glue_record(ids) := record({
	"kind": "glue", "version_ids": ids, "ids": {"1": null, "2": null}, "mode": null,
	"modes_supported": false,
})

test_glue_version_ids_must_resolve if {
	primary := glue_record({"1": "u-1", "2": "u-2"})
	secondary := glue_record({"1": "w-1", "2": "w-2"})
	findings := schemas.deny with input as doc("normal", "glue", "must-match", primary, secondary)
	found("SR-003", findings) == {["orders|orders-value", null, "orders"]}
	count(found("SR-005", findings)) == 0 # Glue has no modes
}

test_glue_version_ids_unknown_in_a_plan_are_minted_anew if {
	primary := glue_record({"1": null})
	findings := schemas.deny with input as doc("normal", "glue", "must-match", primary, primary)
	found("SR-003", findings) == {["orders|orders-value", null, "orders"]}
}

test_glue_shared_or_reserialized_is_silent if {
	same := glue_record({"1": "u-1", "2": "u-2"})
	count(schemas.deny) == 0 with input as doc("normal", "glue", "must-match", same, same)
	other := glue_record({"1": "w-1", "2": "w-2"})
	count(schemas.deny) == 0 with input as doc("normal", "glue", "reserialized", same, other)
}

test_compatibility_levels_differ if {
	secondary := object.union(record({"compatibility": "NONE"}), standby)
	findings := schemas.deny with input as confluent(record({}), secondary)
	found("SR-004", findings) == {["orders|orders-value", null, "orders"]}
}

test_a_writable_standby if {
	findings := schemas.deny with input as confluent(record({}), record({}))
	found("SR-005", findings) == {["orders|orders-value", "secondary", "orders"]}
	messages("SR-005", findings) == {concat(" ", [
		"Subject orders-value of family orders is writable in the secondary, which does not write the",
		"family in normal (mode READWRITE)",
	])}
}

test_a_registry_without_modes_is_a_writable_standby if {
	no_modes := record({"mode": null, "modes_supported": false})
	findings := schemas.deny with input as confluent(no_modes, no_modes)
	found("SR-005", findings) == {["orders|orders-value", "secondary", "orders"]}
	messages("SR-005", findings) == {concat(" ", [
		"Subject orders-value of family orders is writable in the secondary, which does not write the",
		"family in normal (the registry has no modes: it accepts every write)",
	])}
}

test_a_read_only_writer if {
	input_doc := doc("failover", "confluent", "must-match", record(standby), record(standby))
	findings := schemas.deny with input as input_doc
	found("SR-005", findings) == {["orders|orders-value", "secondary", "orders"]}
	messages("SR-005", findings) == {concat(" ", [
		"Subject orders-value of family orders is READONLY in the secondary, which writes the family in",
		"failover: producers cannot register new schemas",
	])}
}

test_the_switched_phase_wants_the_switched_modes if {
	input_doc := doc("dr_operation", "confluent", "must-match", record(standby), record({}))
	count(schemas.deny) == 0 with input as input_doc
}

test_both_writers_keep_both_writable if {
	both := object.union(confluent(record({}), record(standby)), {"plan": {"families": {"orders": {
		"phases": phases("both"),
		"schemas": {"kind": "confluent", "version_ids": "must-match"},
	}}}})
	findings := schemas.deny with input as both
	found("SR-005", findings) == {["orders|orders-value", "secondary", "orders"]}
}
