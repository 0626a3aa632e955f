# The scorecard built in one comprehension (readiness.unlowered_rows, readiness.lowered_rows)
# against the cell-by-cell functions it replaced (copied here as they were), over every kind
# of evidence, several families and blocking findings about a family, about none, or none.
package failback.readiness_test

import data.failback.readiness

ref_max_age_days := 90

ref_lower_level := {
	"unwritten": "unwritten",
	"documented": "unwritten",
	"rehearsed": "documented",
	"operationalized": "rehearsed",
}

# The previous implementation, one function call chain per cell.
evidence_of(family, phase) := object.union(
	{"runbook": null, "rehearsed_epoch": null, "metrics": 0, "alerts": 0},
	object.get(object.get(family, "evidence", {}), phase, {}),
)

has_runbook(evidence) if {
	evidence.runbook != null
	evidence.runbook != ""
}

rehearsed_recently(evidence) if {
	evidence.rehearsed_epoch != null
	now - evidence.rehearsed_epoch <= ref_max_age_days * 86400
}

monitored(evidence) if {
	evidence.metrics > 0
	evidence.alerts > 0
}

level_of(evidence) := "unwritten" if {
	not has_runbook(evidence)
} else := "documented" if {
	not rehearsed_recently(evidence)
} else := "operationalized" if {
	monitored(evidence)
} else := "rehearsed"

record_reasons(evidence) := [reason |
	record := object.get(evidence, "record", null)
	record != null
	reason := record_reason(record)
]

record_reason(record) := sprintf("measured rehearsal: %s (step %s passed)", [record.path, record.step]) if {
	record.measured
} else := sprintf("rehearsal record %s does not count: step %s %s", [record.path, record.step, record.result])

days_since(epoch) := floor(max([now - epoch, 0]) / 86400)

reasons_of(evidence, phase) := array.concat(
	array.concat(
		[sprintf("runbook: %s", [evidence.runbook]) | has_runbook(evidence)],
		[sprintf("no runbook for %s", [phase]) | not has_runbook(evidence)],
	),
	array.concat(
		array.concat(
			array.concat(
				[sprintf("last rehearsal %d days ago", [days_since(evidence.rehearsed_epoch)]) |
					evidence.rehearsed_epoch != null
				],
				record_reasons(evidence),
			),
			[sprintf("no rehearsal within %v days", [ref_max_age_days]) | not rehearsed_recently(evidence)],
		),
		[sprintf("metrics: %d, alerts: %d", [evidence.metrics, evidence.alerts])],
	),
)

next_step(level, ids, phase) := sprintf("write a runbook for %s", [phase]) if {
	level == "unwritten"
} else := sprintf("rehearse %s (none within %v days)", [phase, ref_max_age_days]) if {
	level == "documented"
} else := "add metrics and alerts" if {
	level == "rehearsed"
} else := "resolve the blocking findings" if {
	count(ids) > 0
} else := ""

level_after(level, ids) := ref_lower_level[level] if {
	count(ids) > 0
} else := level

reference_cell(name, family, phase, ids) := {
	"family": name,
	"phase": phase,
	"level": level_after(level, ids),
	"evidence_level": level,
	"reasons": array.concat(
		reasons_of(evidence, phase),
		[sprintf("lowered by blocking findings: %s", [concat(", ", sort(ids))]) | count(ids) > 0],
	),
	"next_step": next_step(level, ids, phase),
} if {
	evidence := evidence_of(family, phase)
	level := level_of(evidence)
}

# Every kind of evidence one phase may hold.
ref_variants := [
	{},
	{"runbook": null, "rehearsed_epoch": null, "metrics": 0, "alerts": 0},
	{"runbook": "", "rehearsed_epoch": now - day, "metrics": 2, "alerts": 1},
	{"runbook": "rb.md", "rehearsed_epoch": null, "metrics": 1, "alerts": 0},
	{"runbook": "rb.md", "rehearsed_epoch": now - (120 * day), "metrics": 3, "alerts": 2},
	{"runbook": "rb.md", "rehearsed_epoch": now - (90 * day), "metrics": 0, "alerts": 1},
	{"runbook": "rb.md", "rehearsed_epoch": (now - (59 * day)) - 3600, "metrics": 5, "alerts": 0},
	{"runbook": "rb.md", "rehearsed_epoch": now - (10 * day), "metrics": 3, "alerts": 2},
	{"runbook": "rb.md", "rehearsed_epoch": now + day, "metrics": 3, "alerts": 2},
	{"runbook": "rb.md", "metrics": 1},
	{"runbook": "rb.md", "rehearsed_epoch": now - day, "metrics": 1, "alerts": 1, "record": {
		"path": "r.json", "step": "drain", "result": "passed", "measured": true,
	}},
	{"runbook": "rb.md", "rehearsed_epoch": null, "metrics": 0, "alerts": 0, "record": {
		"path": "r.json", "step": "drain", "result": "timeout", "measured": false,
	}},
]

