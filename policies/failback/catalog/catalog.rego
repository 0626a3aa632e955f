# METADATA
# title: Rule catalog
# description: |
#   Every built-in rule's id, area, severity, title, remediation, the phases it judges
#   and the snapshot areas it reads (a gap in one of those areas suppresses the rule and
#   makes the verdict indeterminate). An evidence-quality rule (indeterminate: true) never
#   blocks: its finding makes the verdict indeterminate, whatever waivers and the baseline
#   say. Kept as data because the embedded engine has no rego.metadata built-ins.
package failback.catalog

# Long texts are written as concat(" ", [lines]) only to keep source lines short: every value
# is still a plain string.

all_phases := ["normal", "failover", "dr_operation", "failback", "cleanup"]

# evidence_rules.rego adds the EVD rules, flow_rules.rego the replication, offsets, rollback
# and topic_config rules, exception_rules.rego WVR-001; named by their full paths, so that each
# file compiles alone
rules := object.union_n([
	area_rules,
	data.failback.catalog.evidence_rules,
	data.failback.catalog.flow_rules,
	data.failback.catalog.access_rules,
	data.failback.catalog.exception_rules,
	data.failback.catalog.schema_rules,
	data.failback.catalog.runtime_rules,
])

area_rules := {
	"ENC-001": {
		"area": "encryption",
		"severity": "high",
		"title": "Weaker client-broker encryption in one region",
		"description": "One region allows PLAINTEXT or TLS_PLAINTEXT client traffic where the other requires TLS.",
		"remediation": "Set EncryptionInTransit.ClientBroker to TLS in both regions.",
		"phases": all_phases,
		"inputs": ["encryption"],
	},
	"ENC-002": {
		"area": "encryption",
		"severity": "high",
		"title": "In-cluster encryption off in one region",
		"description": "Broker-to-broker traffic is unencrypted in one region only.",
		"remediation": "Enable EncryptionInTransit.InCluster (requires recreating an MSK cluster).",
		"phases": all_phases,
		"inputs": ["encryption"],
	},
	"ENC-003": {
		"area": "encryption",
		"severity": "high",
		"title": "Weaker encryption at rest in one region",
		"description": concat(" ", [
			"One region encrypts data at rest with an AWS-managed key (or not at all) where the other uses",
			"a customer-managed key.",
		]),
		"remediation": "Use a customer-managed KMS key (a multi-region key keeps the two regions equivalent).",
		"phases": all_phases,
		"inputs": ["encryption"],
	},
	"ENC-004": {
		"area": "encryption",
		"severity": "medium",
		"title": "Key rotation off in one region",
		"description": "The at-rest key rotates in one region and not in the other.",
		"remediation": "Enable automatic key rotation on the KMS key.",
		"phases": all_phases,
		"inputs": ["encryption"],
	},
	"ENC-005": {
		"area": "encryption",
		"severity": "high",
		"title": "Plaintext listener exposed in one region",
		"description": concat(" ", [
			"One region exposes a PLAINTEXT listener or bootstrap string that the other does not (unless",
			"ENC-001 already reports the weaker client-broker setting that opens it).",
		]),
		"remediation": "Remove the PLAINTEXT listener (or the plaintext bootstrap) in that region.",
		"phases": all_phases,
		"inputs": ["network"],
	},
	"NET-001": {
		"area": "network",
		"severity": "critical",
		"title": "Public access in one region only",
		"description": "The cluster is publicly accessible in one region and private in the other.",
		"remediation": "Turn off public access (ConnectivityInfo.PublicAccess.Type DISABLED).",
		"phases": all_phases,
		"inputs": ["network"],
	},
	"NET-002": {
		"area": "network",
		"severity": "critical",
		"title": "Internet-open ingress in one region only",
		"description": concat(" ", [
			"A security group rule opens the cluster to the internet in one region, and no rule of the other",
			"region opens the same protocol and ports to the internet (each rule is judged on its own).",
		]),
		"remediation": "Restrict the rule to the same private CIDRs or security groups as the other region.",
		"phases": all_phases,
		"inputs": ["network"],
	},
	"NET-003": {
		"area": "network",
		"severity": "medium",
		"title": "Secondary ingress wider than primary",
		"description": "A secondary ingress rule allows peers or ports that no primary rule allows.",
		"remediation": "Narrow the rule to what the primary allows, or declare the security groups equivalent.",
		"phases": all_phases,
		"inputs": ["network"],
	},
	"AUD-001": {
		"area": "audit",
		"severity": "high",
		"title": "Broker logs off in one region",
		"description": "Broker logs are delivered in one region only.",
		"remediation": "Enable broker log delivery (CloudWatch Logs, Firehose or S3) in both regions.",
		"phases": all_phases,
		"inputs": ["audit"],
	},
	"AUD-002": {
		"area": "audit",
		"severity": "high",
		"title": "Trail not logging in one region",
		"description": "CloudTrail records API activity in one region only.",
		"remediation": "Create or start a (multi-region) trail covering both regions.",
		"phases": all_phases,
		"inputs": ["audit"],
	},
	"AUD-003": {
		"area": "audit",
		"severity": "medium",
		"title": "Shorter audit log retention in secondary",
		"description": "Broker audit logs expire sooner in the secondary than in the primary.",
		"remediation": "Set the secondary log group's retention to at least the primary's.",
		"phases": all_phases,
		"inputs": ["audit"],
	},
	"RET-001": {
		"area": "retention",
		"severity": "high",
		"title": "Shorter time retention in secondary",
		"description": concat(" ", [
			"A replicated family's topic keeps data for less time in the secondary: the replay window for",
			"failback is lost.",
		]),
		"remediation": "Set retention.ms in the secondary to at least the primary's value (or copy topic configurations).",
		"phases": all_phases,
		"inputs": ["topics", "replication"],
	},
	"RET-002": {
		"area": "retention",
		"severity": "high",
		"title": "Shorter size retention in secondary",
		"description": "A replicated family's topic keeps fewer bytes in the secondary.",
		"remediation": "Set retention.bytes in the secondary to at least the primary's value.",
		"phases": all_phases,
		"inputs": ["topics", "replication"],
	},
	"RET-003": {
		"area": "retention",
		"severity": "medium",
		"title": "Shorter storage lifecycle in secondary",
		"description": "An object-storage bucket (tiered or shared storage) expires objects sooner in the secondary.",
		"remediation": "Align the bucket lifecycle expiration with the primary's.",
		"phases": all_phases,
		"inputs": ["storage"],
	},
	"CST-001": {
		"area": "cost",
		"severity": "medium",
		"title": "Dual-region operation beyond the plan's maximum",
		"description": "Both regions have run full stacks for longer than cost.max_dual_region_days.",
		"remediation": "Finish failback and cleanup, or raise the budget with the cost owner's approval.",
		"phases": ["dr_operation", "failback", "cleanup"],
		"inputs": [],
	},
	"CST-002": {
		"area": "cost",
		"severity": "low",
		"title": "Cross-region flow without an owner",
		"description": "Nobody owns the transfer cost of a cross-region replication flow.",
		"remediation": "Tag the flow with an owner or list it in cost.flow_owners.",
		"phases": all_phases,
		"inputs": ["replication"],
	},
	"CMP-001": {
		"area": "compatibility",
		"severity": "medium",
		"title": "Kafka versions differ",
		"description": "The regions run different Kafka major.minor versions, which can change client-visible behaviour.",
		"remediation": "Upgrade the older cluster so both run the same version.",
		"phases": all_phases,
		"inputs": ["cluster"],
	},
	"CMP-002": {
		"area": "compatibility",
		"severity": "high",
		"title": "Transactional producers cannot write",
		"description": concat(" ", [
			"A transactional family's producer cannot use transactions in the region that must accept its",
			"writes in this phase: Kafka ACLs need DESCRIBE and WRITE on a transactional id; IAM needs",
			"kafka-cluster:WriteDataIdempotently on the cluster and DescribeTransactionalId and",
			"AlterTransactionalId on a transactional id.",
		]),
		"remediation": concat(" ", [
			"Grant DESCRIBE and WRITE on TRANSACTIONAL_ID (or kafka-cluster:WriteDataIdempotently,",
			"DescribeTransactionalId and AlterTransactionalId) to the producer in that region.",
		]),
		"phases": all_phases,
		"inputs": ["acls", "iam_grants", "authentication", "broker_config"],
	},
	"CMP-003": {
		"area": "compatibility",
		"severity": "medium",
		"title": "Client quotas differ",
		"description": "A client quota differs between the regions, so clients are throttled differently after switching.",
		"remediation": "Apply the same quotas in both regions.",
		"phases": all_phases,
		"inputs": ["quotas"],
	},
	"CMP-004": {
		"area": "compatibility",
		"severity": "high",
		"title": "Kafka Connect internal topics not carried",
		"description": concat(" ", [
			"A connector's internal topic (offsets, configs, status) is neither re-created by the plan nor",
			"replicated in the direction the phase needs (from the region the connectors run in toward the",
			"region that writes next (from DR operation on, not yet in failover), and into this phase's",
			"writer when the phase moved the connectors):",
			"connectors restart from scratch after switching.",
		]),
		"remediation": concat(" ", [
			"Replicate the internal topics or set connect.recreate: true with a runbook for rebuilding",
			"connectors.",
		]),
		"phases": all_phases,
		"inputs": ["replication"],
	},
	"RDY-001": {
		"area": "readiness",
		"severity": "high",
		"title": "Tier-1 family not rehearsed for this phase",
		"description": concat(" ", [
			"A tier-1 family's readiness evidence for this phase is below rehearsed (no runbook, or no",
			"rehearsal within the allowed age).",
		]),
		"remediation": "Write the runbook and rehearse the phase; record the date in evidence.<phase>.last_rehearsal.",
		"phases": all_phases,
		"inputs": [],
	},
}
