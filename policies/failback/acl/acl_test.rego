package failback.acl_test

import data.failback.acl

grant(principal, op) := {
	"principal": principal, "resource_type": "TOPIC", "pattern_type": "PREFIXED",
	"resource_name": "payments.", "operation": op, "permission": "ALLOW", "host": "*",
	"source": "acl", "replicator": false, "families": ["payments"], "write": op in {"WRITE", "ALL"},
}

change("removed", g) := {
	"area": "grants", "key": "k", "path": "grants/k",
	"kind": "removed", "primary": g, "secondary": null,
}

change("added", g) := {
	"area": "grants", "key": "k", "path": "grants/k",
	"kind": "added", "primary": null, "secondary": g,
}

rule_ids(findings) := {f.rule_id | some f in findings}

base := {"primary": {"broker_config": {}}, "secondary": {"broker_config": {}}, "changes": []}

# The base input with one grant change.
with_change(kind, g) := object.union(base, {"changes": [change(kind, g)]})

# The base input with the secondary's allow.everyone.if.no.acl.found set to value.
allow_everyone(value) := object.union(base, {"secondary": {"broker_config": {"allow.everyone.if.no.acl.found": value}}})

test_acl_001_missing_read_grant_fires if {
	"ACL-001" in rule_ids(acl.deny) with input as with_change("removed", grant("User:ledger", "READ"))
}

test_acl_001_ignores_write_grants if {
	not "ACL-001" in rule_ids(acl.deny) with input as with_change("removed", grant("User:api", "WRITE"))
}

test_acl_001_ignores_replicator_grants if {
	replicator := object.union(grant("User:replicator", "READ"), {"replicator": true})
	not "ACL-001" in rule_ids(acl.deny) with input as with_change("removed", replicator)
}

test_acl_002_wildcard_principal_fires if {
	"ACL-002" in rule_ids(acl.deny) with input as with_change("added", grant("User:*", "READ"))
}

test_acl_002_wildcard_resource_or_all_operations_fires if {
	literal_wildcard := object.union(grant("User:ledger", "READ"), {"pattern_type": "LITERAL", "resource_name": "*"})
	"ACL-002" in rule_ids(acl.deny) with input as with_change("added", literal_wildcard)
	"ACL-002" in rule_ids(acl.deny) with input as with_change("added", grant("User:ledger", "ALL"))
}

test_acl_002_prefixed_wildcard_resource_passes if {
	prefixed_wildcard := object.union(grant("User:ledger", "READ"), {"resource_name": "*"})
	not "ACL-002" in rule_ids(acl.deny) with input as with_change("added", prefixed_wildcard)
}

test_acl_002_specific_grant_passes if {
	not "ACL-002" in rule_ids(acl.deny) with input as with_change("added", grant("User:ledger", "READ"))
}

test_acl_003_allow_everyone_fires if {
	"ACL-003" in rule_ids(acl.deny) with input as allow_everyone("true")
}

test_acl_003_false_passes if {
	not "ACL-003" in rule_ids(acl.deny) with input as allow_everyone("false")
}

test_acl_004_secondary_only_grant_fires if {
	"ACL-004" in rule_ids(acl.deny) with input as with_change("added", grant("User:new-team", "READ"))
}

test_acl_004_broad_grant_left_to_acl_002 if {
	not "ACL-004" in rule_ids(acl.deny) with input as with_change("added", grant("User:*", "READ"))
}
