# METADATA
# title: Replication flows
# description: |
#   Replication flows (MSK Replicator, MirrorMaker 2, cluster links) must not write into the
#   active writer, must not loop, must carry tier-1 families, and the failback catch-up flow
#   must be gone by cleanup. The documented bidirectional MSK Replicator setup (a pair of
#   IDENTICAL-name replicators, one each way: input.replication[family].pair) is loop-safe,
#   and with ENHANCED offset sync its reverse leg stays.
package failback.replication

import data.failback.lib

active(flow) if flow.active == true

identical(flow) if flow.naming == "identical"

# Loop prevention from the replication model: header | prefix | declared | none.
unprotected(flow) if flow.loop_prevention == "none"

# The flow is a leg of the documented bidirectional MSK Replicator pair for the family.
paired(flow, name) if name in flow.paired_families

# ... and a leg of that pair syncs offsets ENHANCED, which requires the reverse leg.
enhanced_pair(flow, name) if {
	paired(flow, name)
	input.replication[name].enhanced == true
}

reads_committed(flow) if flow.consumer_isolation == "read_committed"

# How a flow's source consumer reads, for messages.
isolation_text(flow) := flow.consumer_isolation if {
	is_string(flow.consumer_isolation)
} else := "an undeclared isolation level (MirrorMaker 2's default is read_uncommitted)"

# Families an identical-name flow carries from the DR-operation writer that no longer writes in
# cleanup (a prefixed flow writes remote topics of its own: the standing bidirectional setup).
catch_up_families(flow) := {name |
	identical(flow)
	some name in flow.families
	flow.source == lib.single_writer(name, "dr_operation")
	flow.source != lib.single_writer(name, "cleanup")
	not enhanced_pair(flow, name)
}

deny contains lib.finding_at(
	"REP-001", flow.name,
	sprintf(
		"Flow %s replicates family %s with identical topic names into the %s, the family's only writer in the %s phase",
		[flow.name, name, flow.target, phase],
	),
	flow.target, name,
) if {
	phase := input.phase
	some flow in input.flows
	active(flow)
	identical(flow)
	some name in flow.families
	lib.single_writer(name, phase) == flow.target
	not paired(flow, name)
}

# One finding per unordered pair of flows (flow keys break ties between equal names).
deny contains lib.finding_at(
	"REP-002", sprintf("%s <-> %s", names),
	sprintf(
		concat(" ", [
			"Flows %s and %s replicate family %s in both directions between the %s and the %s",
			"with identical topic names and no loop protection",
		]),
		[names[0], names[1], name, a.source, a.target],
	),
	null, name,
) if {
	some key_a, a in input.flows
	some key_b, b in input.flows
	key_a < key_b
	active(a)
	active(b)
	a.source == b.target
	a.target == b.source
	identical(a)
	identical(b)
	unprotected(a)
	unprotected(b)
	some name in a.families
	name in b.families
	names := sort([a.name, b.name])
}

deny contains lib.finding_at(
	"REP-003", name,
	sprintf("Tier-1 family %s is carried by no healthy replication flow", [name]),
	null, name,
) if {
	some name, family in input.plan.families
	family.tier == 1
	family.topic_count > 0
	count(lib.healthy_flows(name)) == 0
}

deny contains lib.finding_at(
	"REP-004", flow.name,
	sprintf(
		"Flow %s still replicates %s from the %s (the DR-operation writer) to the %s in the %s phase",
		[flow.name, concat(", ", sort(families)), flow.source, flow.target, input.phase],
	),
	flow.target, null,
) if {
	some flow in input.flows
	active(flow)
	families := catch_up_families(flow)
	count(families) > 0
}

# The failback reverse flow must start from the beginning of the topics, or what the DR writer
# took before the flow (or a topic) existed never comes back.
deny contains lib.finding_at(
	"REP-005", flow.name,
	sprintf(
		concat(" ", [
			"Flow %s carries %s back from the %s (the DR-operation writer) to the %s starting at LATEST:",
			"records written before it started never come back",
		]),
		[flow.name, concat(", ", sort(families)), flow.source, flow.target],
	),
	flow.target, null,
) if {
	some flow in input.flows
	active(flow)
	flow.starting_position == "LATEST"
	families := {name |
		some name in flow.families
		lib.failback_direction(name) == [flow.source, flow.target]
	}
	count(families) > 0
}

# Coverage per topic: every topic of the family in the region that writes it must reach the
# region that writes next, not "one topic carried, so the family is replicated".
deny contains f if {
	phase := input.phase
	some name, _ in input.plan.families
	name in lib.replicated_families
	direction := lib.switch_direction(name, phase)
	model := lib.direction_model(name, direction[0], direction[1])
	missing := model.uncarried
	count(missing) > 0
	f := lib.finding_at(
		"REP-006", name,
		sprintf(
			"%d of the %d topics of family %s in the %s reach the %s through no active flow: %s",
			[count(missing), model.source_topics, name, direction[0], direction[1], lib.abbreviate(missing, 10)],
		),
		direction[1], name,
	)
}

# MirrorMaker 2's source consumer reads read_uncommitted unless told otherwise: records of
# aborted and open transactions are replicated (KAFKA-14021).
deny contains lib.finding_at(
	"REP-007", flow.name,
	sprintf(
		concat(" ", [
			"MirrorMaker 2 flow %s carries transactional %s but its source consumer reads %s:",
			"aborted and uncommitted transactions are replicated",
		]),
		[flow.name, concat(", ", sort(families)), isolation_text(flow)],
	),
	flow.target, null,
) if {
	some flow in input.flows
	active(flow)
	flow.tool == "mirrormaker2"
	not reads_committed(flow)
	families := {name | some name in flow.families; input.plan.families[name].transactional == true}
	count(families) > 0
}
