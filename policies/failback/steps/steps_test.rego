package failback.steps_test

import data.failback.main
import data.failback.steps

plan_steps := [
	{"name": "replicate-back", "description": "first", "gates": {"rules": ["REP-005"]}},
	{"name": "move-producers", "gates": {"areas": ["rollback"], "rules": []}},
	{"name": "clean-up"},
]

finding(rule_id, area, blocking) := {
	"rule_id": rule_id, "area": area, "blocking": blocking,
	"resource": "r", "region": "primary", "family": null, "message": "m",
}

verdicts(results) := [[r.name, r.verdict] | some r in results]

test_no_finding_every_step_goes if {
	results := steps.results(plan_steps, [], 0)
	verdicts(results) == [["replicate-back", "go"], ["move-producers", "go"], ["clean-up", "go"]]
	results[0].order == 1
	results[0].description == "first"
	results[1].description == ""
	results[2].gates == {"rules": [], "areas": [], "runtime": {}}
	results[2].awaiting == []
}

test_a_gate_holds_its_step_and_the_later_ones if {
	results := steps.results(plan_steps, [finding("RB-002", "rollback", true)], 0)
	verdicts(results) == [["replicate-back", "go"], ["move-producers", "no-go"], ["clean-up", "no-go"]]
	results[1].held_by == [{
		"rule_id": "RB-002", "resource": "r", "region": "primary", "family": null,
		"gate": "move-producers", "message": "m",
	}]
}

test_findings_of_one_kind_share_their_gate_and_keep_their_order if {
	findings := [
		object.union(finding("RB-002", "rollback", true), {"resource": "b"}),
		finding("REP-005", "replication", true),
		object.union(finding("RB-002", "rollback", true), {"resource": "a"}),
		object.union(finding("RT-001", "runtime", true), {"step": "clean-up"}),
		finding("RB-002", "rollback", false),
	]
	results := steps.results(plan_steps, findings, 0)
	[[h.rule_id, h.resource, h.gate] | some h in results[1].held_by] == [
		["RB-002", "b", "move-producers"],
		["REP-005", "r", "replicate-back"],
		["RB-002", "a", "move-producers"],
	]
	[h.gate | some h in results[2].held_by] == ["move-producers", "replicate-back", "move-producers", "clean-up"]
}

test_the_first_step_gate_holds_every_step if {
	results := steps.results(plan_steps, [finding("REP-005", "replication", true)], 0)
	verdicts(results) == [["replicate-back", "no-go"], ["move-producers", "no-go"], ["clean-up", "no-go"]]
}

test_an_ungated_blocking_finding_holds_every_step if {
	results := steps.results(plan_steps, [finding("NET-002", "network", true)], 0)
	verdicts(results) == [["replicate-back", "no-go"], ["move-producers", "no-go"], ["clean-up", "no-go"]]
	results[0].held_by[0].gate == null
}

test_findings_below_fail_on_hold_nothing if {
	results := steps.results(plan_steps, [finding("NET-002", "network", false)], 0)
	verdicts(results) == [["replicate-back", "go"], ["move-producers", "go"], ["clean-up", "go"]]
}

test_doubtful_evidence_makes_every_unheld_step_indeterminate if {
	results := steps.results(plan_steps, [finding("RB-002", "rollback", true)], 1)
	verdicts(results) == [["replicate-back", "indeterminate"], ["move-producers", "no-go"], ["clean-up", "no-go"]]
}

# the aggregate decision: steps in the failback phase only, the selected step by name

base := {
	"phase": "failback",
	"now": 1700000000,
	"options": {"fail_on": "high"},
	"plan": {
		"families": {},
		"rollback": {"stop_point": null, "return_path": null},
		"failback_steps": plan_steps,
	},
	"primary": {"broker_config": {}, "cluster": {"kafka_version": "3.6.0", "kafka_minor": "3.6"}},
	"secondary": {"broker_config": {}, "cluster": {"kafka_version": "3.6.0", "kafka_minor": "3.6"}},
	"flows": {},
	"changes": [],
	"gaps": [],
}

test_decision_reports_each_step_in_failback if {
	# RB-001 (rollback area, high): the plan has no rollback point
	decision := main.decision with input as base
	decision.verdict == "no-go"
	verdicts(decision.steps) == [["replicate-back", "go"], ["move-producers", "no-go"], ["clean-up", "no-go"]]
	decision.step == null
}

test_decision_selects_the_asked_step if {
	decision := main.decision with input as object.union(base, {"step": "replicate-back"})
	decision.step.name == "replicate-back"
	decision.step.verdict == "go"
	decision.verdict == "no-go"
}

test_no_steps_outside_failback if {
	decision := main.decision with input as object.union(base, {"phase": "normal", "step": "clean-up"})
	decision.steps == []
	decision.step == null
}
