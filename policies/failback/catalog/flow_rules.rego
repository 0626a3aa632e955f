# The rule catalog, continued: how data moves between the regions (replication flows,
# consumer offsets, the rollback path, topic structure). In its own file to keep catalog.rego
# under Regal's file length, and self-contained: OPA compiles each module as it is uploaded,
# so the phase list is spelled out here too.
package failback.catalog

every_phase := ["normal", "failover", "dr_operation", "failback", "cleanup"]

flow_rules := {
	"REP-001": {
		"area": "replication",
		"severity": "critical",
		"title": "Replication writes into the active writer",
		"description": concat(" ", [
			"A flow with identical topic names replicates a family into the region that is the family's",
			"only writer in this phase: two sources write one topic. A leg of the documented bidirectional",
			"MSK Replicator setup (IDENTICAL names, a replicator each way carrying the family) is not a",
			"finding: the __mskmr record header keeps records from going back to their origin.",
		]),
		"remediation": concat(" ", [
			"Stop or delete the flow into the writing region, pair it with an MSK Replicator the other way",
			"(IDENTICAL names), or change the plan's writer for the phase.",
		]),
		"phases": ["normal", "failover", "dr_operation"],
		"inputs": ["replication", "topics"],
	},
	"REP-002": {
		"area": "replication",
		"severity": "critical",
		"title": "Bidirectional identical-name flows without loop protection",
		"description": concat(" ", [
			"Flows in both directions carry the same family with identical topic names and no loop",
			"protection: records replicate back and forth forever.",
		]),
		"remediation": concat(" ", [
			"Use prefixed topic names, a replicator with loop protection (MSK Replicator, bidirectional",
			"cluster links), or remove one direction.",
		]),
		"phases": every_phase,
		"inputs": ["replication", "topics"],
	},
	"REP-003": {
		"area": "replication",
		"severity": "high",
		"title": "Tier-1 family not replicated",
		"description": concat(" ", [
			"No healthy replication flow carries a tier-1 family, so the other region has nothing to fail",
			"over or back to.",
		]),
		"remediation": concat(" ", [
			"Create a replication flow (MSK Replicator, MirrorMaker 2, cluster link) whose topic patterns",
			"include the family.",
		]),
		"phases": every_phase,
		"inputs": ["replication", "topics"],
	},
	"REP-004": {
		"area": "replication",
		"severity": "high",
		"title": "Catch-up flow still running in cleanup",
		"description": concat(" ", [
			"The identical-name reverse flow used for failback still writes into the primary's topics in",
			"the cleanup phase. The reverse leg of an MSK Replicator pair with ENHANCED offset sync is not",
			"a finding (ENHANCED requires it), nor is a prefixed flow (it writes remote topics of its own).",
		]),
		"remediation": concat(" ", [
			"Delete the reverse replicator or MirrorMaker 2 flow once consumers have moved back, then check",
			"the original flow is RUNNING.",
		]),
		"phases": ["cleanup"],
		"inputs": ["replication", "topics"],
	},
	"REP-005": {
		"area": "replication",
		"severity": "high",
		"title": "Failback flow starts at LATEST",
		"description": concat(" ", [
			"The flow that carries a family back from the DR-operation writer to the failback writer starts",
			"at LATEST: records written before it (or before a topic) existed never reach the primary.",
		]),
		"remediation": concat(" ", [
			"Recreate the reverse flow with starting position EARLIEST (MSK Replicator StartingPosition,",
			"MirrorMaker 2 consumer.auto.offset.reset=earliest) and wait for its lag to reach zero.",
		]),
		"phases": ["dr_operation", "failback"],
		"inputs": ["replication"],
	},
	"REP-006": {
		"area": "replication",
		"severity": "high",
		"title": "Topics of a replicated family left behind",
		"description": concat(" ", [
			"Some topics of a replicated family in the region that writes it reach the region that writes",
			"next through no active flow (the patterns miss them, or the target lacks them, as with a topic",
			"created during DR operation): their records stay behind at the switch.",
		]),
		"remediation": concat(" ", [
			"Widen the flow's topic patterns to every topic of the family and let the flow create the",
			"missing topics (MSK Replicator DetectAndCopyNewTopics, MirrorMaker 2 refresh.topics).",
		]),
		"phases": ["normal", "dr_operation", "failback", "cleanup"],
		"inputs": ["replication", "topics"],
	},
	"REP-007": {
		"area": "replication",
		"severity": "high",
		"title": "MirrorMaker 2 replicates uncommitted transactions",
		"description": concat(" ", [
			"A MirrorMaker 2 flow carries a transactional family, but its source consumer reads",
			"read_uncommitted (the default): records of aborted and open transactions are replicated",
			"(KAFKA-14021), and consumers in the other region see data that never committed.",
		]),
		"remediation": concat(" ", [
			"Set consumer.isolation.level=read_committed on the source connector (or",
			"<source>.consumer.isolation.level in mm2.properties).",
		]),
		"phases": every_phase,
		"inputs": ["replication"],
	},
	"OFF-001": {
		"area": "offsets",
		"severity": "high",
		"title": "Consumers without offset sync",
		"description": concat(" ", [
			"The family has active consumer groups in a region and its offset strategy relies on replicated",
			"or translated offsets, but no healthy flow from that region to the other syncs them, or the",
			"groups are active in both regions (replicators commit offsets only for groups with no active",
			"member on the target). MirrorMaker 2 checkpoints without sync.group.offsets.enabled do not",
			"sync offsets.",
		]),
		"remediation": concat(" ", [
			"Enable consumer-group offset sync on the flow out of the consuming region",
			"(SynchroniseConsumerGroupOffsets, sync.group.offsets.enabled), keep each group active in one",
			"region, or change the family's offset_strategy.",
		]),
		"phases": every_phase,
		"inputs": ["replication", "consumer_groups", "topics"],
	},
	"OFF-002": {
		"area": "offsets",
		"severity": "high",
		"title": "Offset-sync mode cannot support failback",
		"description": concat(" ", [
			"MSK Replicator LEGACY offset sync only translates while producers write the source and not the",
			"target; it does not support failback.",
		]),
		"remediation": concat(" ", [
			"Recreate the replicator with ConsumerGroupOffsetSyncMode ENHANCED, IDENTICAL topic names and a",
			"replicator from the target back to the source (the mode cannot be changed in place).",
		]),
		"phases": every_phase,
		"inputs": ["replication"],
	},
	"OFF-005": {
		"area": "offsets",
		"severity": "high",
		"title": "ENHANCED offset sync without its reverse replicator",
		"description": concat(" ", [
			"MSK Replicator ENHANCED consumer-offset sync requires a replicator from the target back to the",
			"source, and both with IDENTICAL topic names; without that pair offsets are not synced as the",
			"mode promises.",
		]),
		"remediation": concat(" ", [
			"Create the reverse MSK Replicator (target to source, IDENTICAL names) and keep it running, or",
			"recreate the flow with IDENTICAL names.",
		]),
		"phases": every_phase,
		"inputs": ["replication"],
	},
	"OFF-003": {
		"area": "offsets",
		"severity": "high",
		"title": "No reverse offset path for failback",
		"description": concat(" ", [
			"No healthy flow from the region that wrote during DR operation back to the failback writer",
			"syncs the family's consumer offsets.",
		]),
		"remediation": concat(" ", [
			"Create the reverse flow (secondary to primary) with offset sync before failback; MirrorMaker 2",
			"checkpoints flow one way only.",
		]),
		"phases": ["dr_operation", "failback"],
		"inputs": ["replication", "topics"],
	},
	"OFF-004": {
		"area": "offsets",
		"severity": "high",
		"title": "Duplicates into a non-idempotent sink",
		"description": concat(" ", [
			"The family's consumers will see some records twice after switching (a replaying strategy",
			"replays them; every offset sync is approximate and at-least-once), and one of its sinks is",
			"not idempotent: failback writes duplicates.",
		]),
		"remediation": "Make the sink idempotent or declare a dedupe (dedupe-by-key) for it.",
		"phases": every_phase,
		"inputs": [],
	},
	"OFF-007": {
		"area": "offsets",
		"severity": "high",
		"title": "Tier-1 family without an offset strategy",
		"description": concat(" ", [
			"A tier-1 family declares no offset_strategy, so nobody has decided where its consumers resume",
			"after switching and no offset rule can judge it.",
		]),
		"remediation": concat(" ", [
			"Declare offset_strategy (replicated, translated, reset-to-timestamp or idempotent-replay) for",
			"the family in failback.yaml.",
		]),
		"phases": every_phase,
		"inputs": [],
	},
	"RB-001": {
		"area": "rollback",
		"severity": "high",
		"title": "Failback without a rollback point",
		"description": "The plan has no stop point and return path for failback.",
		"remediation": concat(" ", [
			"Declare rollback.stop_point (the last step that can still be undone) and rollback.return_path",
			"in failback.yaml.",
		]),
		"phases": ["failback"],
		"inputs": [],
	},
	"RB-002": {
		"area": "rollback",
		"severity": "high",
		"title": "No forward flow behind the rollback path",
		"description": concat(" ", [
			"During failback no healthy flow carries a replicated family from the failback writer to the",
			"DR-operation writer: rolling back to the DR region would lose what the primary takes once",
			"producers moved.",
		]),
		"remediation": concat(" ", [
			"Keep (or restart) the original flow from the primary to the secondary until cleanup, and check",
			"it is RUNNING before moving producers back.",
		]),
		"phases": ["failback"],
		"inputs": ["replication", "topics"],
	},
	"TOP-001": {
		"area": "topic_config",
		"severity": "high",
		"title": "Partition counts differ",
		"description": concat(" ", [
			"A replicated topic has a different number of partitions in the two regions: records of one key",
			"hash to another partition after the switch, so per-key order breaks (partitions cannot be",
			"reduced, and adding them moves no data).",
		]),
		"remediation": concat(" ", [
			"Give the topic the same partition count in both regions (recreate the smaller side, or add",
			"partitions to it before it takes writes).",
		]),
		"phases": every_phase,
		"inputs": ["topics", "replication"],
	},
	"TOP-002": {
		"area": "topic_config",
		"severity": "high",
		"title": "Cleanup policies differ",
		"description": concat(" ", [
			"A replicated topic is compacted in one region and deleted by retention in the other: consumers",
			"after the switch see other data (every record, or the latest per key).",
		]),
		"remediation": "Set the same cleanup.policy on the topic in both regions.",
		"phases": every_phase,
		"inputs": ["topics", "replication", "broker_config"],
	},
	"TOP-003": {
		"area": "topic_config",
		"severity": "high",
		"title": "Weaker durability where the family is written",
		"description": concat(" ", [
			"A replicated topic has a lower min.insync.replicas or replication factor in a region that takes",
			"the family's writes in some phase: acknowledged writes there survive fewer broker failures.",
			"MirrorMaker 2 does not copy min.insync.replicas by default.",
		]),
		"remediation": "Raise min.insync.replicas and the replication factor in that region to the other region's values.",
		"phases": every_phase,
		"inputs": ["topics", "replication", "broker_config"],
	},
	"TOP-004": {
		"area": "topic_config",
		"severity": "medium",
		"title": "Message limits differ",
		"description": concat(" ", [
			"A replicated topic has a different max.message.bytes or message.timestamp.type in the two",
			"regions: large records are rejected, or timestamps mean something else, after the switch.",
			"MirrorMaker 2 does not copy message.timestamp.type by default.",
		]),
		"remediation": "Set the same max.message.bytes and message.timestamp.type on the topic in both regions.",
		"phases": every_phase,
		"inputs": ["topics", "replication", "broker_config"],
	},
}
