package failback.replication_test

import data.failback.replication

phases(normal, dr, cleanup) := {
	"normal": {"writer": normal, "consumer": normal},
	"failover": {"writer": dr, "consumer": dr},
	"dr_operation": {"writer": dr, "consumer": dr},
	"failback": {"writer": normal, "consumer": normal},
	"cleanup": {"writer": cleanup, "consumer": cleanup},
}

family(tier) := {"tier": tier, "topic_count": 4, "phases": phases("primary", "secondary", "primary")}

flow(name, source, target, overrides) := object.union(
	{
		"name": name, "tool": "msk-replicator", "source": source, "target": target,
		"naming": "identical", "loop_protection": false, "offset_sync": true,
		"offset_sync_mode": "ENHANCED", "state": "RUNNING", "active": true, "healthy": true,
		"owner": "platform", "families": ["payments"], "topic_count": 4, "internal_topics": [],
		"loop_prevention": "header", "reverse_flows": [], "paired_families": [],
	},
	overrides,
)

# A MirrorMaker 2 flow under IdentityReplicationPolicy: identical names, no loop prevention.
identity(name, source, target, overrides) := flow(
	name, source, target,
	object.union({"tool": "mirrormaker2", "loop_prevention": "none", "offset_sync_mode": "CHECKPOINTS"}, overrides),
)

forward := flow("fwd", "primary", "secondary", {"loop_protection": true})

reverse := flow("rev", "secondary", "primary", {})

# The documented bidirectional MSK Replicator setup: both legs paired for the family.
paired_forward := flow("fwd", "primary", "secondary", {"reverse_flows": ["k-rev"], "paired_families": ["payments"]})

paired_reverse := flow("rev", "secondary", "primary", {"reverse_flows": ["k-fwd"], "paired_families": ["payments"]})

pair_model(enhanced) := {"payments": {"pair": true, "enhanced": enhanced}}

base := {
	"phase": "normal",
	"plan": {"families": {"payments": family(1)}},
	"flows": {"k-fwd": forward},
}

with_flows(phase, flows) := object.union(object.remove(base, ["flows"]), {"phase": phase, "flows": flows})

found(rule_id, findings) := {f | some f in findings; f.rule_id == rule_id}

test_base_is_clean if {
	count(replication.deny) == 0 with input as base
}

test_rep_001_flow_into_writer_fires if {
	fs := found("REP-001", replication.deny) with input as with_flows("normal", {"k-rev": reverse})
	count(fs) == 1
	some f in fs
	f.resource == "rev"
	f.region == "primary"
	f.family == "payments"
}

test_rep_001_prefixed_flow_passes if {
	inp := with_flows("normal", {"k-rev": flow("rev", "secondary", "primary", {"naming": "prefixed"})})
	count(found("REP-001", replication.deny)) == 0 with input as inp
}

test_rep_001_stopped_flow_passes if {
	inp := with_flows("normal", {"k-rev": flow("rev", "secondary", "primary", {"active": false})})
	count(found("REP-001", replication.deny)) == 0 with input as inp
}

test_rep_001_paired_msk_replicator_passes if {
	inp := with_flows("normal", {"k-fwd": paired_forward, "k-rev": paired_reverse})
	count(found("REP-001", replication.deny)) == 0 with input as inp
}

test_rep_001_pair_for_another_family_fires if {
	other := object.union(paired_reverse, {"families": ["payments", "orders"]})
	inp := object.union(
		with_flows("normal", {"k-fwd": paired_forward, "k-rev": other}),
		{"plan": {"families": {"payments": family(1), "orders": family(1)}}},
	)
	fs := found("REP-001", replication.deny) with input as inp
	{[f.resource, f.family] | some f in fs} == {["rev", "orders"]}
}

test_rep_001_identity_mirrormaker_into_writer_fires if {
	inp := with_flows("normal", {"k-fwd": forward, "k-rev": identity("rev", "secondary", "primary", {})})
	{f.resource | some f in found("REP-001", replication.deny)} == {"rev"} with input as inp
}

