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

# A family's evidence for a phase, with defaults for anything the plan leaves out.
evidence_of(family, phase) := object.union(
	{"runbook": null, "rehearsed_epoch": null, "metrics": 0, "alerts": 0},
	object.get(object.get(families[family], "evidence", {}), phase, {}),
)

has_runbook(evidence) if {
	evidence.runbook != null
	evidence.runbook != ""
}

rehearsed_recently(evidence) if {
	evidence.rehearsed_epoch != null
	input.now - evidence.rehearsed_epoch <= max_age_days * 86400
}

monitored(evidence) if {
	evidence.metrics > 0
	evidence.alerts > 0
}

evidence_level(family, phase) := level_of(evidence_of(family, phase))

# The level of one evidence object (evidence_of): worked out once per scorecard cell.
level_of(evidence) := "unwritten" if {
	not has_runbook(evidence)
} else := "documented" if {
	not rehearsed_recently(evidence)
} else := "operationalized" if {
	monitored(evidence)
} else := "rehearsed"

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
record_reasons(evidence) := [reason |
	record := object.get(evidence, "record", null)
	record != null
	reason := record_reason(record)
]

record_reason(record) := sprintf("measured rehearsal: %s (step %s passed)", [record.path, record.step]) if {
	record.measured
} else := sprintf("rehearsal record %s does not count: step %s %s", [record.path, record.step, record.result])

# Whole days since the last rehearsal (never negative: sprintf %d of negatives differs between engines).
days_since(epoch) := floor(max([input.now - epoch, 0]) / 86400)

reasons_of(evidence, phase) := array.concat(
	array.concat(
		[sprintf("runbook: %s", [evidence.runbook]) | has_runbook(evidence)],
		[sprintf("no runbook for %s", [phase]) | not has_runbook(evidence)],
	),
	array.concat(
		array.concat(
			array.concat(
				[sprintf("last rehearsal %d days ago", [days_since(evidence.rehearsed_epoch)]) | evidence.rehearsed_epoch != null],
				record_reasons(evidence),
			),
			[sprintf("no rehearsal within %v days", [max_age_days]) | not rehearsed_recently(evidence)],
		),
		[sprintf("metrics: %d, alerts: %d", [evidence.metrics, evidence.alerts])],
	),
)

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
group_by_first(pairs) := {pairs[start][0]: {pair[1] | some pair in array.slice(pairs, start, ends[i])} |
	some i, start in starts
} if {
	starts := array.concat([0], [i | some i, pair in pairs; i > 0; pairs[i - 1][0] != pair[0]])
	ends := array.concat(array.slice(starts, 1, count(starts)), [count(pairs)])
}

blocking_ids(family, phase, index) := index.global | object.get(index.by_family, family, set()) if {
	phase == input.phase
} else := set()

level_after(level, ids) := lower_level[level] if {
	count(ids) > 0
} else := level

lowered_reasons(ids) := [sprintf("lowered by blocking findings: %s", [concat(", ", sort(ids))]) | count(ids) > 0]

next_step(level, ids, phase) := sprintf("write a runbook for %s", [phase]) if {
	level == "unwritten"
} else := sprintf("rehearse %s (none within %v days)", [phase, max_age_days]) if {
	level == "documented"
} else := "add metrics and alerts" if {
	level == "rehearsed"
} else := "resolve the blocking findings" if {
	count(ids) > 0
} else := ""

cell(family, phase, index) := {
	"family": family,
	"phase": phase,
	"level": level_after(level, ids),
	"evidence_level": level,
	"reasons": array.concat(reasons_of(evidence, phase), lowered_reasons(ids)),
	"next_step": next_step(level, ids, phase),
} if {
	evidence := evidence_of(family, phase)
	level := level_of(evidence)
	ids := blocking_ids(family, phase, index)
}

# One cell per family (by name) and phase (in phase order).
scorecard(findings) := [cell(family, phase, index) |
	some family in sort(object.keys(families))
	some phase in phases
] if {
	index := lowering(findings)
}