# Family f<i> holds variant i in each phase shifted by its index, so that every phase meets
# every variant; one family declares no evidence at all.
ref_families := object.union(
	{sprintf("f%02d", [i]): {"tier": 2, "evidence": {phase: ref_variants[(i + k) % count(ref_variants)] |
		some k, phase in all_phases
	}} |
		some i, _ in ref_variants
	},
	{"bare": {"tier": 3}},
)

ref_findings := [
	{"rule_id": "WA-001", "family": "f01", "blocking": true},
	{"rule_id": "OFF-003", "family": "f01", "blocking": true},
	{"rule_id": "WA-001", "family": "f01", "blocking": true},
	{"rule_id": "REP-003", "family": "f04", "blocking": false},
	{"rule_id": "RDY-001", "family": "f05", "blocking": true},
	{"rule_id": "CMP-002", "family": "f07", "blocking": true},
	{"rule_id": "WA-001", "family": "f10", "blocking": true},
	{"rule_id": "WA-004", "family": "bare", "blocking": true},
	{"rule_id": "CST-002", "blocking": false},
]

reference_ids(name, phase, fs, judged) := {f.rule_id |
	phase == judged
	some f in fs
	f.rule_id != "RDY-001"
	object.get(f, "blocking", false) == true
	object.get(f, "family", null) in {null, name}
}

reference_scorecard(fs, judged, fams) := [reference_cell(name, family, phase, reference_ids(name, phase, fs, judged)) |
	some name in sort(object.keys(fams))
	family := fams[name]
	some phase in all_phases
]

# The input, but for its phase.
ref_input := {"now": now, "plan": {"evidence": {"rehearsal_max_age_days": ref_max_age_days}, "families": ref_families}}

test_scorecard_matches_the_cell_by_cell_functions_in_failback if {
	cells := readiness.scorecard(ref_findings) with input as object.union(ref_input, {"phase": "failback"})
	cells == reference_scorecard(ref_findings, "failback", ref_families)
}

test_scorecard_matches_with_a_global_blocking_finding if {
	fs := array.concat(ref_findings, [{"rule_id": "RB-001", "family": null, "blocking": true}])
	cells := readiness.scorecard(fs) with input as object.union(ref_input, {"phase": "dr_operation"})
	cells == reference_scorecard(fs, "dr_operation", ref_families)
}

test_scorecard_matches_without_findings if {
	cells := readiness.scorecard([]) with input as object.union(ref_input, {"phase": "normal"})
	cells == reference_scorecard([], "normal", ref_families)
}

test_scorecard_matches_in_a_phase_outside_the_phases if {
	cells := readiness.scorecard(ref_findings) with input as object.union(ref_input, {"phase": "other"})
	cells == reference_scorecard(ref_findings, "other", ref_families)
}

test_scorecard_matches_with_findings_lacking_the_blocking_field if {
	fs := array.concat(ref_findings, [
		{"rule_id": "WA-002", "family": "f02"},
		{"rule_id": "WA-003", "family": "f03", "blocking": "yes"},
		{"rule_id": "RB-002"},
	])
	cells := readiness.scorecard(fs) with input as object.union(ref_input, {"phase": "failback"})
	cells == reference_scorecard(fs, "failback", ref_families)
	cells == readiness.scorecard(ref_findings) with input as object.union(ref_input, {"phase": "failback"})
}

# Families that share a declaration (readiness.row_templates: its cells are worked out once and
# given each family's name): copies of every variant family under other names, sorted between
# and after the originals, and families declaring an empty evidence object beside one declaring
# none.
ref_shared_families := object.union_n([
	ref_families,
	{sprintf("f%02dx", [i]): ref_families[sprintf("f%02d", [i])] | some i, _ in ref_variants},
	{sprintf("z%02d", [i]): ref_families[sprintf("f%02d", [i])] | some i, _ in ref_variants},
	{"bare2": {"tier": 1}, "empty": {"tier": 2, "evidence": {}}},
])

test_scorecard_matches_with_families_sharing_declarations if {
	fs := array.concat(ref_findings, [{"rule_id": "WA-001", "family": "f01x", "blocking": true}])
	shared_input := {"now": now, "phase": "failback", "plan": {
		"evidence": {"rehearsal_max_age_days": ref_max_age_days},
		"families": ref_shared_families,
	}}
	cells := readiness.scorecard(fs) with input as shared_input
	count(cells) == count(ref_shared_families) * count(all_phases)
	cells == reference_scorecard(fs, "failback", ref_shared_families)
}
