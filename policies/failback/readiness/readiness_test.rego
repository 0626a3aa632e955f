package failback.readiness_test

import data.failback.readiness

now := 1700000000

day := 86400

all_phases := ["normal", "failover", "dr_operation", "failback", "cleanup"]

unwritten := {"runbook": null, "rehearsed_epoch": null, "metrics": 0, "alerts": 0}

documented := {"runbook": "runbooks/failback.md", "rehearsed_epoch": null, "metrics": 1, "alerts": 0}

stale := {"runbook": "runbooks/failback.md", "rehearsed_epoch": now - (120 * day), "metrics": 3, "alerts": 2}

rehearsed := {
	"runbook": "runbooks/failback.md",
	"rehearsed_epoch": (now - (59 * day)) - 3600,
	"metrics": 0,
	"alerts": 1,
}

operationalized := {"runbook": "runbooks/failback.md", "rehearsed_epoch": now - (10 * day), "metrics": 3, "alerts": 2}

# A family whose every phase has the same evidence, except `phase` which has `evidence`.
family(tier, phase, evidence) := {
	"tier": tier,
	"evidence": {p: e |
		some p in all_phases
		e := object.get({phase: evidence}, p, unwritten)
	},
}

inp(phase, families) := {
	"phase": phase,
	"now": now,
	"plan": {
		"evidence": {"max_snapshot_skew_hours": 24, "max_snapshot_age_hours": 168, "rehearsal_max_age_days": 90},
		"families": families,
	},
}

one(phase, evidence) := inp(phase, {"payments": family(1, phase, evidence)})

finding(rule_id, family, blocking) := {"rule_id": rule_id, "family": family, "blocking": blocking}

cell_of(cells, family, phase) := c if {
	some c in cells
	c.family == family
	c.phase == phase
}

# evidence levels

test_level_unwritten if {
	readiness.evidence_level("payments", "failback") == "unwritten" with input as one("failback", unwritten)
}

test_level_empty_runbook_is_unwritten if {
	empty_runbook := object.union(operationalized, {"runbook": ""})
	readiness.evidence_level("payments", "failback") == "unwritten" with input as one("failback", empty_runbook)
}

test_level_documented_without_rehearsal if {
	readiness.evidence_level("payments", "failback") == "documented" with input as one("failback", documented)
}

test_level_documented_when_rehearsal_stale if {
	readiness.evidence_level("payments", "failback") == "documented" with input as one("failback", stale)
}

test_level_rehearsed if {
	readiness.evidence_level("payments", "failback") == "rehearsed" with input as one("failback", rehearsed)
}

test_level_operationalized if {
	readiness.evidence_level("payments", "failback") == "operationalized" with input as one("failback", operationalized)
}

test_level_rehearsal_at_max_age_counts if {
	at_max_age := object.union(rehearsed, {"rehearsed_epoch": now - (90 * day)})
	readiness.evidence_level("payments", "failback") == "rehearsed" with input as one("failback", at_max_age)
}

# RDY-001

test_rdy_001_tier1_documented_fires if {
	findings := readiness.deny with input as one("failback", documented)
	findings == {{
		"rule_id": "RDY-001",
		"resource": "payments/failback",
		"message": "tier-1 family payments is only documented for failback: it needs a runbook rehearsed within 90 days",
		"region": null,
		"family": "payments",
		"primary": null,
		"secondary": null,
	}}
}

test_rdy_001_tier1_unwritten_fires if {
	findings := readiness.deny with input as one("normal", unwritten)
	{[f.rule_id, f.resource, f.family] | some f in findings} == {["RDY-001", "payments/normal", "payments"]}
}

test_rdy_001_tier1_rehearsed_passes if {
	count(readiness.deny) == 0 with input as one("failback", rehearsed)
}

test_rdy_001_judges_only_input_phase if {
	# failback is operationalized; the other phases are unwritten but not judged
	count(readiness.deny) == 0 with input as one("failback", operationalized)
}

