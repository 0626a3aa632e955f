# METADATA
# title: Write authority
# description: |
#   Which region may accept producer writes for each topic family in the current phase,
#   judged from the producers' write grants (facts.producers, replicators excluded).
package failback.write_authority

import data.failback.lib

producers(role, family) := input[role].facts.producers[family]

writes(role, family) if count(producers(role, family)) > 0

unmatched_topics contains name if {
	some role in lib.roles
	some name, topic in input[role].topics
	topic.family == null
	topic.internal == false
}

deny contains lib.compare(
	lib.finding_at(
		"WA-001", name,
		sprintf(
			"Family %s can be written by producers in both regions, but only the %s may write it in the %s phase",
			[name, writer, phase],
		),
		lib.other_role(writer), name,
	),
	producers("primary", name), producers("secondary", name),
) if {
	phase := input.phase
	some name, _ in input.plan.families
	writes("primary", name)
	writes("secondary", name)
	writer := lib.single_writer(name, phase)
}

deny contains lib.finding_at(
	"WA-002", sprintf("%s on %s", [principal, name]),
	sprintf(
		"%s can write family %s in the %s, which must not accept its producer writes in the %s phase",
		[principal, name, region, phase],
	),
	region, name,
) if {
	phase := input.phase
	some name, _ in input.plan.families
	some region in lib.passive_regions(name, phase)
	some principal in producers(region, name)
}

deny contains lib.finding_at(
	"WA-003", name,
	sprintf("The plan declares no writer region for family %s in the %s phase", [name, phase]),
	null, name,
) if {
	phase := input.phase
	some name, _ in input.plan.families
	not lib.writer(name, phase)
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
		"The %s writes family %s in the %s phase but grants no producer write access to it",
		[writer, name, phase],
	),
	writer, name,
) if {
	phase := input.phase
	some name, family in input.plan.families
	family.topic_count > 0
	writer := lib.single_writer(name, phase)
	not writes(writer, name)
}
