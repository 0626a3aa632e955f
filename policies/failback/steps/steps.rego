# METADATA
# title: Failback steps
# description: |
#   The ordered steps of failback (input.plan.failback_steps: the plan's own, or AWS's MSK
#   failback runbook) and whether each may start now. A step's gates name rule ids and areas;
#   a blocking finding holds the step when the step or an earlier one gates it, and a blocking
#   finding that no step gates holds every step (fail closed). A runtime gate's finding
#   (failback.runtime: RT-*) names the step it holds; a runtime-gated step whose evidence is
#   missing or unmeasurable is awaiting it: indeterminate, never go.
package failback.steps

gate_list(step, key) := object.get(object.get(step, "gates", {}), key, [])

gates(step, f) if f.rule_id in gate_list(step, "rules")

gates(step, f) if f.area in gate_list(step, "areas")

gates(step, f) if f.step == step.name

# What decides which steps gate a finding: its rule id, area and step (null when absent).
kind(f) := {
	"rule_id": object.get(f, "rule_id", null),
	"area": object.get(f, "area", null),
	"step": object.get(f, "step", null),
}

# The first step that gates a kind of finding: its index and name, in one pass over the steps.
first_gate(steps, k) := {"index": indexes[0], "gate": steps[indexes[0]].name} if {
	indexes := [j | some j, step in steps; gates(step, k)]
	count(indexes) > 0
} else := {"index": -1, "gate": null}

# Each blocking finding with the first step that gates it (-1 when none does), in the
# findings' order. The first gate is worked out once per kind of finding (`firsts`), not once
# per finding (10,000 families with a blocking finding each share one kind), and each
# finding's kind once.
gated_blocking(steps, findings) := [{"index": first.index, "held": {
	"rule_id": f.rule_id,
	"resource": f.resource,
	"region": f.region,
	"family": f.family,
	"gate": first.gate,
	"message": f.message,
}} |
	some pair in kinds
	f := pair[1]
	first := firsts[pair[0]]
] if {
	kinds := [[kind(f), f] | some f in findings; f.blocking]
	firsts := {k: first_gate(steps, k) | some k in {pair[0] | some pair in kinds}}
}

# The blocking findings that hold step i: gated by it or an earlier step, or by no step.
held(marked, i) := [m.held | some m in marked; m.index <= i]

step_verdict(blocking, doubtful) := "no-go" if {
	count(blocking) > 0
} else := "indeterminate" if {
	doubtful > 0
} else := "go"

# results(steps, findings, doubtful): one verdict per step, in order. `findings` are the
# decision's (waived and known ones never block), `doubtful` how many in-scope gaps and
# evidence-quality findings make the phase indeterminate.
results(steps, findings, doubtful) := results_awaiting(steps, findings, doubtful, {})

# results_awaiting: and `awaiting`, step name -> why its runtime gates cannot be judged yet
# (failback.runtime.awaiting): such a step is indeterminate unless a finding holds it.
results_awaiting(steps, findings, doubtful, awaiting) := list if {
	marked := gated_blocking(steps, findings)
	list := [{
		"name": step.name,
		"order": i + 1,
		"description": object.get(step, "description", ""),
		"gates": {
			"rules": gate_list(step, "rules"),
			"areas": gate_list(step, "areas"),
			"runtime": object.get(object.get(step, "gates", {}), "runtime", {}),
		},
		"verdict": step_verdict(blocking, doubtful + count(waiting)),
		"held_by": blocking,
		"awaiting": waiting,
	} |
		some i, step in steps
		blocking := held(marked, i)
		waiting := object.get(awaiting, step.name, [])
	]
}
