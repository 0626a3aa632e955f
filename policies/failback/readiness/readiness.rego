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

# What a rehearsal epoch says, worked out once per distinct epoch (families share their
# rehearsal dates) instead of once per cell: whether it is within the maximum age, and the
# reason naming its whole days (never negative: sprintf %d of negatives differs between engines).
rehearsals[epoch] := {
	"recent": (input.now - epoch) <= max_age_seconds,
	"reason": sprintf("last rehearsal %d days ago", [floor(max([input.now - epoch, 0]) / 86400)]),
} if {
	some epoch in {evidence.rehearsed_epoch |
		some family in families
		some evidence in object.get(family, "evidence", {})
	}
	epoch != null
}

# An absent rehearsal: never recent, no reason.
no_rehearsal_entry := {"recent": false}

# family -> phase -> its scorecard cell before blocking findings lower it (scorecard): every
# cell of 10,000 families in one comprehension, without a function call per cell (regorus
# spent some 75 µs a cell on a dozen small calls).
unlowered_cells[name] := {phase: {
	"family": name,
	"phase": phase,
	"level": level,
	"evidence_level": level,
	"reasons": [reason |
		some part in [
			[sprintf("runbook: %s", [evidence.runbook]) | has_runbook],
			[texts.no_runbook | not has_runbook],
			[days | days := rehearsal.reason],
			[record_reason(evidence.record) | evidence.record != null],
			[no_rehearsal | not rehearsal.recent],
			[sprintf("metrics: %d, alerts: %d", [evidence.metrics, evidence.alerts])],
		]
		some reason in part
	],
	"next_step": next_steps[level],
} |
	some phase, texts in phase_texts
	evidence := object.union(evidence_defaults, object.get(given, phase, {}))
	has_runbook := [true | not evidence.runbook in {null, ""}] == [true]
	rehearsal := object.get(rehearsals, evidence.rehearsed_epoch, no_rehearsal_entry)
	level := levels[[has_runbook, rehearsal.recent, [true | evidence.metrics > 0; evidence.alerts > 0] == [true]]]
	next_steps := texts.next_step
} if {
	some name, family in families
	given := object.get(family, "evidence", {})
}

# The evidence level of a family in a phase, before blocking findings lower it.
evidence_level(family, phase) := cell.evidence_level if {
	row := unlowered_cells[family]
	cell := row[phase]
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
		object.get(f, "blocking", false) == true
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

# family -> its cells (phase -> cell) with the judged phase's cell lowered one level by the
# rule ids of its blocking findings (ids), for the families that such findings lower: the
# lowered cell's reasons say which, and an operationalized family's next step is to resolve
# them (any other level keeps its own next step). Built in one comprehension, without a call
# per family.
lowered_rows(rows, index, judged) := {name: object.union(row, {judged: {
	"family": name,
	"phase": judged,
	"level": lower_level[cell.evidence_level],
	"evidence_level": cell.evidence_level,
	"reasons": array.concat(cell.reasons, [sprintf("lowered by blocking findings: %s", [concat(", ", sort(ids))])]),
	"next_step": object.get({"operationalized": "resolve the blocking findings"}, cell.evidence_level, cell.next_step),
}}) |
	some name, row in rows
	ids := index.global | object.get(index.by_family, name, set())
	count(ids) > 0
	cell := row[judged] # none when the judged phase is no phase of the scorecard
}

# One cell per family (by name) and phase (in phase order).
scorecard(findings) := [cell |
	some name in sort(object.keys(families))
	row := object.get(lowered, name, unlowered_cells[name])
	some phase in phases
	cell := row[phase]
] if {
	lowered := lowered_rows(unlowered_cells, lowering(findings), input.phase)
}