test_rdy_001_tier2_passes if {
	count(readiness.deny) == 0 with input as inp("failback", {"payments": family(2, "failback", unwritten)})
}

# scorecard

test_scorecard_order_families_then_phases if {
	families := {"zeta": family(3, "failback", unwritten), "alpha": family(3, "failback", unwritten)}
	cells := readiness.scorecard([]) with input as inp("failback", families)
	[[c.family, c.phase] | some c in cells] == [
		["alpha", "normal"], ["alpha", "failover"], ["alpha", "dr_operation"], ["alpha", "failback"], ["alpha", "cleanup"],
		["zeta", "normal"], ["zeta", "failover"], ["zeta", "dr_operation"], ["zeta", "failback"], ["zeta", "cleanup"],
	]
}

test_scorecard_no_families_is_empty if {
	readiness.scorecard([]) == [] with input as inp("failback", {})
}

test_scorecard_unwritten_cell if {
	cells := readiness.scorecard([]) with input as one("failback", documented)
	cell_of(cells, "payments", "normal") == {
		"family": "payments",
		"phase": "normal",
		"level": "unwritten",
		"evidence_level": "unwritten",
		"reasons": ["no runbook for normal", "no rehearsal within 90 days", "metrics: 0, alerts: 0"],
		"next_step": "write a runbook for normal",
	}
}

test_scorecard_documented_cell if {
	cells := readiness.scorecard([]) with input as one("failback", stale)
	cell_of(cells, "payments", "failback") == {
		"family": "payments",
		"phase": "failback",
		"level": "documented",
		"evidence_level": "documented",
		"reasons": [
			"runbook: runbooks/failback.md", "last rehearsal 120 days ago",
			"no rehearsal within 90 days", "metrics: 3, alerts: 2",
		],
		"next_step": "rehearse failback (none within 90 days)",
	}
}

test_scorecard_rehearsed_cell if {
	cells := readiness.scorecard([]) with input as one("failback", rehearsed)
	cell_of(cells, "payments", "failback") == {
		"family": "payments",
		"phase": "failback",
		"level": "rehearsed",
		"evidence_level": "rehearsed",
		"reasons": ["runbook: runbooks/failback.md", "last rehearsal 59 days ago", "metrics: 0, alerts: 1"],
		"next_step": "add metrics and alerts",
	}
}

test_scorecard_operationalized_cell if {
	cells := readiness.scorecard([finding("WA-001", "payments", false)]) with input as one("failback", operationalized)
	cell_of(cells, "payments", "failback") == {
		"family": "payments",
		"phase": "failback",
		"level": "operationalized",
		"evidence_level": "operationalized",
		"reasons": ["runbook: runbooks/failback.md", "last rehearsal 10 days ago", "metrics: 3, alerts: 2"],
		"next_step": "",
	}
}

test_scorecard_lowered_by_family_and_global_findings if {
	findings := [
		finding("WA-001", "payments", true),
		finding("RB-001", null, true),
		finding("WA-001", "payments", true),
		finding("REP-003", "orders", true),
		finding("CST-002", null, false),
	]
	cells := readiness.scorecard(findings) with input as one("failback", operationalized)
	cell_of(cells, "payments", "failback") == {
		"family": "payments",
		"phase": "failback",
		"level": "rehearsed",
		"evidence_level": "operationalized",
		"reasons": [
			"runbook: runbooks/failback.md", "last rehearsal 10 days ago", "metrics: 3, alerts: 2",
			"lowered by blocking findings: RB-001, WA-001",
		],
		"next_step": "resolve the blocking findings",
	}
}

test_scorecard_lowers_only_input_phase if {
	fam := {"tier": 3, "evidence": {p: operationalized | some p in all_phases}}
	cells := readiness.scorecard([finding("WA-001", "payments", true)]) with input as inp("failback", {"payments": fam})
	[[c.phase, c.level] | some c in cells] == [
		["normal", "operationalized"], ["failover", "operationalized"], ["dr_operation", "operationalized"],
		["failback", "rehearsed"], ["cleanup", "operationalized"],
	]
}

