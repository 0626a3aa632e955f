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
import data.failback.consumer_authority
import data.failback.cost
import data.failback.encryption
import data.failback.evidence
import data.failback.exceptions
import data.failback.network
import data.failback.offsets
import data.failback.outage
import data.failback.readiness
import data.failback.replication
import data.failback.retention
import data.failback.rollback
import data.failback.runtime
import data.failback.schemas
import data.failback.steps
import data.failback.topic_config
import data.failback.write_authority

severity_rank := {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

builtin_raw := union({
	acl.deny,
	audit.deny,
	compatibility.deny,
	consumer_authority.deny,
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
	runtime.deny,
	schemas.deny,
	topic_config.deny,
	write_authority.deny,
})

# Areas with a gap, in scope or not: rules reading them are not judged. In an outage the
# impaired region's gaps do not silence rules for the healthy region (failback.outage decides
# which rules they leave unjudged).
gapped_areas contains gap.area if {
	some gap in input.gaps
	not outage.excused_gap(gap)
}

# A rule is suppressed when a snapshot area it reads has a gap; only in-scope gaps make
# the verdict indeterminate (out-of-scope areas are declared "not judged" by the plan).
suppressed(rule) if {
	some area in catalog.rules[rule].inputs
	area in gapped_areas
}

applies(rule) if input.phase in catalog.rules[rule].phases

builtin contains object.union(f, fields) if {
	not outage.declared # first: without an outage, no finding is about an impaired region
	some f in builtin_raw
	fields := judged_rule_fields[f.rule_id]
}

builtin contains object.union(f, fields) if {
	outage.declared
	some f in builtin_raw
	not outage.about_impaired(f)
	fields := judged_rule_fields[f.rule_id]
}

# What main adds to the findings of each rule that fired, is judged and that an outage does
# not leave unjudged (failback.outage: the whole rule here, a finding about the impaired
# region in builtin): worked out once per rule, not once per finding.
judged_rule_fields[rule_id] := {
	"area": entry.area,
	"severity": entry.severity,
	"title": entry.title,
	"remediation": entry.remediation,
	"blocking": blocks(entry.severity, rule_id),
} if {
	some rule_id in {f.rule_id | some f in builtin_raw}
	applies(rule_id)
	not suppressed(rule_id)
	not outage.not_judged[rule_id]
	entry := catalog.rules[rule_id]
}

# What the outage left unjudged: every rule it sets aside that applies to the phase (whether
# or not it would fire), and each finding about the impaired region.
not_judgeable_entries contains {
	"rule_id": rule,
	"title": entry.title,
	"region": null,
	"resource": null,
	"message": null,
	"reason": reason,
} if {
	some rule, reason in outage.not_judged # first: without an outage, nothing to look at
	entry := catalog.rules[rule]
	applies(rule)
	not suppressed(rule)
}

not_judgeable_entries contains {
	"rule_id": f.rule_id,
	"title": catalog.rules[f.rule_id].title,
	"region": f.region,
	"resource": f.resource,
	"message": f.message,
	"reason": sprintf("about the impaired %s", [f.region]),
} if {
	outage.declared # first: without an outage no finding is about an impaired region
	some f in builtin_raw
	outage.about_impaired(f)
	judged_rule_fields[f.rule_id] # judged, and the outage does not set the whole rule aside
}

not_judgeable := [pair[1] |
	some pair in sort({[sprintf("%s|%v|%v", [e.rule_id, e.region, e.resource]), e] | some e in not_judgeable_entries})
]

# Findings of the user's own packages (data.failback.custom.<name>.deny) carry their own metadata.
custom contains object.union(
	{
		"area": "custom", "severity": "medium", "title": f.rule_id, "remediation": "",
		"region": null, "family": null, "primary": null, "secondary": null,
	},
	object.union(f, {"severity": severity, "blocking": blocks(severity, f.rule_id)}),
) if {
	# Reference iteration on purpose: it evaluates only each package's deny, where
	# `some pkg in data.failback.custom` would evaluate every rule of the user's packages.
	f := data.failback.custom[_].deny[_]
	severity := custom_severity(f)
}

# Custom findings the decision cannot judge: the checker refuses the run (exit 3) when this
# is not empty, instead of dropping them. rule_id, resource and message are required
# non-empty strings; severity is optional (medium) and case-insensitive.
invalid_custom contains invalid_finding(name, f, "not_an_object", null, null) if {
	some name
	f := data.failback.custom[name].deny[_]
	not is_object(f)
}

invalid_custom contains invalid_finding(name, f, "missing", key, null) if {
	some name
	f := data.failback.custom[name].deny[_]
	is_object(f)
	some key in ["rule_id", "resource", "message"]
	not non_empty_string(object.get(f, key, null))
}

invalid_custom contains invalid_finding(name, f, "unknown_severity", "severity", f.severity) if {
	some name
	f := data.failback.custom[name].deny[_]
	is_object(f)
	not known_severity(object.get(f, "severity", "medium"))
}

invalid_custom contains invalid_finding(name, f, "builtin_rule_id", "rule_id", f.rule_id) if {
	some name
	f := data.failback.custom[name].deny[_]
	is_object(f)
	catalog.rules[f.rule_id]
}

invalid_finding(name, f, problem, key, value) := {
	"package": concat(".", ["failback.custom", name]),
	"rule_id": custom_rule_id(f),
	"problem": problem,
	"field": key,
	"value": value,
}

custom_severity(f) := lower(severity) if {
	is_object(f)
	severity := object.get(f, "severity", "medium")
	is_string(severity)
}

default custom_rule_id(_) := null

custom_rule_id(f) := f.rule_id if non_empty_string(f.rule_id)

non_empty_string(value) if {
	is_string(value)
	value != ""
}

known_severity(severity) if {
	is_string(severity)
	severity_rank[lower(severity)]
}

# Evidence-quality rules (the catalog's indeterminate: true: gaps, skewed or stale snapshots)
# never block: they make the verdict indeterminate.
evidence_quality(rule_id) if catalog.rules[rule_id].indeterminate == true

default blocks(_, _) := false

blocks(severity, rule_id) if {
	not evidence_quality(rule_id)
	severity_rank[severity] >= severity_rank[input.options.fail_on]
}

all_findings := builtin | custom

sort_key(f) := sprintf("%d|%s|%v|%v|%v|%v", [
	4 - severity_rank[f.severity], f.rule_id, f.region, f.family, f.resource, f.message,
])

sorted_findings := [pair[1] | some pair in sort({[sort_key(f), f] | some f in all_findings})]

# Waived and known findings keep their place but never block. Only the exceptions say
# whether a finding is waived or known, whatever fields a custom rule returned.
findings := [object.remove(f, ["waived", "known"]) | some f in sorted_findings] if {
	exceptions.none_given # no finding's status to work out
} else := [object.union(object.remove(f, ["waived", "known"]), exceptions.status(f)) |
	some f in sorted_findings
]

blocking_count := count([f | some f in findings; f.blocking])

gap_pairs := sort({[sprintf("%s|%s|%s", [gap.region, gap.area, gap.reason]), gap] | some gap in input.gaps})

in_scope_gap_count := count([g |
	some g in input.gaps
	g.in_scope
	not outage.excused_gap(g)
])

# Counted before the exceptions: a waiver or the baseline never makes doubtful evidence a go.
doubtful_evidence_count := count([f | some f in builtin; f.rule_id in evidence_quality_rules])

# The rule ids evidence_quality holds for, gathered once (not a call per finding).
evidence_quality_rules contains rule_id if {
	some rule_id, _ in catalog.rules
	evidence_quality(rule_id)
}

default verdict := "go"

verdict := "no-go" if {
	blocking_count > 0
} else := "indeterminate" if {
	in_scope_gap_count + doubtful_evidence_count > 0
}

# The failback steps and whether each may start now (failback.steps); judged in the failback
# phase only.
default step_results := []

step_results := steps.results_awaiting(
	object.get(input.plan, "failback_steps", []),
	findings,
	in_scope_gap_count + doubtful_evidence_count,
	runtime.awaiting,
) if {
	input.phase == "failback"
}

# The step `failback check --step NAME` asks about, or null.
default selected_step := null

selected_step := step if {
	some step in step_results
	step.name == input.step
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
		"steps": step_results,
		"step": selected_step,
		"outage": object.get(input, "outage", null),
		"not_judgeable": not_judgeable,
	},
	exceptions.report,
)
