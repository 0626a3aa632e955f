# METADATA
# title: Retention parity
# description: |
#   The secondary must keep a replicated family's data (time and size) and shared object
#   storage at least as long as the primary, or the replay window for failback is lost.
#   -1 means unlimited (never expires). Only topics whose cleanup policy includes delete lose
#   data to retention.
package failback.retention

import data.failback.lib

limit(value) := "unlimited" if value < 0

limit(value) := sprintf("%d", [value]) if value >= 0

expiry(days) := "never" if days < 0

expiry(days) := sprintf("after %d days", [days]) if days >= 0

# Lifecycle expiration in days; -1 when the bucket never expires objects.
expiration_days(bucket) := bucket.lifecycle_expiration_days if bucket.lifecycle_expiration_days != null

expiration_days(bucket) := -1 if not expires(bucket)

expires(bucket) if bucket.lifecycle_expiration_days != null

# Retention deletes data only where the cleanup policy includes delete (a compact-only topic
# keeps the latest value per key whatever retention.ms says).
deletes(topic) if "delete" in topic.cleanup_policy

# RET-001 and RET-002 look only at the replicated topics the diff names (lib.differing_topics):
# a retention that differs makes the topic's normalised records differ.

deny contains f if {
	some name, family in lib.differing_topics
	topic := input.secondary.topics[name]
	secondary := topic.retention_ms
	primary := input.primary.topics[name].retention_ms
	lib.shorter(secondary, primary)
	deletes(topic)
	f := lib.compare(
		lib.finding_at(
			"RET-001", name,
			sprintf("Topic %s has retention.ms %s in the secondary but %s in the primary", [
				name, limit(secondary), limit(primary),
			]),
			"secondary", family,
		),
		primary, secondary,
	)
}

deny contains f if {
	some name, family in lib.differing_topics
	topic := input.secondary.topics[name]
	secondary := topic.retention_bytes
	primary := input.primary.topics[name].retention_bytes
	lib.shorter(secondary, primary)
	deletes(topic)
	f := lib.compare(
		lib.finding_at(
			"RET-002", name,
			sprintf("Topic %s has retention.bytes %s in the secondary but %s in the primary", [
				name, limit(secondary), limit(primary),
			]),
			"secondary", family,
		),
		primary, secondary,
	)
}

deny contains f if {
	some name, bucket in input.secondary.storage
	primary := expiration_days(input.primary.storage[name])
	secondary := expiration_days(bucket)
	lib.shorter(secondary, primary)
	f := lib.compare(
		lib.finding_at(
			"RET-003", name,
			sprintf("Bucket %s expires objects %s in the secondary but %s in the primary", [
				name, expiry(secondary), expiry(primary),
			]),
			"secondary", null,
		),
		primary, secondary,
	)
}
