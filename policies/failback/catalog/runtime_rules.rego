# The rule catalog, continued: the runtime gates of the failback steps (policies/failback/runtime),
# judged on live rehearsal evidence (the snapshots' runtime areas). RT-005 is an evidence-quality
# rule: stale runtime evidence makes the verdict indeterminate, never a pass. In its own file,
# self-contained like the others; its name sorts after catalog.rego on purpose (see
# rules_access.rego).
package failback.catalog

runtime_rules := {
	"RT-001": {
		"area": "runtime",
		"severity": "high",
		"title": "Failback flow behind its lag gate",
		"description": concat(" ", [
			"The flow carrying a family from the DR region back to the returning region is more records",
			"(source end offset minus the mirrored topic's) or seconds (newest record timestamps) behind",
			"than the step's gate (max_lag_records, max_lag_seconds) allows.",
		]),
		"remediation": "Wait for the failback flow to catch up (failback watch --step NAME) or find out why it is slow.",
		"phases": ["failback"],
		"inputs": [],
	},
	"RT-002": {
		"area": "runtime",
		"severity": "high",
		"title": "Offline partitions",
		"description": concat(" ", [
			"Partitions of the family have no leader in a region, more than the step's",
			"max_offline_partitions (default 0): producers and consumers of them are stuck.",
		]),
		"remediation": "Bring the brokers holding the partitions' replicas back, or reassign the partitions.",
		"phases": ["failback"],
		"inputs": [],
	},
	"RT-003": {
		"area": "runtime",
		"severity": "high",
		"title": "Consumer offsets not continuous across regions",
		"description": concat(" ", [
			"A consumer group of the family would re-read or skip more records after switching to the",
			"returning region than the step's max_offset_gap allows: its committed offsets on the DR",
			"region against the checkpoints (MirrorMaker 2) or its committed offsets on the target.",
		]),
		"remediation": concat(" ", [
			"Let offset sync (checkpoints, ENHANCED offset sync) catch up with the group's commits",
			"before moving the consumers.",
		]),
		"phases": ["failback"],
		"inputs": [],
	},
	"RT-004": {
		"area": "runtime",
		"severity": "high",
		"title": "Consumer group active in both regions",
		"description": concat(" ", [
			"A consumer group of the family has active members in both regions: offset sync does not",
			"write offsets for a group with members on the target, and both copies consume.",
		]),
		"remediation": "Stop the group's consumers in one region before moving the rest.",
		"phases": ["failback"],
		"inputs": [],
	},
	"RT-005": {
		"area": "runtime",
		"severity": "medium",
		"title": "Stale runtime evidence",
		"description": concat(" ", [
			"A region's runtime evidence is older than the step's freshness window (max_age_seconds,",
			"default 300 s): lag and offsets may have moved since, so the verdict is indeterminate.",
		]),
		"remediation": "Sample the runtime evidence again (failback export --runtime, failback watch).",
		"phases": ["failback"],
		"inputs": [],
		"indeterminate": true,
	},
	"RT-006": {
		"area": "runtime",
		"severity": "high",
		"title": "MSK Replicator consumer-group offset sync failures",
		"description": concat(" ", [
			"The failback replicator's ConsumerGroupOffsetSyncFailure metric (AWS/Kafka) over the",
			"window is above the step's max_offset_sync_failures: consumer offsets are not reaching",
			"the returning region.",
		]),
		"remediation": concat(" ", [
			"Check the replicator's consumer-group filters, its IAM permissions and that no consumer",
			"of the groups is active on the target.",
		]),
		"phases": ["failback"],
		"inputs": [],
	},
}
