# METADATA
# title: Consumer authority
# description: |
#   Which region's consumer groups may read each topic family in the current phase
#   (phases.<phase>.consumer), judged from the consumer groups each region reports active
#   (facts.active_groups; the replication tools' own groups apart).
package failback.consumer_authority

import data.failback.lib

active(role, family) := object.get(active_by_family[role], family, [])

# role -> family -> its active consumer groups in the region (facts.active_groups): the rules
# iterate these, not the plan's every family.
active_by_family[role] := object.get(facts, "active_groups", {}) if {
	some role in lib.roles
	facts := input[role].facts # no region, no facts: none active
}

# The regions whose consumer groups must not read the family in the phase.
idle_regions(family, phase) := {lib.other_role(c)} if {
	c := lib.consumer(family, phase)
	c in {"primary", "secondary"}
}

idle_regions(family, phase) := {role | some role in lib.roles} if lib.consumer(family, phase) == "none"

allowed_readers(family, phase) := sprintf("only the %s's consumers", [c]) if {
	c := lib.consumer(family, phase)
	c in {"primary", "secondary"}
} else := "no region's consumers"

deny contains lib.finding_at(
	"CA-001", sprintf("%s on %s", [group, name]),
	sprintf(
		"Consumer group %s reads family %s in the %s, but %s may read it in the %s phase",
		[group, name, region, allowed_readers(name, phase), phase],
	),
	region, name,
) if {
	phase := input.phase
	some region in lib.roles
	some name, groups in active_by_family[region]
	lib.families[name]
	region in idle_regions(name, phase)
	some group in groups
	not group in active(lib.other_role(region), name)
}

deny contains lib.compare(
	lib.finding_at(
		"CA-002", sprintf("%s on %s", [group, name]),
		sprintf(
			concat("", [
				"Consumer group %s is active in both regions for family %s in the %s phase: records are ",
				"processed twice and offset sync skips groups active on the target",
			]),
			[group, name, phase],
		),
		null, name,
	),
	"active", "active",
) if {
	phase := input.phase
	some name, groups in active_by_family.primary
	lib.families[name]
	lib.consumer(name, phase) != "both"
	some group in groups
	group in active("secondary", name)
}
