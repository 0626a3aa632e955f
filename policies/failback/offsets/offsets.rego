# METADATA
# title: Consumer offsets
# description: |
#   Consumers must find their position after switching regions: offsets are synced by a
#   healthy flow in the right direction, or the family replays into idempotent sinks.
package failback.offsets

import data.failback.lib

synced_strategies := {"replicated", "translated"}

replay_strategies := {"idempotent-replay", "reset-to-timestamp"}

has_active_consumers(name) if {
	some role in lib.roles
	some group in input[role].consumer_groups
	group.active == true
	name in group.families
}

synced(name) if {
	some flow in lib.healthy_flows(name)
	flow.offset_sync == true
}

synced_between(name, source, target) if {
	some flow in lib.healthy_flows(name)
	flow.source == source
	flow.target == target
	flow.offset_sync == true
}

# Consumer groups of a family with active members in a region.
active_groups(name, role) := sort([id |
	some id, group in input[role].consumer_groups
	group.active == true
	name in group.families
])

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

deny contains lib.finding_at(
	"OFF-001", name,
	sprintf(
		"Family %s has active consumer groups and offset strategy %s, but no healthy flow carrying it syncs consumer offsets",
		[name, family.offset_strategy],
	),
	null, name,
) if {
	some name, family in input.plan.families
	family.offset_strategy in synced_strategies
	has_active_consumers(name)
	not synced(name)
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
	some name, family in input.plan.families
	family.offset_strategy in synced_strategies
	source := lib.single_writer(name, "dr_operation")
	target := lib.single_writer(name, "failback")
	source != target
	not synced_between(name, source, target)
}

deny contains lib.finding_at(
	"OFF-004", sprintf("%s -> %s", [name, sink.name]),
	sprintf(
		"Family %s uses offset strategy %s, which replays records, but its sink %s is not idempotent",
		[name, family.offset_strategy, sink.name],
	),
	null, name,
) if {
	some name, family in input.plan.families
	family.offset_strategy in replay_strategies
	some sink in family.sinks
	sink.idempotency == "not-idempotent"
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

# One family consumed in both regions at once: records are processed twice, and no replicator
# commits offsets for a group that is active on its target.
deny contains f if {
	some name, _ in input.plan.families
	not lib.consumer(name, input.phase) == "both"
	primary := active_groups(name, "primary")
	count(primary) > 0
	secondary := active_groups(name, "secondary")
	count(secondary) > 0
	f := lib.compare(
		lib.finding_at(
			"OFF-006", name,
			sprintf(
				"Family %s has active consumer groups in both regions in the %s phase (primary: %s; secondary: %s)",
				[name, input.phase, lib.abbreviate(primary, 5), lib.abbreviate(secondary, 5)],
			),
			null, name,
		),
		primary, secondary,
	)
}
