package failback.offsets_test

import data.failback.offsets

phases := {
	"normal": {"writer": "primary", "consumer": "primary"},
	"failover": {"writer": "secondary", "consumer": "secondary"},
	"dr_operation": {"writer": "secondary", "consumer": "secondary"},
	"failback": {"writer": "primary", "consumer": "primary"},
	"cleanup": {"writer": "primary", "consumer": "primary"},
}

family(strategy, sinks) := {"tier": 1, "topic_count": 2, "offset_strategy": strategy, "sinks": sinks, "phases": phases}

flow(name, source, target, overrides) := object.union(
	{
		"name": name, "tool": "msk-replicator", "source": source, "target": target,
		"naming": "identical", "loop_protection": true, "offset_sync": true,
		"offset_sync_mode": "ENHANCED", "state": "RUNNING", "active": true, "healthy": true,
		"families": ["payments"],
	},
	overrides,
)

groups(active) := {"consumer_groups": {"ledger": {
	"state": "Stable",
	"active": active,
	"topics": ["payments.tx"],
	"families": ["payments"],
}}}

base := {
	"phase": "dr_operation",
	"plan": {"families": {"payments": family("translated", [])}},
	"primary": groups(false),
	"secondary": groups(true),
	"flows": {
		"k-fwd": flow("fwd", "primary", "secondary", {"reverse_flows": ["k-rev"]}),
		"k-rev": flow("rev", "secondary", "primary", {"reverse_flows": ["k-fwd"]}),
	},
}

with_flows(flows) := object.union(object.remove(base, ["flows"]), {"flows": flows})

with_family(fam) := object.union(object.remove(base, ["plan"]), {"plan": {"families": {"payments": fam}}})

found(rule_id, findings) := {f | some f in findings; f.rule_id == rule_id}

test_base_is_clean if {
	count(offsets.deny) == 0 with input as base
}

