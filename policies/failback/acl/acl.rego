# METADATA
# title: ACL and IAM grant parity
# description: |
#   Grants (Kafka ACLs and IAM kafka-cluster actions, normalised to one form) must match
#   between the regions. Producer write grants on family topics and replicator grants are
#   judged by write_authority, not here.
package failback.acl

import data.failback.lib

# Judged by write authority or by the replication tool's own needs.
parity_exempt(grant) if grant.write
parity_exempt(grant) if grant.replicator

broad(grant) if grant.principal == "User:*"

broad(grant) if {
	grant.pattern_type == "LITERAL"
	grant.resource_name == "*"
}

broad(grant) if grant.operation == "ALL"

describe(grant) := sprintf("%s %s %s on %s %s:%s", [
	grant.permission, grant.principal, grant.operation,
	grant.resource_type, grant.pattern_type, grant.resource_name,
])

deny contains lib.compare(
	lib.finding_at(
		"ACL-001", change.key,
		sprintf("%s exists in the primary but not in the secondary", [describe(grant)]),
		"secondary", null,
	),
	grant, null,
) if {
	some change in input.changes
	change.area == "grants"
	change.kind == "removed"
	grant := change.primary
	not parity_exempt(grant)
}

deny contains lib.compare(
	lib.finding_at(
		"ACL-002", change.key,
		sprintf("%s in the secondary is broader than anything the primary grants", [describe(grant)]),
		"secondary", null,
	),
	null, grant,
) if {
	some change in input.changes
	change.area == "grants"
	change.kind == "added"
	grant := change.secondary
	grant.permission == "ALLOW"
	broad(grant)
}

deny contains lib.compare(
	lib.finding_at(
		"ACL-003", "allow.everyone.if.no.acl.found",
		sprintf("allow.everyone.if.no.acl.found is true in the %s", [role]),
		role, null,
	),
	object.get(input.primary.broker_config, "allow.everyone.if.no.acl.found", null),
	object.get(input.secondary.broker_config, "allow.everyone.if.no.acl.found", null),
) if {
	some role in lib.roles
	lower(input[role].broker_config["allow.everyone.if.no.acl.found"]) == "true"
}

deny contains lib.compare(
	lib.finding_at(
		"ACL-004", change.key,
		sprintf("%s exists only in the secondary and would be lost on failback", [describe(grant)]),
		"primary", null,
	),
	null, grant,
) if {
	some change in input.changes
	change.area == "grants"
	change.kind == "added"
	grant := change.secondary
	not parity_exempt(grant)
	not broad(grant)
}
