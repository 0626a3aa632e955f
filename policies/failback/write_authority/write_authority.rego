# METADATA
# title: Write authority
# description: |
#   Which region may accept producer writes for each topic family in the current phase,
#   judged from the effective write permissions normalisation computes with Kafka's
#   authorizer and IAM (facts.writers, replicators apart), and from how the plan says the
#   standby is fenced (fence: acl, prestaged or read-only-mirror).
package failback.write_authority

import data.failback.lib

# [{principal, topics, every_topic, why}] that can write the family in a region
writers(role, family) := object.get(writers_by_family[role], family, [])

# role -> family -> its writers in the region (facts.writers): rules that need a writer iterate
# these, not the plan's every family.
writers_by_family[role] := object.get(object.get(snapshot, "facts", {}), "writers", {}) if {
	some role in lib.roles
	snapshot := input[role]
}

# family -> how the plan fences its standby (lib.fence), worked out once per family for every rule.
# A complete rule, not a partial object rule: OPA evaluates a partial rule anew for each family
# the rules look up (10,000 families: 10.8 s -> 21 s for the whole decision).
# regal ignore:prefer-set-or-object-rule
fences := {name: lib.fence(name) | some name, _ in input.plan.families}

principals(role, family) := [w.principal | some w in writers(role, family)]

written_topics(role, family) := {t | some w in writers(role, family); some t in w.topics}

# What a writer can write, in words: the whole family, one topic, or the first few topics.
reach(w, family) := sprintf("every topic of family %s", [family]) if {
	w.every_topic
} else := sprintf("topic %s", [w.topics[0]]) if {
	count(w.topics) == 1
} else := sprintf("%d topics of family %s (%s%s)", [
	count(w.topics), family, concat(", ", array.slice(w.topics, 0, 5)),
	more(count(w.topics)),
])

more(n) := sprintf(", and %d more", [n - 5]) if {
	n > 5
} else := ""

# principal (what it can write; why)
describe(w, family) := sprintf("%s (%s; %s)", [w.principal, reach(w, family), concat("; ", w.why)])

described(role, family) := concat(", ", [describe(w, family) | some w in writers(role, family)])

non_empty(value) if {
	value != null
	value != ""
}

# What a prestaged fence leaves undeclared.
routing_missing(family) := [label |
	some key, label in {"routing_control": "routing control", "runbook": "routing runbook"}
	not non_empty(object.get(object.get(lib.families[family], "fence", {}), key, null))
]

mirrored(family, region) if {
	some flow in input.flows
	flow.active
	flow.tool == "cluster-linking"
	flow.target == region
	family in flow.families
}

fenced_by := {
	"prestaged": "client routing (fence: prestaged)",
	"read-only-mirror": "read-only mirror topics (fence: read-only-mirror)",
}

# The topics no family matches, internal ones left out (normalisation lists them: a rule
# reading every topic of both regions took 0.09 s on regorus, 0.6 s on OPA, for 50k a region).
unmatched_topics contains name if {
	some role in lib.roles
	some name in input[role].facts.unmatched_topics
}

# An input without the fact (built by hand, or by an earlier version) is read topic by topic.
unmatched_topics contains name if {
	some role in lib.roles
	not input[role].facts.unmatched_topics
	some name, topic in input[role].topics
	topic.family == null
	topic.internal == false
}

deny contains lib.compare(
	lib.finding_at(
		"WA-001", name,
		sprintf(
			concat("", [
				"Family %s can be written in both regions, but only the %s may write it in the %s phase; ",
				"in the %s: %s",
			]),
			[name, writer, phase, passive, described(passive, name)],
		),
		passive, name,
	),
	principals("primary", name), principals("secondary", name),
) if {
	phase := input.phase
	some name, _ in writers_by_family.primary # no topic written in both regions otherwise
	fences[name] == "acl"
	count(written_topics("primary", name) & written_topics("secondary", name)) > 0
	writer := lib.single_writer(name, phase)
	passive := lib.other_role(writer)
}

deny contains lib.finding_at(
	"WA-002", sprintf("%s on %s", [w.principal, name]),
	sprintf(
		"%s can write %s in the %s, which must not accept its producer writes in the %s phase (%s)",
		[w.principal, reach(w, name), region, phase, concat("; ", w.why)],
	),
	region, name,
) if {
	phase := input.phase
	some region in lib.roles
	some name, region_writers in writers_by_family[region]
	fences[name] == "acl"
	region in lib.passive_regions(name, phase)
	some w in region_writers
}

deny contains lib.finding_at(
	"WA-003", name,
	sprintf("The plan declares no writer region for family %s in the %s phase", [name, phase]),
	null, name,
) if {
	phase := input.phase
	some name, _ in input.plan.families
	not lib.judged_writers[name]
}

deny contains lib.finding(
	"WA-004", name,
	sprintf("Topic %s (in the %s) matches no topic family in the plan", [name, concat(" and ", seen_in)]),
) if {
	some name in unmatched_topics
	seen_in := [role | some role in lib.roles; input[role].topics[name]]
}

deny contains lib.finding_at(
	"WA-005", name,
	sprintf(
		concat("", [
			"The %s writes family %s in the %s phase, but no principal other than the replicators and ",
			"admin principals can write any of its topics there",
		]),
		[writer, name, phase],
	),
	writer, name,
) if {
	phase := input.phase
	some name, family in input.plan.families
	family.topic_count > 0
	writer := lib.judged_writers[name] # lib.single_writer(name, phase), without two calls per family
	writer in lib.single_roles
	count(writers(writer, name)) == 0
}

deny contains lib.finding_at(
	"WA-006", name,
	sprintf(
		"Family %s keeps producer grants in its standby (fence: prestaged), but the plan names no %s",
		[name, concat(" and no ", missing)],
	),
	null, name,
) if {
	some name, mode in fences
	mode == "prestaged"
	missing := routing_missing(name)
	count(missing) > 0
}

deny contains lib.finding_at(
	"WA-007", sprintf("%s on %s", [w.principal, name]),
	sprintf(
		concat("", [
			"%s can write %s in the %s, which does not accept its producer writes in the %s phase; ",
			"the plan fences it by %s (%s)",
		]),
		[w.principal, reach(w, name), region, phase, fenced, concat("; ", w.why)],
	),
	region, name,
) if {
	phase := input.phase
	some region in lib.roles
	some name, region_writers in writers_by_family[region]
	mode := fences[name]
	fenced := fenced_by[mode] # every fence but acl
	region in lib.passive_regions(name, phase)
	some w in region_writers
}

deny contains lib.finding_at(
	"WA-008", sprintf("%s in %s", [name, region]),
	sprintf(
		concat("", [
			"Family %s relies on read-only mirror topics in the %s (fence: read-only-mirror), ",
			"but no active cluster link mirrors it there in the %s phase",
		]),
		[name, region, phase],
	),
	region, name,
) if {
	phase := input.phase
	some name, mode in fences
	mode == "read-only-mirror"
	input.plan.families[name].topic_count > 0
	some region in lib.passive_regions(name, phase)
	not mirrored(name, region)
}

deny contains lib.finding_at(
	"WA-009", name,
	sprintf(
		concat("", [
			"Both regions write family %s in the %s phase, but the plan declares no conflict control ",
			"(conflict_control: keys-partitioned-by-region, tenant-split or idempotent-merge)",
		]),
		[name, phase],
	),
	null, name,
) if {
	phase := input.phase
	some name, writer in lib.judged_writers
	writer == "both"
	object.get(input.plan.families[name], "conflict_control", null) == null
}
