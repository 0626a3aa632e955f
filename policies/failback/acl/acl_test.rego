package failback.acl_test

import data.failback.acl

grant(principal, op) := {
	"principal": principal, "resource_type": "TOPIC", "pattern_type": "PREFIXED",
	"resource_name": "payments.", "operation": op, "permission": "ALLOW", "host": "*",
	"source": "acl", "replicator": false, "families": ["payments"], "write": op in {"WRITE", "ALL"},
}

change(kind, g) := {"area": "grants", "key": "k", "path": "grants/k", "kind": kind, "primary": g, "secondary": null} if kind == "removed"

change(kind, g) := {"area": "grants", "key": "k", "path": "grants/k", "kind": kind, "primary": null, "secondary": g} if kind == "added"

rule_ids(findings) := {f.rule_id | some f in findings}

base := {"primary": {"broker_config": {}}, "secondary": {"broker_config": {}}, "changes": []}

test_acl_001_missing_read_grant_fires if {
	"ACL-001" in rule_ids(acl.deny) with input as object.union(base, {"changes": [change("removed", grant("User:ledger", "READ"))]})
}

test_acl_001_ignores_write_grants if {
	not "ACL-001" in rule_ids(acl.deny) with input as object.union(base, {"changes": [change("removed", grant("User:api", "WRITE"))]})
}

test_acl_002_wildcard_principal_fires if {
	"ACL-002" in rule_ids(acl.deny) with input as object.union(base, {"changes": [change("added", grant("User:*", "READ"))]})
}

test_acl_002_specific_grant_passes if {
	not "ACL-002" in rule_ids(acl.deny) with input as object.union(base, {"changes": [change("added", grant("User:ledger", "READ"))]})
}

test_acl_003_allow_everyone_fires if {
	"ACL-003" in rule_ids(acl.deny) with input as object.union(base, {"secondary": {"broker_config": {"allow.everyone.if.no.acl.found": "true"}}})
}

test_acl_003_false_passes if {
	not "ACL-003" in rule_ids(acl.deny) with input as object.union(base, {"secondary": {"broker_config": {"allow.everyone.if.no.acl.found": "false"}}})
}

test_acl_004_secondary_only_grant_fires if {
	"ACL-004" in rule_ids(acl.deny) with input as object.union(base, {"changes": [change("added", grant("User:new-team", "READ"))]})
}

test_acl_004_broad_grant_left_to_acl_002 if {
	not "ACL-004" in rule_ids(acl.deny) with input as object.union(base, {"changes": [change("added", grant("User:*", "READ"))]})
}