test_rep_002_unprotected_loop_fires_once if {
	inp := with_flows("failback", {
		"k-a": identity("b-flow", "primary", "secondary", {}),
		"k-b": identity("a-flow", "secondary", "primary", {"families": ["payments", "orders"]}),
	})
	fs := found("REP-002", replication.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "a-flow <-> b-flow"
	f.family == "payments"
	f.region == null
}

test_rep_002_loop_protection_passes if {
	inp := with_flows("failback", {"k-fwd": forward, "k-rev": reverse})
	count(found("REP-002", replication.deny)) == 0 with input as inp
}

test_rep_002_identical_msk_replicator_pair_passes if {
	inp := with_flows("failback", {"k-fwd": paired_forward, "k-rev": paired_reverse})
	count(found("REP-002", replication.deny)) == 0 with input as inp
}

test_rep_002_prefixed_passes if {
	inp := with_flows("failback", {
		"k-a": identity("a", "primary", "secondary", {}),
		"k-b": identity("b", "secondary", "primary", {"naming": "prefixed", "loop_prevention": "prefix"}),
	})
	count(found("REP-002", replication.deny)) == 0 with input as inp
}

test_rep_003_unreplicated_tier1_fires if {
	unhealthy := flow("fwd", "primary", "secondary", {"healthy": false, "loop_protection": true})
	inp := with_flows("normal", {"k-fwd": unhealthy})
	fs := found("REP-003", replication.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "payments"
	f.family == "payments"
}

test_rep_003_tier2_passes if {
	inp := object.union(with_flows("normal", {}), {"plan": {"families": {"payments": family(2)}}})
	count(found("REP-003", replication.deny)) == 0 with input as inp
}

test_rep_003_healthy_flow_passes if {
	count(found("REP-003", replication.deny)) == 0 with input as base
}

test_rep_004_catch_up_flow_in_cleanup_fires_once_per_flow if {
	inp := object.union(
		with_flows("cleanup", {
			"k-fwd": forward,
			"k-rev": flow("rev", "secondary", "primary", {"families": ["payments", "orders"]}),
		}),
		{"plan": {"families": {"payments": family(1), "orders": family(1)}}},
	)
	fs := found("REP-004", replication.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "rev"
	f.region == "primary"
	f.family == null
}

test_rep_004_original_flow_passes if {
	count(found("REP-004", replication.deny)) == 0 with input as with_flows("cleanup", {"k-fwd": forward})
}

test_rep_004_deleted_reverse_flow_passes if {
	inp := with_flows("cleanup", {"k-fwd": forward, "k-rev": flow("rev", "secondary", "primary", {"active": false})})
	count(found("REP-004", replication.deny)) == 0 with input as inp
}

test_rep_004_reverse_leg_of_an_enhanced_pair_passes if {
	inp := object.union(
		with_flows("cleanup", {"k-fwd": paired_forward, "k-rev": paired_reverse}),
		{"replication": pair_model(true)},
	)
	count(found("REP-004", replication.deny)) == 0 with input as inp
}

test_rep_004_reverse_leg_of_a_pair_without_enhanced_sync_fires if {
	inp := object.union(
		with_flows("cleanup", {"k-fwd": paired_forward, "k-rev": paired_reverse}),
		{"replication": pair_model(false)},
	)
	{f.resource | some f in found("REP-004", replication.deny)} == {"rev"} with input as inp
}

test_rep_004_prefixed_reverse_flow_passes if {
	prefixed := flow("rev", "secondary", "primary", {"naming": "prefixed", "loop_prevention": "prefix"})
	inp := with_flows("cleanup", {"k-fwd": forward, "k-rev": prefixed})
	count(found("REP-004", replication.deny)) == 0 with input as inp
}

test_rep_005_failback_flow_at_latest_fires if {
	latest := flow("rev", "secondary", "primary", {"starting_position": "LATEST", "families": ["payments", "orders"]})
	inp := object.union(
		with_flows("failback", {"k-fwd": forward, "k-rev": latest}),
		{"plan": {"families": {"payments": family(1), "orders": family(3)}}},
	)
	fs := found("REP-005", replication.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "rev"
	f.region == "primary"
	contains(f.message, "carries orders, payments back from the secondary")
}

test_rep_005_failback_flow_at_earliest_passes if {
	earliest := flow("rev", "secondary", "primary", {"starting_position": "EARLIEST"})
	inp := with_flows("failback", {"k-fwd": forward, "k-rev": earliest})
	count(found("REP-005", replication.deny)) == 0 with input as inp
}

test_rep_005_forward_flow_at_latest_passes if {
	inp := with_flows("failback", {"k-fwd": object.union(forward, {"starting_position": "LATEST"})})
	count(found("REP-005", replication.deny)) == 0 with input as inp
}

test_rep_005_stopped_flow_passes if {
	stopped := flow("rev", "secondary", "primary", {"starting_position": "LATEST", "active": false})
	inp := with_flows("failback", {"k-rev": stopped})
	count(found("REP-005", replication.deny)) == 0 with input as inp
}

# The replication model of "payments": each direction's flows and uncarried topics.
direction(flows, source_topics, uncarried) := {
	"flows": flows, "active": flows, "healthy": flows, "offset_sync": true,
	"source_topics": source_topics, "uncarried": uncarried,
}

model(forth, back) := {"payments": {"pair": false, "enhanced": false, "directions": {
	"primary->secondary": object.union(forth, {"source": "primary", "target": "secondary"}),
	"secondary->primary": object.union(back, {"source": "secondary", "target": "primary"}),
}}}

uncarried := [sprintf("payments.t%02d", [i]) | some i in numbers.range(1, 11)]

test_rep_006_reverse_flow_with_one_of_twelve_topics_fires if {
	inp := object.union(
		with_flows("failback", {"k-fwd": forward, "k-rev": reverse}),
		{"replication": model(direction(["k-fwd"], 12, []), direction(["k-rev"], 12, uncarried))},
	)
	fs := found("REP-006", replication.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "payments"
	f.region == "primary"
	f.family == "payments"
	startswith(f.message, "11 of the 12 topics of family payments in the secondary reach the primary")
	endswith(f.message, "payments.t10 and 1 more")
}

test_rep_006_forward_coverage_in_normal_fires if {
	inp := object.union(
		with_flows("normal", {"k-fwd": forward}),
		{"replication": model(direction(["k-fwd"], 3, ["payments.new"]), direction([], 0, []))},
	)
	fs := found("REP-006", replication.deny) with input as inp
	{[f.region, f.message] | some f in fs} == {[
		"secondary",
		"1 of the 3 topics of family payments in the primary reach the secondary through no active flow: payments.new",
	]}
}

test_rep_006_full_coverage_passes if {
	inp := object.union(
		with_flows("failback", {"k-fwd": forward, "k-rev": reverse}),
		{"replication": model(direction(["k-fwd"], 12, []), direction(["k-rev"], 12, []))},
	)
	count(found("REP-006", replication.deny)) == 0 with input as inp
}

test_rep_006_unreplicated_family_passes if {
	# a stopped flow alone does not make the family replicated
	stopped := object.union(direction(["k-rev"], 12, uncarried), {"active": [], "healthy": []})
	inp := object.union(
		with_flows("failback", {}),
		{"replication": model(direction([], 12, uncarried), stopped)},
	)
	count(found("REP-006", replication.deny)) == 0 with input as inp
}

test_rep_006_not_judged_in_failover if {
	inp := object.union(
		with_flows("failover", {"k-fwd": forward}),
		{"replication": model(direction(["k-fwd"], 12, uncarried), direction([], 12, uncarried))},
	)
	count(found("REP-006", replication.deny)) == 0 with input as inp
}

transactional_family := object.union(family(1), {"transactional": true})

# A failback input with one MirrorMaker 2 flow (identity policy) reading at `isolation`.
mm2_reading(isolation) := object.union(
	with_flows("failback", {"k-mm2": identity("mm2", "primary", "secondary", {"consumer_isolation": isolation})}),
	{"plan": {"families": {"payments": transactional_family}}},
)

test_rep_007_mirrormaker_reading_uncommitted_fires if {
	fs := found("REP-007", replication.deny) with input as mm2_reading("read_uncommitted")
	{[f.resource, f.region] | some f in fs} == {["mm2", "secondary"]}
	some f in fs
	contains(f.message, "carries transactional payments but its source consumer reads read_uncommitted")
}

test_rep_007_unknown_isolation_fires if {
	inp := object.union(
		with_flows("failback", {"k-mm2": identity("mm2", "primary", "secondary", {})}),
		{"plan": {"families": {"payments": transactional_family}}},
	)
	count(found("REP-007", replication.deny)) == 1 with input as inp
}

test_rep_007_read_committed_passes if {
	count(found("REP-007", replication.deny)) == 0 with input as mm2_reading("read_committed")
}

test_rep_007_non_transactional_or_msk_replicator_passes if {
	mm2 := with_flows("failback", {"k-mm2": identity("mm2", "primary", "secondary", {})})
	count(found("REP-007", replication.deny)) == 0 with input as mm2
	msk := object.union(
		with_flows("failback", {"k-fwd": forward}),
		{"plan": {"families": {"payments": transactional_family}}},
	)
	count(found("REP-007", replication.deny)) == 0 with input as msk
}
