# METADATA
# title: Topic structure and config parity
# description: |
#   A replicated family's topics must have the same structure in both regions (partition count,
#   cleanup policy), no weaker durability in a region that takes writes, and the same message
#   limits. Normalisation computes each topic's effective settings (the topic's config, else
#   the broker's default, else Kafka's).
package failback.topic_config

import data.failback.lib

# The rules below look only at the replicated topics the diff names (lib.differing_topics).

# The regions that take each replicated family's writes in some phase (once per family).
writing_regions[family] := lib.writing_regions(family) if {
	some family in {f | some f in lib.differing_topics}
}

# A cleanup policy (a sorted list) as Kafka writes it.
policy_text(policy) := concat(",", policy)

# Durability settings: [the setting's name, the topic field].
durability := [
	["min.insync.replicas", "min_insync_replicas"],
	["replication.factor", "replication_factor"],
]

# Message settings clients notice: [the setting's name, the topic field].
message_settings := [
	["max.message.bytes", "max_message_bytes"],
	["message.timestamp.type", "timestamp_type"],
]

deny contains f if {
	some name, family in lib.differing_topics
	primary := input.primary.topics[name]
	secondary := input.secondary.topics[name]
	primary.partitions != null
	secondary.partitions != null
	primary.partitions != secondary.partitions
	f := lib.compare(
		lib.finding_at(
			"TOP-001", name,
			sprintf(
				"Topic %s has %d partitions in the primary and %d in the secondary: keys hash to other partitions after the switch",
				[name, primary.partitions, secondary.partitions],
			),
			null, family,
		),
		primary.partitions, secondary.partitions,
	)
}

deny contains f if {
	some name, family in lib.differing_topics
	primary := input.primary.topics[name]
	secondary := input.secondary.topics[name]
	primary.cleanup_policy != secondary.cleanup_policy
	f := lib.compare(
		lib.finding_at(
			"TOP-002", name,
			sprintf("Topic %s has cleanup.policy %s in the primary and %s in the secondary", [
				name, policy_text(primary.cleanup_policy), policy_text(secondary.cleanup_policy),
			]),
			null, family,
		),
		primary.cleanup_policy, secondary.cleanup_policy,
	)
}

deny contains f if {
	some name, family in lib.differing_topics
	primary := input.primary.topics[name]
	secondary := input.secondary.topics[name]
	some [setting, field] in durability
	primary[field] != secondary[field] # (looked at first: reading `values` per role is slow)
	values := {"primary": primary, "secondary": secondary}
	some role in writing_regions[family]
	other := lib.other_role(role)
	mine := values[role][field]
	theirs := values[other][field]
	mine != null
	theirs != null
	mine < theirs
	f := lib.compare(
		lib.finding_at(
			"TOP-003", sprintf("%s/%s", [name, setting]),
			sprintf("Topic %s has %s %d in the %s, which takes writes, but %d in the %s", [
				name, setting, mine, role, theirs, other,
			]),
			role, family,
		),
		primary[field], secondary[field],
	)
}

deny contains f if {
	some name, family in lib.differing_topics
	primary := input.primary.topics[name]
	secondary := input.secondary.topics[name]
	some [setting, field] in message_settings
	primary[field] != secondary[field]
	f := lib.compare(
		lib.finding_at(
			"TOP-004", sprintf("%s/%s", [name, setting]),
			sprintf("Topic %s has %s %v in the primary and %v in the secondary", [
				name, setting, primary[field], secondary[field],
			]),
			null, family,
		),
		primary[field], secondary[field],
	)
}
