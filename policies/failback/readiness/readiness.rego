# METADATA
# title: Operational readiness
# description: |
#   Evidence levels per family and phase (unwritten, documented, rehearsed,
#   operationalized), the scorecard main returns, and RDY-001 for tier-1 families.
package failback.readiness

import data.failback.catalog
import data.failback.lib

# The level one step down; unwritten stays unwritten.
lower_level := {
	"unwritten": "unwritten",
	"documented": "unwritten",
	"rehearsed": "documented",
	"operationalized": "rehearsed",
}

max_age_days := input.plan.evidence.rehearsal_max_age_days

# Functions below read these package rules, never an imported package's rules directly:
# regorus (0.13) leaves `lib.x` undefined inside a function body once another package has
# evaluated a rule of this one (main reads deny, then calls scorecard).
families := lib.families

phases := catalog.all_phases

# What a phase's evidence holds when the plan leaves it out.
evidence_defaults := {"runbook": null, "rehearsed_epoch": null, "record": null, "metrics": 0, "alerts": 0}

# The level from [has a runbook, rehearsed within the maximum age, has metrics and alerts]:
# a runbook makes it documented, a recent rehearsal rehearsed, monitoring operationalized.
levels := {
	[false, false, false]: "unwritten",
	[false, false, true]: "unwritten",
	[false, true, false]: "unwritten",
	[false, true, true]: "unwritten",
	[true, false, false]: "documented",
	[true, false, true]: "documented",
	[true, true, false]: "rehearsed",
	[true, true, true]: "operationalized",
}

max_age_seconds := max_age_days * 86400

no_rehearsal := sprintf("no rehearsal within %v days", [max_age_days])

# What a cell says that depends on its phase alone, worked out once per phase (not per cell):
# the missing runbook's reason and the next step for each unlowered evidence level.
phase_texts[phase] := {
	"no_runbook": sprintf("no runbook for %s", [phase]),
	"next_step": {
		"unwritten": sprintf("write a runbook for %s", [phase]),
		"documented": sprintf("rehearse %s (none within %v days)", [phase, max_age_days]),
		"rehearsed": "add metrics and alerts",
		"operationalized": "",
	},
} if {
	some phase in phases
}

# phase -> the evidence defaults, for every phase: object.union merges nested objects, so one
# call per declaration fills in what each phase's evidence leaves out (and the phases it
# leaves out).
phase_defaults[phase] := evidence_defaults if some phase in phases

# The families' names in scorecard order.
family_names := sort(object.keys(families))

# A family's evidence as the plan declares it (given_evidence fills in the rest).
declared_evidence(family) := object.get(family, "evidence", {})

# declared evidence -> that evidence for every phase, the defaults filled in, once per
# distinct declaration: families share theirs (10,000 families of a large plan declare a few
# dozen), so the rehearsal pairs and the cells are worked out once per declaration, not once
# per family. (A complete rule, as the lookup tables below.)
# regal ignore:prefer-set-or-object-rule
given_evidence := {declared: object.union(phase_defaults, declared) |
	some declared in {declared_evidence(family) | some family in families}
}

# The distinct [rehearsal epoch, rehearsal record] pairs of every family's evidence (families
# share their rehearsal dates, and most cite no record).
rehearsal_pairs contains [evidence.rehearsed_epoch, evidence.record] if {
	some given in given_evidence
	some evidence in given
}

# What a rehearsal epoch says, worked out once per distinct epoch instead of once per cell:
# whether it is within the maximum age, and the reason naming its whole days (never negative:
# sprintf %d of negatives differs between engines).
rehearsals[epoch] := {
	"recent": (input.now - epoch) <= max_age_seconds,
	"reason": sprintf("last rehearsal %d days ago", [floor(max([input.now - epoch, 0]) / 86400)]),
} if {
	some [epoch, _] in rehearsal_pairs
	epoch != null
}

# An absent rehearsal: never recent, no reason.
no_rehearsal_entry := {"recent": false}

# [rehearsal epoch, record] -> whether it is recent and the reasons a cell gives for it (its age,
# what the cited record shows, no rehearsal within the maximum age), once per distinct pair.
# (A complete rule, as the lookup tables below: OPA evaluates a partial rule anew for each key
# looked up.)
# regal ignore:prefer-set-or-object-rule
rehearsal_states := {[epoch, record]: {
	"recent": rehearsal.recent,
	"reasons": [reason |
		some part in [
			[days | days := rehearsal.reason],
			[record_reason(record) | record != null],
			[no_rehearsal | not rehearsal.recent],
		]
		some reason in part
	],
} |
	some [epoch, record] in rehearsal_pairs
	rehearsal := object.get(rehearsals, epoch, no_rehearsal_entry)
}

# [runbook is null, runbook is "", rehearsed recently, metrics > 0, alerts > 0] -> the cell's
# level (levels) and which runbook reason it gives: 0 for the runbook it names, when it counts,
# 1 for the phase's missing runbook. A cell's facts looked up as one key, without a
# comprehension per cell for each.
# regal ignore:prefer-set-or-object-rule
cell_states := {[no_runbook, empty_runbook, recent, metrics, alerts]: {
	"level": levels[[has_runbook, recent, monitored]],
	"runbook_reason": count([true | not has_runbook]),
} |
	some no_runbook in [true, false]
	some empty_runbook in [true, false]
	some recent in [true, false]
	some metrics in [true, false]
	some alerts in [true, false]
	has_runbook := [no_runbook, empty_runbook] == [false, false]
	monitored := [metrics, alerts] == [true, true]
}

