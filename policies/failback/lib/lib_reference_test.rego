# The lib rules worked out once for every family (judged_writers, failback_directions,
# replicated_families) and the spelled-out finding_at, against the
# definitions they replaced (copied here as they were), over every kind of writer declaration.
package failback.lib_test

import data.failback.lib

ref_writers := [null, "primary", "secondary", "both", "none"]

# Family f<i>_<j> writes with writer i in dr_operation and j in failback (and i in the other
# phases, but for one phase left out); one family declares no phases at all.
ref_families := object.union(
	{sprintf("f%d_%d", [i, j]): {"phases": object.union(
		{phase: {"writer": a, "consumer": a} | some phase in ["normal", "failover", "cleanup"]},
		{"dr_operation": {"writer": a, "consumer": a}, "failback": {"writer": b, "consumer": b}},
	)} |
		some i, a in ref_writers
		some j, b in ref_writers
	},
	{
		"no_phases": {"phases": {}},
		"partial": {"phases": {"failback": {"writer": "primary", "consumer": null}}},
	},
)

# Flows per family: active in one direction, stopped in both, none.
ref_replication := {
	"f1_2": {"directions": {"primary->secondary": {"active": ["mm2"]}, "secondary->primary": {"active": []}}},
	"f2_1": {"directions": {"primary->secondary": {"active": []}, "secondary->primary": {"active": []}}},
	"f2_2": {"directions": {}},
	"elsewhere": {"directions": {"secondary->primary": {"active": ["replicator"]}}},
}

ref_input(phase) := {"phase": phase, "plan": {"families": ref_families}, "replication": ref_replication}

# The previous definitions.
ref_single_writers_of(declared) := {phase: d.writer |
	some phase, d in declared.phases
	d.writer in {"primary", "secondary"}
}

ref_failback_direction(family) := [source, target] if {
	writers := ref_single_writers_of(ref_families[family])
	source := writers.dr_operation
	target := writers.failback
	source != target
}

ref_replicated(family) if {
	some direction in ref_replication[family].directions
	count(direction.active) > 0
}

# The previous judged_writers: writer(name, input.phase) for every family.
ref_judged_writers[name] := w if {
	some name, _ in lib.families
	w := lib.writer(name, input.phase)
}

test_judged_writers_match_writer_per_family_in_failback if {
	expected := ref_judged_writers with input as ref_input("failback")
	count(expected) == 21 # f<i>_<j> for the four declared writers j, and "partial"
	lib.judged_writers == expected with input as ref_input("failback")
}

test_judged_writers_match_writer_per_family_in_dr_operation if {
	expected := ref_judged_writers with input as ref_input("dr_operation")
	lib.judged_writers == expected with input as ref_input("dr_operation")
}

test_judged_writers_match_writer_per_family_in_an_unknown_phase if {
	lib.judged_writers == {} with input as ref_input("other")
}

test_failback_directions_match_the_function if {
	expected := {name: d | some name, _ in ref_families; d := ref_failback_direction(name)}
	expected == {"f1_2": ["primary", "secondary"], "f2_1": ["secondary", "primary"]}
	lib.failback_directions == expected with input as ref_input("failback")
	not lib.failback_direction("f1_1") with input as ref_input("failback")
	not lib.failback_direction("partial") with input as ref_input("failback")
	not lib.failback_direction("unknown") with input as ref_input("failback")
	every name, direction in expected {
		lib.failback_direction(name) == direction with input as ref_input("failback")
	}
}

test_replicated_families_match_the_function if {
	expected := {name | some name, _ in ref_replication; ref_replicated(name)}
	expected == {"f1_2", "elsewhere"}
	lib.replicated_families == expected with input as ref_input("failback")
	lib.replicated("f1_2") with input as ref_input("failback")
	not lib.replicated("f2_1") with input as ref_input("failback")
	not lib.replicated("unknown") with input as ref_input("failback")
}

test_finding_at_matches_finding_with_region_and_family if {
	every pair in [[null, null], [null, "payments"], ["primary", null], ["primary", "payments"]] {
		lib.finding_at("X-1", "res", "msg", pair[0], pair[1]) == object.union(
			lib.finding("X-1", "res", "msg"),
			{"region": pair[0], "family": pair[1]},
		)
	}
}
