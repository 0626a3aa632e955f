# METADATA
# title: Access control parity
# description: |
#   What a principal may do must be the same in both regions: effective permissions (Kafka's
#   authorizer and IAM, compared topic by topic after replication renaming, whatever mix of
#   LITERAL and PREFIXED grants gives them), the authorizer settings, the client
#   authentication mechanisms and the SCRAM users. Who may write family topics, and the
#   replicators' own access, are judged by write_authority, not here.
package failback.acl

import data.failback.lib

# [{principal, host, resource_type, operations, broad, names, summary, why}]: what a region
# allows that the other does not
only_in(role) := object.get(input[role].facts, "access_only_here", [])

authorizer(role) := object.get(input[role].facts, "authorizer", {})

key(entry) := sprintf("%s|%s|%s|%s", [
	entry.principal, entry.resource_type,
	concat(",", entry.operations), entry.host,
])

from_host(entry) := "" if {
	entry.host == "*"
} else := sprintf(" from host %s", [entry.host])

# "User:x may read topic t" (a Kafka operation), "iam:role/x is allowed kafka-cluster:ReadData on
# topic t" (an IAM action)
may(entry) := sprintf("%s is allowed %s on %s", [
	entry.principal,
	concat(", ", entry.operations), entry.summary,
]) if {
	some operation in entry.operations
	contains(operation, ":")
} else := sprintf("%s may %s %s%s", [
	entry.principal,
	lower(concat(", ", entry.operations)), entry.summary, from_host(entry),
])

# oauth and custom are recorded by sources that can tell (Strimzi listeners): compared only
# when both regions record them.
mechanisms := ["iam", "scram", "mtls", "unauthenticated", "oauth", "custom"]

mechanism_name := {
	"iam": "IAM",
	"scram": "SASL/SCRAM",
	"mtls": "mutual TLS",
	"unauthenticated": "Unauthenticated",
	"oauth": "OAuth",
	"custom": "Custom",
}

# Kafka ACLs authorise clients in both regions (not an IAM-only MSK cluster).
kafka_acls_everywhere if {
	every role in lib.roles {
		authorizer(role).acls_apply
	}
}

deny contains lib.compare(
	lib.finding_at(
		"ACL-001", key(entry),
		sprintf("%s in the primary but not in the secondary (%s)", [may(entry), concat("; ", entry.why)]),
		"secondary", null,
	),
	entry.names, null,
) if {
	some entry in only_in("primary")
}

deny contains lib.compare(
	lib.finding_at(
		"ACL-002", key(entry),
		sprintf(
			"%s in the secondary, through a grant broader than anything the primary grants (%s)",
			[may(entry), concat("; ", entry.why)],
		),
		"secondary", null,
	),
	null, entry.names,
) if {
	some entry in only_in("secondary")
	entry.broad
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
	settings := authorizer(role)
	settings.acls_apply
	settings.enabled
	settings.allow_everyone_if_no_acl_found
}

deny contains lib.compare(
	lib.finding_at(
		"ACL-004", key(entry),
		sprintf("%s only in the secondary: it would be lost on failback (%s)", [may(entry), concat("; ", entry.why)]),
		"primary", null,
	),
	null, entry.names,
) if {
	some entry in only_in("secondary")
	not entry.broad
}

deny contains lib.compare(
	lib.finding_at(
		"ACL-005", sprintf("authentication.%s", [mechanism]),
		sprintf("%s client authentication is on in the %s only", [label, role]),
		role, null,
	),
	values[0], values[1],
) if {
	some mechanism in mechanisms
	label := mechanism_name[mechanism]
	values := [value | some r in lib.roles; value := input[r].authentication[mechanism]]
	some role in lib.roles
	input[role].authentication[mechanism] == true
	input[lib.other_role(role)].authentication[mechanism] == false
}

deny contains lib.finding_at(
	"ACL-006", user,
	sprintf("SCRAM user %s exists in the %s but not in the %s", [user, role, lib.other_role(role)]),
	lib.other_role(role), null,
) if {
	every r in lib.roles {
		input[r].authentication.scram == true
	}
	some role in lib.roles
	some user in object.get(input[role].facts, "scram_users", [])
	not user in object.get(input[lib.other_role(role)].facts, "scram_users", [])
}

deny contains lib.compare(
	lib.finding_at(
		"ACL-007", "authorizer.class.name",
		sprintf(
			"The %s has no authorizer (every client may do everything) while the %s authorises clients with ACLs",
			[role, lib.other_role(role)],
		),
		role, null,
	),
	authorizer("primary").enabled, authorizer("secondary").enabled,
) if {
	kafka_acls_everywhere
	some role in lib.roles
	authorizer(role).enabled == false
	authorizer(lib.other_role(role)).enabled == true
}

deny contains lib.compare(
	lib.finding_at(
		"ACL-007", "allow.everyone.if.no.acl.found",
		sprintf(
			"The %s lets everyone use resources no ACL names (allow.everyone.if.no.acl.found=true) while the %s does not",
			[role, lib.other_role(role)],
		),
		role, null,
	),
	authorizer("primary").allow_everyone_if_no_acl_found,
	authorizer("secondary").allow_everyone_if_no_acl_found,
) if {
	kafka_acls_everywhere
	every r in lib.roles {
		authorizer(r).enabled
	}
	some role in lib.roles
	authorizer(role).allow_everyone_if_no_acl_found == true
	authorizer(lib.other_role(role)).allow_everyone_if_no_acl_found == false
}

deny contains lib.compare(
	lib.finding_at(
		"ACL-007", sprintf("super.users %s", [user]),
		sprintf(
			"%s is a super user (may do everything) in the %s but not in the %s",
			[user, role, lib.other_role(role)],
		),
		role, null,
	),
	authorizer("primary").super_users, authorizer("secondary").super_users,
) if {
	kafka_acls_everywhere
	some role in lib.roles
	authorizer(role).enabled
	some user in authorizer(role).super_users
	not user in authorizer(lib.other_role(role)).super_users
}