# declared evidence -> the cells of a family declaring it, in phase order, but for the family's
# name: worked out once per distinct declaration (given_evidence), each in one comprehension
# without a function call per cell; a cell's level and rehearsal reasons are looked up
# (cell_states, rehearsal_states) instead of worked out with a comprehension each.
# regal ignore:prefer-set-or-object-rule
row_templates := {declared: [{
	"phase": phase,
	"level": state.level,
	"evidence_level": state.level,
	"reasons": array.concat(
		array.concat(
			# the runbook's reason: the first (runbook: ...) when it counts, else the second
			array.slice([sprintf("runbook: %s", [runbook]), texts.no_runbook], state.runbook_reason, state.runbook_reason + 1),
			rehearsal.reasons,
		),
		[sprintf("metrics: %d, alerts: %d", [evidence.metrics, evidence.alerts])],
	),
	"next_step": texts.next_step[state.level],
} |
	some phase in phases
	texts := phase_texts[phase]
	evidence := given[phase]
	runbook := evidence.runbook
	rehearsal := rehearsal_states[[evidence.rehearsed_epoch, evidence.record]]
	state := cell_states[[runbook == null, runbook == "", rehearsal.recent, evidence.metrics > 0, evidence.alerts > 0]]
] |
	some declared, given in given_evidence
}

# The evidence level of a family in a phase, before blocking findings lower it.
evidence_level(family, phase) := cell.evidence_level if {
	some cell in row_templates[declared_evidence(families[family])]
	cell.phase == phase
}

deny contains lib.finding_at(
	"RDY-001", sprintf("%s/%s", [name, input.phase]),
	sprintf("tier-1 family %s is only %s for %s: it needs a runbook rehearsed within %v days", [
		name, level, input.phase, max_age_days,
	]),
	null, name,
) if {
	some name, family in families
	family.tier == 1
	level := evidence_level(name, input.phase)
	level in {"unwritten", "documented"}
}

# A cited rehearsal record (failback watch): measured when its watch passed.
record_reason(record) := sprintf("measured rehearsal: %s (step %s passed)", [record.path, record.step]) if {
	record.measured
} else := sprintf("rehearsal record %s does not count: step %s %s", [record.path, record.step, record.result])

# Rule ids of blocking findings that lower a family's level: only in the phase being judged,
# and only findings about the family or about no family at all. RDY-001 is itself about the
# evidence level, so it does not lower the level a second time. The findings are indexed once
# per scorecard (not once per cell), and grouped by family from one sorted list (not one pass
# over the findings per family), so large estates stay linear: 10,000 families with a blocking
# finding each took 40 s with a pass per family.
lowering(findings) := {
	"global": {f.rule_id | some f in blocking; object.get(f, "family", null) == null},
	"by_family": group_by_first(sort({[f.family, f.rule_id] |
		some f in blocking
		object.get(f, "family", null) != null
	})),
} if {
	blocking := [f |
		some f in findings
		f.rule_id != "RDY-001"
		f.blocking == true # as object.get(f, "blocking", false) == true, without the call
	]
}

# {key: {values}} from [key, value] pairs sorted by key: each key's pairs are the slice from
# its first index to the next key's first index (0 starts the first key; none when empty).
# (Indices bound one at a time: regorus is slow on references such as pairs[i - 1][0].)
group_by_first(pairs) := {first[0]: {pair[1] | some pair in array.slice(pairs, start, end)} |
	some i, start in starts
	first := pairs[start]
	end := ends[i]
} if {
	starts := array.concat([0], [i |
		some i, pair in pairs
		i > 0
		previous := pairs[i - 1]
		previous[0] != pair[0]
	])
	ends := array.concat(array.slice(starts, 1, count(starts)), [count(pairs)])
}

# A template row (row_templates) of a family whose blocking findings have the rule ids `ids`:
# with none, the row itself; else with the judged phase's cell lowered one level by them (none
# when the judged phase is no phase of the scorecard): the lowered cell's reasons say which,
# and an operationalized family's next step is to resolve them (any other level keeps its own
# next step). Called once per distinct [declaration, ids] (scorecard), not once per family.
lowered_row(row, ids, _) := row if count(ids) == 0

lowered_row(row, ids, judged) := [lowered_cell(cell, ids, judged) | some cell in row] if count(ids) > 0

lowered_cell(cell, _, judged) := cell if cell.phase != judged

lowered_cell(cell, ids, judged) := {
	"phase": judged,
	"level": lower_level[cell.evidence_level],
	"evidence_level": cell.evidence_level,
	"reasons": array.concat(cell.reasons, [sprintf("lowered by blocking findings: %s", [concat(", ", sort(ids))])]),
	"next_step": object.get(lowered_next_steps, cell.evidence_level, cell.next_step),
} if {
	cell.phase == judged
}

# A lowered cell's next step when its own (next_step) is none: resolve what lowered it. (A
# rule, not a literal in lowered_cell: regorus builds a literal anew each time it is read.)
lowered_next_steps := {"operationalized": "resolve the blocking findings"}

# One cell per family (by name) and phase (in phase order): each family's row is the template
# of its [declaration, ids of its blocking findings] (lowered_row over row_templates, worked
# out once per distinct pair: families share both) with the family's name. Every cell of
# 10,000 families in one comprehension, without a function call per family or cell, and built
# once (no unlowered row to build first and lower after).
scorecard(findings) := [{
	"family": name,
	"phase": cell.phase,
	"level": cell.level,
	"evidence_level": cell.evidence_level,
	"reasons": cell.reasons,
	"next_step": cell.next_step,
} |
	some i, name in family_names
	some cell in templates[keys[i]]
] if {
	index := lowering(findings)
	keys := [[declared_evidence(families[name]), (index.global | object.get(index.by_family, name, set()))] |
		some name in family_names
	]
	templates := {key: lowered_row(row_templates[key[0]], key[1], input.phase) | some key in {k | some k in keys}}
}
