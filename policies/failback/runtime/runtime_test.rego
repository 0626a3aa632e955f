package failback.runtime_test

import data.failback.runtime

# payments is written in the secondary during DR operation and in the primary again after
# failback: its failback flow runs secondary -> primary.
family := {
	"topic_count": 2,
	"phases": {
		"dr_operation": {"writer": "secondary", "consumer": "secondary"},
		"failback": {"writer": "primary", "consumer": "primary"},
	},
}

gated_steps := [
	{"name": "replicate-back", "gates": {"runtime": {
		"max_lag_seconds": 60, "max_offline_partitions": 0,
		"max_age_seconds": 300,
	}}},
	{"name": "drain", "gates": {"runtime": {
		"max_lag_records": 0, "max_offline_partitions": 0,
		"max_age_seconds": 300,
	}}},
	{"name": "move-consumers", "gates": {
		"runtime": {
			"max_offset_gap": 0, "no_dual_active_groups": true, "max_offset_sync_failures": 0,
			"max_offline_partitions": 0, "max_age_seconds": 300,
		},
		"runtime_families": {},
	}},
]

group(gap, active_target) := {
	"reread": gap, "skip": 0, "gap": gap, "unmeasured_partitions": 0, "basis": ["checkpoints"],
	"active_source": true, "active_target": active_target,
}

lag(records, seconds, groups) := {
	"records": records, "seconds": seconds, "partitions": 3, "lagging_partitions": 1,
	"unmeasured": [], "groups": groups,
}

caught_up := lag(0, 0, {"billing": group(0, false)})

facts(payments) := {
	"given": {"primary": true, "secondary": true},
	"captured_epoch": {"primary": 1000, "secondary": 1000},
	"flows": {"back|secondary->primary": {
		"name": "back", "source": "secondary", "target": "primary",
		"families": {"payments": payments},
	}},
	"health": {"payments": {
		"primary": {"offline": 0, "under_replicated": 0, "under_min_isr": 0, "offline_partitions": []},
		"secondary": {"offline": 0, "under_replicated": 0, "under_min_isr": 0, "offline_partitions": []},
	}},
	"metrics": [],
}

doc(runtime_facts) := {
	"now": 1060,
	"gaps": [],
	"plan": {"families": {"payments": family}, "failback_steps": gated_steps},
	"runtime": runtime_facts,
}

ids(findings) := sort([[f.rule_id, f.step] | some f in findings])

test_caught_up_estate_is_silent_and_awaits_nothing if {
	count(runtime.deny) == 0 with input as doc(facts(caught_up))
	count(runtime.awaiting) == 0 with input as doc(facts(caught_up))
}

test_lag_over_the_drain_gate_holds_drain_not_replicate_back if {
	found := runtime.deny with input as doc(facts(lag(1842, 37, {})))
	ids(found) == [["RT-001", "drain"]]
	some f in found
	f.message == "Failback flow back for payments: 1842 records / 37 s behind, gate 0 records"
	f.region == "primary"
	f.family == "payments"
}

test_lag_over_replicate_back_is_reported_once if {
	found := runtime.deny with input as doc(facts(lag(10, 90, {})))
	ids(found) == [["RT-001", "replicate-back"]]
}

test_a_family_override_relaxes_its_gate if {
	steps := [{"name": "drain", "gates": {
		"runtime": {"max_lag_records": 0, "max_age_seconds": 300},
		"runtime_families": {"payments": {"max_lag_records": 5000, "max_age_seconds": 300}},
	}}]
	d := object.union(doc(facts(lag(1842, 37, {}))), {"plan": {"failback_steps": steps}})
	count(runtime.deny) == 0 with input as d
}

test_offline_partitions_fire if {
	f := facts(caught_up)
	health := {"payments": {"primary": {
		"offline": 1, "under_replicated": 1, "under_min_isr": 1,
		"offline_partitions": ["payments.events-0"],
	}}}
	found := runtime.deny with input as doc(object.union(f, {"health": health}))
	ids(found) == [["RT-002", "replicate-back"]]
}

test_offset_gap_fires_on_move_consumers if {
	found := runtime.deny with input as doc(facts(lag(0, 0, {"billing": group(25, false)})))
	ids(found) == [["RT-003", "move-consumers"]]
}

test_group_active_in_both_regions_fires if {
	found := runtime.deny with input as doc(facts(lag(0, 0, {"billing": group(0, true)})))
	ids(found) == [["RT-004", "move-consumers"]]
}

test_stale_evidence_fires if {
	d := object.union(doc(facts(caught_up)), {"now": 5000})
	found := runtime.deny with input as d
	ids(found) == [["RT-005", "replicate-back"], ["RT-005", "replicate-back"]]
}

metric(value) := {
	"namespace": "AWS/Kafka", "metric": "ConsumerGroupOffsetSyncFailure", "statistic": "Sum",
	"dimensions": {}, "window_seconds": 300, "value": value, "timestamp": null,
	"subject": {"kind": "flow", "name": "back"}, "region": "primary",
}

test_offset_sync_failures_fire if {
	found := runtime.deny with input as doc(object.union(facts(caught_up), {"metrics": [metric(3)]}))
	ids(found) == [["RT-006", "move-consumers"]]
	clean := runtime.deny with input as doc(object.union(facts(caught_up), {"metrics": [metric(0)]}))
	count(clean) == 0
}

test_no_runtime_evidence_awaits_every_gated_step if {
	waiting := runtime.awaiting with input as doc({})
	waiting == {step.name: ["no runtime evidence (sample it: failback watch, failback export --runtime)"] |
		some step in gated_steps
	}
}

test_one_region_missing_and_a_gap_are_named if {
	f := object.union(facts(caught_up), {"given": {"primary": true, "secondary": false}})
	d := object.union(doc(f), {"gaps": [{"region": "secondary", "area": "runtime", "reason": "ListOffsets denied"}]})
	waiting := runtime.awaiting with input as d
	waiting.drain == [
		"no runtime evidence from the secondary region",
		"runtime evidence gap in the secondary: ListOffsets denied",
	]
}

test_unmeasured_lag_and_offsets_are_awaited if {
	untranslated := object.union(group(0, false), {"gap": null, "unmeasured_partitions": 2})
	unmeasured := object.union(lag(0, null, {"billing": untranslated}), {"unmeasured": ["payments.events"]})
	waiting := runtime.awaiting with input as doc(facts(unmeasured))
	not_measured := concat(" ", [
		"flow back: 1 topic(s) or partition(s) of payments not measured on both sides",
		"(e.g. payments.events)",
	])
	waiting["replicate-back"] == [
		not_measured,
		"flow back: the time lag of payments is unknown (records without timestamps)",
	]
	waiting.drain == [not_measured]
	waiting["move-consumers"] == [concat(" ", [
		"flow back: consumer group billing's offsets cannot be translated",
		"(2 partition(s) without a checkpoint)",
	])]
}

test_a_family_without_a_measured_failback_flow_is_awaited if {
	f := object.remove(facts(caught_up), ["flows"])
	waiting := runtime.awaiting with input as doc(f)
	waiting.drain == ["no failback flow of payments was measured"]
}

test_ungated_steps_await_nothing if {
	d := object.union(doc({}), {"plan": {"failback_steps": [{"name": "clean-up"}]}})
	count(runtime.awaiting) == 0 with input as d
}
