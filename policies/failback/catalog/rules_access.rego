# The rule catalog, continued: who may write, read and administer what (write authority,
# access control parity, consumer authority). In its own file to keep catalog.rego under
# Regal's file length, and self-contained: OPA compiles each module as it is uploaded. Its
# name sorts after catalog.rego on purpose: regorus (0.13) loses catalog.rules, seen from other
# packages, when another module of the package is loaded before catalog.rego.
package failback.catalog

access_phases := ["normal", "failover", "dr_operation", "failback", "cleanup"]

access_rules := {
	"WA-001": {
		"area": "write_authority",
		"severity": "critical",
		"title": "Topic family writable in both regions",
		"description": concat(" ", [
			"Principals other than the replicator can write the same topics of the family in both regions",
			"in a phase where the plan names a single writer and fences the standby with ACLs: split-brain",
			"writes corrupt ordering. Write permissions are effective ones, as Kafka's authorizer (ACLs,",
			"super users, no authorizer, allow.everyone.if.no.acl.found) and IAM evaluate them.",
		]),
		"remediation": concat(" ", [
			"Revoke producer write grants (ACL WRITE/ALL, super.users, or kafka-cluster:WriteData) in the",
			"region that must not write in this phase, or fence them with a DENY.",
		]),
		"phases": access_phases,
		"inputs": ["acls", "iam_grants", "topics", "authentication", "broker_config"],
	},
	"WA-002": {
		"area": "write_authority",
		"severity": "high",
		"title": "Producer grant in the passive region",
		"description": concat(" ", [
			"A principal that is not a declared replicator can write a family in the region that must not",
			"accept its writes in this phase, and the plan fences that region with ACLs (fence: acl).",
		]),
		"remediation": concat(" ", [
			"Remove the grant in the passive region, add the principal to replicator_principals if it is",
			"the replication tool, or declare the fence (prestaged with a routing control and runbook).",
		]),
		"phases": access_phases,
		"inputs": ["acls", "iam_grants", "topics", "authentication", "broker_config"],
	},
	"WA-003": {
		"area": "write_authority",
		"severity": "medium",
		"title": "No writer declared for a phase",
		"description": "The plan does not say which region writes the family in this phase.",
		"remediation": "Declare phases.<phase>.writer (primary, secondary, both or none) for the family in failback.yaml.",
		"phases": access_phases,
		"inputs": [],
	},
	"WA-004": {
		"area": "write_authority",
		"severity": "low",
		"title": "Topic matched by no family",
		"description": "A topic belongs to no topic family, so nobody has declared who may write it in each phase.",
		"remediation": "Add the topic to a family's match globs in failback.yaml, or create a family for it.",
		"phases": access_phases,
		"inputs": ["topics"],
	},
	"WA-005": {
		"area": "write_authority",
		"severity": "high",
		"title": "Writer region cannot write",
		"description": concat(" ", [
			"No principal other than the replicators and admin principals can write any topic of the",
			"family in the region that writes it in this phase.",
		]),
		"remediation": "Create the producers' write grants in the writing region before moving traffic.",
		"phases": access_phases,
		"inputs": ["acls", "iam_grants", "topics", "authentication", "broker_config"],
	},
	"WA-006": {
		"area": "write_authority",
		"severity": "high",
		"title": "Prestaged standby without a routing control",
		"description": concat(" ", [
			"The plan keeps producer grants in the family's standby on purpose (fence: prestaged) but does",
			"not name the routing control that keeps producers out, or the runbook that switches it.",
		]),
		"remediation": "Declare routing.control and routing.runbook for the family (or plan-wide) in failback.yaml.",
		"phases": access_phases,
		"inputs": [],
	},
	"WA-007": {
		"area": "write_authority",
		"severity": "info",
		"title": "Producer grant in a standby fenced by routing or mirror topics",
		"description": concat(" ", [
			"A principal can write the family in the region that does not accept its writes in this phase;",
			"the plan fences that region by client routing or read-only mirror topics, so it does not block.",
		]),
		"remediation": "Nothing to do while the declared fence holds; check it in the failover rehearsal.",
		"phases": access_phases,
		"inputs": ["acls", "iam_grants", "topics", "authentication", "broker_config"],
	},
	"WA-008": {
		"area": "write_authority",
		"severity": "high",
		"title": "Read-only-mirror fence without a mirror",
		"description": concat(" ", [
			"The plan fences the family's standby with read-only mirror topics (fence: read-only-mirror), but",
			"no active cluster link mirrors the family into that region: its topics accept writes.",
		]),
		"remediation": concat(" ", [
			"Create the cluster link (mirror topics) into the standby, or fence it with ACLs (fence: acl).",
		]),
		"phases": access_phases,
		"inputs": ["replication", "topics"],
	},
	"WA-009": {
		"area": "write_authority",
		"severity": "high",
		"title": "Both regions write without a conflict control",
		"description": concat(" ", [
			"The plan lets both regions write the family in this phase (writer: both) but declares no way to",
			"keep their writes from conflicting.",
		]),
		"remediation": concat(" ", [
			"Declare conflict_control (keys-partitioned-by-region, tenant-split or idempotent-merge) for the",
			"family, or name a single writer for the phase.",
		]),
		"phases": access_phases,
		"inputs": [],
	},
	"ACL-001": {
		"area": "acl",
		"severity": "high",
		"title": "Permission missing in secondary",
		"description": concat(" ", [
			"A principal may do something in the primary that it may not do in the secondary: compared as the",
			"authorizers decide (Kafka ACLs, IAM), per topic after replication renaming and per group,",
			"transactional id and cluster, whatever LITERAL or PREFIXED grants give it. Who may write family",
			"topics is judged by write_authority instead.",
		]),
		"remediation": concat(" ", [
			"Create the grant in the secondary region, or declare an equivalence if the principal is",
			"spelled differently there.",
		]),
		"phases": access_phases,
		"inputs": ["acls", "iam_grants", "authentication", "broker_config"],
	},
	"ACL-002": {
		"area": "acl",
		"severity": "high",
		"title": "Secondary grant broader than primary",
		"description": concat(" ", [
			"The secondary allows something the primary does not through a broad grant: the wildcard",
			"principal, a wildcard resource or an ALL-operations grant (or IAM's * action or resource).",
		]),
		"remediation": "Replace the broad grant with the specific grants the primary uses.",
		"phases": access_phases,
		"inputs": ["acls", "iam_grants", "authentication", "broker_config"],
	},
	"ACL-003": {
		"area": "acl",
		"severity": "critical",
		"title": "Everyone allowed when no ACL matches",
		"description": concat(" ", [
			"allow.everyone.if.no.acl.found=true lets any client do anything on resources without ACLs",
			"(not judged on MSK clusters that authenticate clients with IAM only, where it has no effect).",
		]),
		"remediation": "Set allow.everyone.if.no.acl.found=false in the cluster configuration.",
		"phases": access_phases,
		"inputs": ["broker_config", "authentication"],
	},
	"ACL-004": {
		"area": "acl",
		"severity": "medium",
		"title": "Permission only in secondary",
		"description": concat(" ", [
			"A principal may do something in the secondary (typically granted during DR operation) that it",
			"may not do in the primary: it would be lost on failback.",
		]),
		"remediation": "Create the grant in the primary before failback, or remove it from the secondary.",
		"phases": ["failback", "cleanup"],
		"inputs": ["acls", "iam_grants", "authentication", "broker_config"],
	},
	"ACL-005": {
		"area": "acl",
		"severity": "high",
		"title": "Client authentication differs",
		"description": concat(" ", [
			"A client authentication mechanism (IAM, SASL/SCRAM, mutual TLS, unauthenticated access) is on",
			"in one region only: clients that authenticate with it cannot connect after switching, or the",
			"other region is open to clients the first one refuses.",
		]),
		"remediation": "Enable the same client authentication mechanisms in both regions.",
		"phases": access_phases,
		"inputs": ["authentication"],
	},
	"ACL-006": {
		"area": "acl",
		"severity": "high",
		"title": "SCRAM user in one region only",
		"description": concat(" ", [
			"A SASL/SCRAM user exists in one region only: its clients cannot authenticate in the other region",
			"after switching (replicator principals are left out).",
		]),
		"remediation": concat(" ", [
			"Create the SCRAM credential (MSK: associate the secret) in the other region, or declare an",
			"equivalence if the user is spelled differently there.",
		]),
		"phases": access_phases,
		"inputs": ["authentication"],
	},
	"ACL-007": {
		"area": "acl",
		"severity": "high",
		"title": "Authorizer settings differ",
		"description": concat(" ", [
			"One region has no authorizer, or lets everyone use resources no ACL names",
			"(allow.everyone.if.no.acl.found), or has a super user, where the other region does not: the same",
			"client is allowed different things after switching.",
		]),
		"remediation": "Configure the same authorizer, allow.everyone.if.no.acl.found and super.users in both regions.",
		"phases": access_phases,
		"inputs": ["broker_config", "authentication"],
	},
	"CA-001": {
		"area": "consumer_authority",
		"severity": "high",
		"title": "Consumers active outside the consumer region",
		"description": concat(" ", [
			"A consumer group reading the family is active in a region whose consumers must not read it in",
			"this phase (phases.<phase>.consumer): consumers did not move, or moved too early.",
		]),
		"remediation": "Stop the group's consumers in that region and start them in the consumer region.",
		"phases": access_phases,
		"inputs": ["consumer_groups", "topics"],
	},
	"CA-002": {
		"area": "consumer_authority",
		"severity": "high",
		"title": "Consumer group active in both regions",
		"description": concat(" ", [
			"A consumer group reading the family is active in both regions while the plan names one consumer",
			"region: records are processed twice, and MSK Replicator and MirrorMaker 2 do not sync offsets",
			"for a group that is active on the target.",
		]),
		"remediation": "Stop the group in the region that is not the family's consumer region in this phase.",
		"phases": access_phases,
		"inputs": ["consumer_groups", "topics"],
	},
}