test_scorecard_other_family_and_non_blocking_do_not_lower if {
	findings := [finding("WA-001", "orders", true), finding("CST-002", null, false), finding("WA-004", "payments", false)]
	cells := readiness.scorecard(findings) with input as one("failback", operationalized)
	c := cell_of(cells, "payments", "failback")
	c.level == "operationalized"
	c.next_step == ""
	count(c.reasons) == 3
}

test_scorecard_lowered_rehearsed_keeps_its_next_step if {
	cells := readiness.scorecard([finding("OFF-003", "payments", true)]) with input as one("failback", rehearsed)
	c := cell_of(cells, "payments", "failback")
	c.level == "documented"
	c.evidence_level == "rehearsed"
	c.next_step == "add metrics and alerts"
	c.reasons[count(c.reasons) - 1] == "lowered by blocking findings: OFF-003"
}

test_scorecard_unwritten_stays_unwritten if {
	cells := readiness.scorecard([finding("OFF-003", "payments", true)]) with input as one("failback", unwritten)
	c := cell_of(cells, "payments", "failback")
	c.level == "unwritten"
	c.next_step == "write a runbook for failback"
	c.reasons[count(c.reasons) - 1] == "lowered by blocking findings: OFF-003"
}

test_scorecard_rdy_001_does_not_lower_its_own_level if {
	cells := readiness.scorecard([finding("RDY-001", "payments", true)]) with input as one("failback", unwritten)
	c := cell_of(cells, "payments", "failback")
	c.level == "unwritten"
	every reason in c.reasons {
		not startswith(reason, "lowered")
	}
}

test_scorecard_missing_evidence_defaults_to_unwritten if {
	cells := readiness.scorecard([]) with input as inp("failback", {"payments": {"tier": 3}})
	c := cell_of(cells, "payments", "failback")
	c.level == "unwritten"
	c.reasons == ["no runbook for failback", "no rehearsal within 90 days", "metrics: 0, alerts: 0"]
}

# main reads deny before it calls scorecard; the embedded engine once lost imported rules
# inside functions after that (see the note on `families` in readiness.rego).
test_scorecard_after_deny_in_one_evaluation if {
	doc := one("failback", documented)
	result := [count(readiness.deny), readiness.scorecard([finding("WA-001", "payments", true)])] with input as doc
	result[0] == 1
	count(result[1]) == 5
	c := cell_of(result[1], "payments", "failback")
	c.level == "unwritten"
	c.evidence_level == "documented"
}

test_group_by_first_groups_sorted_pairs_in_one_pass if {
	readiness.group_by_first([["a", "X"], ["a", "Y"], ["b", "X"], ["c", "Z"], ["c", "Z"]]) == {
		"a": {"X", "Y"},
		"b": {"X"},
		"c": {"Z"},
	}
	readiness.group_by_first([["only", "X"]]) == {"only": {"X"}}
	readiness.group_by_first([]) == {}
}

measured := object.union(rehearsed, {"record": {
	"path": "rehearsals/drain.json", "step": "drain",
	"result": "passed", "measured": true,
}})

timed_out := object.union(documented, {"record": {
	"path": "rehearsals/drain.json", "step": "drain",
	"result": "timeout", "measured": false,
}})

test_scorecard_counts_a_measured_rehearsal if {
	cells := readiness.scorecard([]) with input as one("failback", measured)
	cell := cell_of(cells, "payments", "failback")
	cell.level == "rehearsed"
	cell.reasons == [
		"runbook: runbooks/failback.md", "last rehearsal 59 days ago",
		"measured rehearsal: rehearsals/drain.json (step drain passed)", "metrics: 0, alerts: 1",
	]
}

test_scorecard_a_record_that_did_not_pass_is_no_rehearsal if {
	cells := readiness.scorecard([]) with input as one("failback", timed_out)
	cell := cell_of(cells, "payments", "failback")
	cell.level == "documented"
	"rehearsal record rehearsals/drain.json does not count: step drain timeout" in cell.reasons
}
