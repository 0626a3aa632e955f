# METADATA
# title: Consumer offsets
# description: |
#   Consumers must find their position after switching regions: offsets are synced by a
#   healthy flow in the right direction, or the family replays into idempotent sinks.
package failback.offsets

import data.failback.lib

synced_strategies := {"replicated", "translated"}

# Why each strategy delivers some records twice: every offset sync is approximate and
# at-least-once (MSK Replicator, MirrorMaker 2 checkpoints, cluster links alike).
duplicates := {
	"idempotent-replay": "replays records",
	"reset-to-timestamp": "replays records",
	"replicated": "resumes from synced offsets, which are at-least-once",
	"translated": "resumes from translated offsets, which are approximate and at-least-once",
}

synced_between(name, source, target) if [name, source, target] in offset_syncs

# [family, source, target] for each family a healthy flow carries from `source` to `target`
# syncing consumer offsets (gathered once, not once per family).
offset_syncs contains [name, flow.source, flow.target] if {
	some flow in input.flows
	flow.healthy
	flow.offset_sync == true
	some name in flow.families
}

# The plan says both regions consume the family in the phase. (A rule, not an inline
# `not lib.consumer(...) == "both"`: OPA and regorus disagree on a negated comparison whose
# function call is undefined.)
consumed_in_both(name, phase) if lib.consumer(name, phase) == "both"

# Consumer groups of a family with active members in a region.
active_groups(name, role) := object.get(active_groups_by_family[role], name, [])

# role -> family -> its active consumer groups (sorted): worked out once per region, not
# once per family (a pass over every group of the region for each family).
active_groups_by_family[role] := {name: sort(ids) |
	some name in {family | some group in groups; some family in group.families}
	ids := [id | some id, group in groups; name in group.families]
} if {
	some role in lib.roles
	groups := active[role]
}

active[role] := {id: group |
	some id, group in consumer_groups
	group.active == true
} if {
	some role in lib.roles
	consumer_groups := input[role].consumer_groups
}

# An active MSK Replicator flow with IDENTICAL names from the flow's target back to its source.
has_reverse_leg(flow) if {
	some key in flow.reverse_flows
	other := input.flows[key]
	other.tool == "msk-replicator"
	other.naming == "identical"
}

enhanced_unpaired(flow) := "its topic names are prefixed, and ENHANCED needs IDENTICAL names" if {
	flow.naming != "identical"
} else := sprintf(
	"no active MSK Replicator with IDENTICAL names runs from the %s back to the %s",
	[flow.target, flow.source],
) if {
	not has_reverse_leg(flow)
}

# Offsets of a group consumed in `role` reach the other region only through a healthy flow
# from `role` that syncs them, and only while the group has no active member there.
deny contains lib.finding_at(
	"OFF-001", name,
	sprintf(
		concat(" ", [
			"Family %s has active consumer groups in the %s and offset strategy %s, but no healthy flow",
			"from the %s to the %s carrying it syncs consumer offsets",
		]),
		[name, role, family.offset_strategy, role, lib.other_role(role)],
	),
	role, name,
) if {
	some role in lib.roles
	some name, groups in active_groups_by_family[role]
	count(groups) > 0
	family := input.plan.families[name]
	family.offset_strategy in synced_strategies
	not synced_between(name, role, lib.other_role(role))
}

# Groups active in both regions while the plan says the family is consumed in both: no
# replicator commits offsets for a group that is active on its target (CA-002 judges the
# same groups when the plan names one consuming region).
deny contains lib.finding_at(
	"OFF-001", name,
	sprintf(
		concat(" ", [
			"Family %s has offset strategy %s, but consumer groups %s are active in both regions: no",
			"replicator commits offsets for a group active on its target",
		]),
		[name, family.offset_strategy, lib.abbreviate(groups, 5)],
	),
	null, name,
) if {
	some name, primary_groups in active_groups_by_family.primary # none active in both otherwise
	family := input.plan.families[name]
	family.offset_strategy in synced_strategies
	consumed_in_both(name, input.phase)
	groups := [id | some id in primary_groups; id in active_groups(name, "secondary")]
	count(groups) > 0
}

deny contains lib.finding_at(
	"OFF-002", flow.name,
	sprintf(
		"MSK Replicator flow %s from the %s to the %s syncs offsets in LEGACY mode, which does not support failback",
		[flow.name, flow.source, flow.target],
	),
	flow.target, null,
) if {
	some flow in input.flows
	flow.active == true
	flow.tool == "msk-replicator"
	flow.offset_sync == true
	flow.offset_sync_mode == "LEGACY"
}

deny contains lib.finding_at(
	"OFF-003", name,
	sprintf(
		"No healthy flow from the %s (DR-operation writer) to the %s (failback writer) syncs consumer offsets for family %s",
		[source, target, name],
	),
	target, name,
) if {
	some name, direction in lib.failback_directions # only the families that have one
	family := input.plan.families[name]
	family.offset_strategy in synced_strategies
	source := direction[0]
	target := direction[1]
	not [name, source, target] in offset_syncs # synced_between, without a call per family
}

deny contains lib.finding_at(
	"OFF-004", sprintf("%s -> %s", [name, sink.name]),
	sprintf(
		"Family %s uses offset strategy %s, which %s, but its sink %s is not idempotent",
		[name, family.offset_strategy, duplicates[family.offset_strategy], sink.name],
	),
	null, name,
) if {
	some name, family in input.plan.families
	some sink in family.sinks
	sink.idempotency == "not-idempotent"
	duplicates[family.offset_strategy]
}

deny contains lib.finding_at(
	"OFF-005", flow.name,
	sprintf(
		"MSK Replicator flow %s from the %s to the %s syncs offsets in ENHANCED mode, but %s",
		[flow.name, flow.source, flow.target, reason],
	),
	flow.target, null,
) if {
	some flow in input.flows
	flow.active == true
	flow.tool == "msk-replicator"
	flow.offset_sync == true
	flow.offset_sync_mode == "ENHANCED"
	reason := enhanced_unpaired(flow)
}

deny contains lib.finding_at(
	"OFF-007", name,
	sprintf("Tier-1 family %s declares no offset_strategy: nobody has decided where its consumers resume", [name]),
	null, name,
) if {
	some name, family in input.plan.families
	family.tier == 1
	object.get(family, "offset_strategy", null) == null
}