test_off_001_no_offset_sync_fires if {
	inp := with_flows({"k-rev": flow("rev", "secondary", "primary", {"offset_sync": false})})
	fs := found("OFF-001", offsets.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "payments"
	f.family == "payments"
	f.region == "secondary"
}

test_off_001_sync_in_the_other_direction_fires if {
	# the consumers are active in the secondary: only a flow out of the secondary syncs them
	inp := with_flows({"k-fwd": flow("fwd", "primary", "secondary", {})})
	fs := found("OFF-001", offsets.deny) with input as inp
	{[f.resource, f.region] | some f in fs} == {["payments", "secondary"]}
	some f in fs
	contains(f.message, "no healthy flow from the secondary to the primary carrying it syncs")
}

test_off_001_groups_active_on_the_target_fire if {
	both := object.union(phases, {"dr_operation": {"writer": "secondary", "consumer": "both"}})
	inp := object.union(
		with_family(object.union(family("translated", []), {"phases": both})),
		{"primary": groups(true)},
	)
	fs := found("OFF-001", offsets.deny) with input as inp
	{[f.resource, f.region] | some f in fs} == {["payments", null]}
	some f in fs
	contains(f.message, "consumer groups ledger are active in both regions")
}

test_off_001_groups_active_in_both_are_consumer_authority if {
	# CA-002 (consumer authority) reports groups active in both regions; OFF-001 stays silent
	inp := object.union(base, {"primary": groups(true)})
	count(found("OFF-001", offsets.deny)) == 0 with input as inp
}

test_off_001_unhealthy_sync_flow_fires if {
	inp := with_flows({"k-fwd": flow("fwd", "primary", "secondary", {"healthy": false})})
	{f.resource | some f in found("OFF-001", offsets.deny)} == {"payments"} with input as inp
}

test_off_001_no_active_consumers_passes if {
	inp := object.union(object.remove(with_flows({}), ["secondary"]), {"secondary": groups(false)})
	count(found("OFF-001", offsets.deny)) == 0 with input as inp
}

test_off_001_replay_strategy_passes if {
	inp := object.union(object.remove(with_family(family("idempotent-replay", [])), ["flows"]), {"flows": {}})
	count(found("OFF-001", offsets.deny)) == 0 with input as inp
}

test_off_002_legacy_mode_fires if {
	inp := with_flows({
		"k-fwd": flow("fwd", "primary", "secondary", {"offset_sync_mode": "LEGACY"}),
		"k-rev": flow("rev", "secondary", "primary", {}),
	})
	fs := found("OFF-002", offsets.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "fwd"
	f.region == "secondary"
}

test_off_002_enhanced_mode_passes if {
	count(found("OFF-002", offsets.deny)) == 0 with input as base
}

test_off_002_mirrormaker_passes if {
	inp := with_flows({
		"k-fwd": flow("fwd", "primary", "secondary", {"tool": "mirrormaker2", "offset_sync_mode": "LEGACY"}),
		"k-rev": flow("rev", "secondary", "primary", {}),
	})
	count(found("OFF-002", offsets.deny)) == 0 with input as inp
}

test_off_003_no_reverse_offset_path_fires if {
	inp := with_flows({
		"k-fwd": flow("fwd", "primary", "secondary", {}),
		"k-rev": flow("rev", "secondary", "primary", {"offset_sync": false}),
	})
	fs := found("OFF-003", offsets.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "payments"
	f.region == "primary"
	f.family == "payments"
}

test_off_003_reverse_offset_path_passes if {
	count(found("OFF-003", offsets.deny)) == 0 with input as base
}

test_off_003_same_writer_passes if {
	same := {p: {"writer": "primary", "consumer": "primary"} | some p, _ in phases}
	same_writer_family := object.union(family("replicated", []), {"phases": same})
	inp := object.union(object.remove(with_family(same_writer_family), ["flows"]), {"flows": {}})
	count(found("OFF-003", offsets.deny)) == 0 with input as inp
}

test_off_004_replay_into_non_idempotent_sink_fires if {
	sinks := [{"name": "warehouse", "idempotency": "not-idempotent"}, {"name": "cache", "idempotency": "idempotent"}]
	fs := found("OFF-004", offsets.deny) with input as with_family(family("reset-to-timestamp", sinks))
	count(fs) == 1
	some f in fs
	f.resource == "payments -> warehouse"
	f.family == "payments"
}

test_off_004_dedupe_sink_passes if {
	sinks := [{"name": "warehouse", "idempotency": "dedupe-by-key"}]
	count(found("OFF-004", offsets.deny)) == 0 with input as with_family(family("idempotent-replay", sinks))
}

test_off_004_translated_offsets_into_non_idempotent_sink_fire if {
	sinks := [{"name": "warehouse", "idempotency": "not-idempotent"}]
	fs := found("OFF-004", offsets.deny) with input as with_family(family("translated", sinks))
	{f.resource | some f in fs} == {"payments -> warehouse"}
	some f in fs
	contains(f.message, "translated offsets, which are approximate and at-least-once")
}

test_off_004_translated_with_declared_dedupe_passes if {
	sinks := [{"name": "warehouse", "idempotency": "dedupe-by-key"}]
	count(found("OFF-004", offsets.deny)) == 0 with input as with_family(family("translated", sinks))
}

test_off_004_no_strategy_passes if {
	sinks := [{"name": "warehouse", "idempotency": "not-idempotent"}]
	count(found("OFF-004", offsets.deny)) == 0 with input as with_family(family(null, sinks))
}

test_off_007_tier1_without_strategy_fires if {
	fs := found("OFF-007", offsets.deny) with input as with_family(object.remove(family(null, []), ["offset_strategy"]))
	{[f.resource, f.family] | some f in fs} == {["payments", "payments"]}
	count(found("OFF-007", offsets.deny)) == 1 with input as with_family(family(null, []))
}

test_off_007_tier2_or_declared_passes if {
	count(found("OFF-007", offsets.deny)) == 0 with input as base
	tier2 := object.union(family(null, []), {"tier": 2})
	count(found("OFF-007", offsets.deny)) == 0 with input as with_family(tier2)
}

test_off_005_enhanced_without_reverse_replicator_fires if {
	inp := with_flows({"k-fwd": flow("fwd", "primary", "secondary", {"reverse_flows": []})})
	fs := found("OFF-005", offsets.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "fwd"
	f.region == "secondary"
	contains(f.message, "no active MSK Replicator with IDENTICAL names runs from the secondary back to the primary")
}

test_off_005_reverse_mirrormaker_is_not_the_pair if {
	inp := with_flows({
		"k-fwd": flow("fwd", "primary", "secondary", {"reverse_flows": ["k-rev"]}),
		"k-rev": flow("rev", "secondary", "primary", {"tool": "mirrormaker2", "reverse_flows": ["k-fwd"]}),
	})
	{f.resource | some f in found("OFF-005", offsets.deny)} == {"fwd"} with input as inp
}

test_off_005_prefixed_enhanced_fires if {
	inp := with_flows({
		"k-fwd": flow("fwd", "primary", "secondary", {"naming": "prefixed", "reverse_flows": ["k-rev"]}),
		"k-rev": flow("rev", "secondary", "primary", {"reverse_flows": ["k-fwd"]}),
	})
	fs := found("OFF-005", offsets.deny) with input as inp

	# the prefixed leg is not a pair for the identical one either
	{f.resource | some f in fs} == {"fwd", "rev"}
	some f in fs
	f.resource == "fwd"
	contains(f.message, "ENHANCED needs IDENTICAL names")
}

test_off_005_enhanced_pair_passes if {
	count(found("OFF-005", offsets.deny)) == 0 with input as base
}

test_off_005_legacy_without_pair_passes if {
	inp := with_flows({"k-fwd": flow("fwd", "primary", "secondary", {"offset_sync_mode": "LEGACY", "reverse_flows": []})})
	count(found("OFF-005", offsets.deny)) == 0 with input as inp
}
