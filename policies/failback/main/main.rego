# METADATA
# title: Aggregate decision
# description: |
#   The one entrypoint, data.failback.main.decision: collects every area's findings,
#   applies the catalog (severity, phases, inputs), suppresses rules whose inputs have
#   evidence gaps, applies waivers and the baseline (failback.exceptions), and returns the
#   verdict, sorted findings and the readiness scorecard.
package failback.main

import data.failback.acl
import data.failback.audit
import data.failback.catalog
import data.failback.compatibility
import data.failback.cost
import data.failback.encryption
import data.failback.evidence
import data.failback.exceptions
import data.failback.network
import data.failback.offsets
import data.failback.readiness
import data.failback.replication
import data.failback.retention
import data.failback.rollback
import data.failback.topic_config
import data.failback.write_authority

severity_rank := {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

builtin_raw := union({
	acl.deny,
	audit.deny,
	compatibility.deny,
	cost.deny,
	encryption.deny,
	evidence.deny,
	exceptions.deny,
	network.deny,
	offsets.deny,
	readiness.deny,
	replication.deny,
	retention.deny,
	rollback.deny,
	topic_config.deny,
	write_authority.deny,
})

# Areas with a gap, in scope or not: rules reading them are not judged.
gapped_areas contains gap.area if {
	some gap in input.gaps
}

# A rule is suppressed when a snapshot area it reads has a gap; only in-scope gaps make
# the verdict indeterminate (out-of-scope areas are declared "not judged" by the plan).
suppressed(rule) if {
	some area in catalog.rules[rule].inputs
	area in gapped_areas
}

applies(rule) if input.phase in catalog.rules[rule].phases

builtin contains object.union(f, {
	"area": entry.area,
	"severity": entry.severity,
	"title": entry.title,
	"remediation": entry.remediation,
	"blocking": blocks(entry.severity, f.rule_id),
}) if {
	some f in builtin_raw
	applies(f.rule_id)
	not suppressed(f.rule_id)
	entry := catalog.rules[f.rule_id]
}

# Findings of the user's own packages (data.failback.custom.<name>.deny) carry their own metadata.
custom contains object.union(
	{
		"area": "custom", "severity": "medium", "title": f.rule_id, "remediation": "",
		"region": null, "family": null, "primary": null, "secondary": null,
	},
	object.union(f, {"blocking": blocks(object.get(f, "severity", "medium"), f.rule_id)}),
) if {
	# Reference iteration on purpose: it evaluates only each package's deny, where
	# `some pkg in data.failback.custom` would evaluate every rule of the user's packages.
	f := data.failback.custom[_].deny[_]
}

# Evidence gaps never block: they make the verdict indeterminate.
default blocks(_, _) := false

blocks(severity, rule_id) if {
	rule_id != "EVD-001"
	severity_rank[severity] >= severity_rank[input.options.fail_on]
}

all_findings := builtin | custom

sort_key(f) := sprintf("%d|%s|%v|%v|%v|%v", [
	4 - severity_rank[f.severity], f.rule_id, f.region, f.family, f.resource, f.message,
])

sorted_findings := [pair[1] | some pair in sort({[sort_key(f), f] | some f in all_findings})]

# Waived and known findings keep their place but never block. Only the exceptions say
# whether a finding is waived or known, whatever fields a custom rule returned.
findings := [object.union(object.remove(f, ["waived", "known"]), exceptions.status(f)) |
	some f in sorted_findings
]

blocking_count := count([f | some f in findings; f.blocking])

gap_pairs := sort({[sprintf("%s|%s|%s", [gap.region, gap.area, gap.reason]), gap] | some gap in input.gaps})

in_scope_gap_count := count([g | some g in input.gaps; g.in_scope])

default verdict := "go"

verdict := "no-go" if {
	blocking_count > 0
} else := "indeterminate" if {
	in_scope_gap_count > 0
}

summary[severity] := count([f | some f in findings; f.severity == severity]) if {
	some severity, _ in severity_rank
}

# METADATA
# description: The decision for input.phase; the only rule the checker queries.
# entrypoint: true
decision := object.union(
	{
		"phase": input.phase,
		"verdict": verdict,
		"fail_on": input.options.fail_on,
		"findings": findings,
		"gaps": [pair[1] | some pair in gap_pairs],
		"summary": summary,
		"scorecard": readiness.scorecard(findings),
	},
	exceptions.report,
)
