# METADATA
# title: Client compatibility
# description: |
#   Differences clients notice after switching regions: Kafka version, transactional-id
#   grants, client quotas and Kafka Connect internal topics.
package failback.compatibility

import data.failback.lib

non_empty(value) if {
	value != null
	value != ""
}

# [family, region] for every transactional family and each region that writes it in the phase.
transactional_writers contains [name, role] if {
	some name, family in lib.families
	family.transactional == true
	role := lib.single_writer(name, input.phase)
}

transactional_writers contains [name, role] if {
	some name, family in lib.families
	family.transactional == true
	lib.writer(name, input.phase) == "both"
	some role in lib.roles
}

# {allowed, missing}: what normalisation found for a transactional family's producer
transactional(role, producer) := object.get(
	object.get(input[role].facts, "transactional", {}),
	producer,
	{"allowed": false, "missing": ["transactional-id grants (not evaluated)"]},
)

quota_keys contains change.key if {
	some change in input.changes
	change.area == "quotas"
}

quota_of(role, key) := object.get(object.get(input[role], "quotas", {}), key, null)

# The message depends on the key only, so several leaf changes of one quota collapse into one finding.
quota_message(key) := sprintf("client quota %s exists only in the primary", [key]) if {
	quota_of("secondary", key) == null
} else := sprintf("client quota %s exists only in the secondary", [key]) if {
	quota_of("primary", key) == null
} else := sprintf("client quota %s differs between the regions", [key])

# [topic, [source, target]] for each internal topic an active flow carries from `source` to
# `target` (gathered once, not once per family and topic).
carried contains [topic, [flow.source, flow.target]] if {
	some flow in input.flows
	flow.active == true
	some topic in object.get(flow, "internal_topics", [])
}

# Where the connectors' state must flow in the judged phase, for a family's phases declaration:
# in from the previous phase's writer when the phase moved them, and out of the region the
# connectors run in (the phase's writer) toward the next region that writes. In failover the
# way back is not asked yet: as for the data (REP-006, OFF-003), it is built during DR
# operation, while the region left may be down. Worked out once per distinct declaration
# (families share a few), not once per family.
connect_directions[declared] := way_back(writers, input.phase) | {d | d := lib.last_switch(writers, input.phase)} if {
	some declared in {family.phases | some family in lib.families}
	writers := lib.single_writers_in(declared)
}

way_back(writers, phase) := {d | d := lib.next_switch(writers, phase)} if phase != "failover"

way_back(_, "failover") := set()

# The internal topics an active flow carries every way some family's connectors' state must
# flow (connect_directions): no family misses them, so CMP-004 asks a family's directions only
# about its other topics (with 10,000 families, most name topics carried every way).
carried_every_way contains topic if {
	some [topic, _] in carried
	every direction in {d | some directions in connect_directions; some d in directions} {
		[topic, direction] in carried
	}
}

deny contains lib.compare(
	lib.finding(
		"CMP-001", "cluster.kafka_version",
		sprintf("the primary runs Kafka %v and the secondary Kafka %v", [
			input.primary.cluster.kafka_version, input.secondary.cluster.kafka_version,
		]),
	),
	input.primary.cluster.kafka_version, input.secondary.cluster.kafka_version,
) if {
	primary_minor := input.primary.cluster.kafka_minor
	non_empty(primary_minor)
	secondary_minor := input.secondary.cluster.kafka_minor
	non_empty(secondary_minor)
	primary_minor != secondary_minor
}

deny contains lib.finding_at(
	"CMP-002", sprintf("%s in %s", [producer, name]),
	sprintf(
		"transactional producer %s of %s cannot use transactions in the %s, which writes %s in %s: it lacks %s",
		[producer, name, role, name, input.phase, concat(", ", transactional(role, producer).missing)],
	),
	role, name,
) if {
	some pair in transactional_writers
	name := pair[0]
	role := pair[1]
	some producer in lib.families[name].producers
	not transactional(role, producer).allowed
}

deny contains lib.compare(
	lib.finding("CMP-003", key, quota_message(key)),
	quota_of("primary", key), quota_of("secondary", key),
) if {
	some key in quota_keys
}

deny contains lib.finding_at(
	"CMP-004", topic,
	sprintf(
		concat(" ", [
			"Kafka Connect internal topic %s of %s is carried by no active flow %s, and the plan does not",
			"re-create the connectors",
		]),
		[topic, name, concat(" nor ", [sprintf("from the %s to the %s", d) | some d in missing])],
	),
	null, name,
) if {
	some name, family in lib.families
	family.connect != null
	family.connect.recreate == false
	some topic in family.connect.internal_topics
	not topic in carried_every_way # first: it needs no directions looked up
	directions := connect_directions[family.phases]
	some direction in directions
	not [topic, direction] in carried # first: most topics are carried every way, and need no list
	missing := sort([d | some d in directions; not [topic, d] in carried])
}
