package failback.acl_test

import data.failback.acl

# What one region allows that the other does not (facts.access_only_here).
extra(principal, operations, broad) := {
	"principal": principal, "host": "*", "resource_type": "TOPIC", "operations": operations,
	"broad": broad, "names": ["ledger.entries"], "summary": "topic ledger.entries",
	"why": ["ACL ALLOW"],
}

settings(acls_apply, enabled, allow_everyone, super_users) := {
	"acls_apply": acls_apply, "iam_applies": true, "enabled": enabled,
	"allow_everyone_if_no_acl_found": allow_everyone, "super_users": super_users,
}

auth(iam, scram) := {"iam": iam, "scram": scram, "mtls": false, "unauthenticated": false}

region(only, authorizer) := {
	"broker_config": {},
	"authentication": auth(true, true),
	"facts": {"access_only_here": only, "authorizer": authorizer, "scram_users": ["User:a"]},
}

base := {
	"primary": region([], settings(true, true, false, [])),
	"secondary": region([], settings(true, true, false, [])),
}

# base with one region's document changed (objects merge, lists are replaced).
with_region(role, fields) := object.union(base, {role: fields})

rule_ids(findings) := {f.rule_id | some f in findings}

found(rule_id, findings) := {f | some f in findings; f.rule_id == rule_id}

test_base_is_clean if {
	count(acl.deny) == 0 with input as base
}

# ACL-001

test_acl_001_missing_permission_fires if {
	inp := with_region("primary", {"facts": {"access_only_here": [extra("User:ledger-reader", ["READ"], false)]}})
	found("ACL-001", acl.deny) == {{
		"rule_id": "ACL-001",
		"resource": "User:ledger-reader|TOPIC|READ|*",
		"message": "User:ledger-reader may read topic ledger.entries in the primary but not in the secondary (ACL ALLOW)",
		"region": "secondary",
		"family": null,
		"primary": ["ledger.entries"],
		"secondary": null,
	}} with input as inp
}

test_acl_001_names_hosts_and_iam_actions if {
	host := object.union(extra("User:a", ["DESCRIBE", "READ"], false), {"host": "10.0.0.5"})
	iam := object.union(extra("iam:role/reader", ["kafka-cluster:ReadData"], false), {"resource_type": "TOPIC"})
	inp := with_region("primary", {"facts": {"access_only_here": [host, iam]}})
	{[f.resource, f.message] | some f in found("ACL-001", acl.deny)} == {
		[
			"User:a|TOPIC|DESCRIBE,READ|10.0.0.5",
			concat("", [
				"User:a may describe, read topic ledger.entries from host 10.0.0.5 in the primary but not ",
				"in the secondary (ACL ALLOW)",
			]),
		],
		[
			"iam:role/reader|TOPIC|kafka-cluster:ReadData|*",
			concat("", [
				"iam:role/reader is allowed kafka-cluster:ReadData on topic ledger.entries in the primary ",
				"but not in the secondary (ACL ALLOW)",
			]),
		],
	} with input as inp
}

test_acl_001_nothing_missing_passes if {
	inp := with_region("secondary", {"facts": {"access_only_here": [extra("User:new", ["READ"], false)]}})
	not "ACL-001" in rule_ids(acl.deny) with input as inp
}

# ACL-002 and ACL-004

test_acl_002_broad_secondary_permission_fires if {
	inp := with_region("secondary", {"facts": {"access_only_here": [extra("User:*", ["READ"], true)]}})
	fs := acl.deny with input as inp
	{[f.rule_id, f.region, f.secondary] | some f in fs} == {["ACL-002", "secondary", ["ledger.entries"]]}
}

test_acl_004_specific_secondary_permission_fires if {
	inp := with_region("secondary", {"facts": {"access_only_here": [extra("User:new-team", ["READ"], false)]}})
	fs := acl.deny with input as inp
	{[f.rule_id, f.region, f.resource] | some f in fs} == {["ACL-004", "primary", "User:new-team|TOPIC|READ|*"]}
}

# ACL-003

test_acl_003_allow_everyone_fires if {
	inp := with_region("secondary", {
		"broker_config": {"allow.everyone.if.no.acl.found": "true"},
		"facts": {"authorizer": settings(true, true, true, [])},
	})
	fs := found("ACL-003", acl.deny) with input as inp
	{[f.region, f.primary, f.secondary] | some f in fs} == {["secondary", null, "true"]}
}

test_acl_003_iam_only_cluster_passes if {
	# MSK with IAM authentication only: the setting (MSK's default is true) has no effect
	inp := with_region("secondary", {
		"broker_config": {"allow.everyone.if.no.acl.found": "true"},
		"facts": {"authorizer": settings(false, true, true, [])},
	})
	not "ACL-003" in rule_ids(acl.deny) with input as inp
}

test_acl_003_no_authorizer_or_false_passes if {
	no_authorizer := with_region("secondary", {"facts": {"authorizer": settings(true, false, true, [])}})
	not "ACL-003" in rule_ids(acl.deny) with input as no_authorizer
	not "ACL-003" in rule_ids(acl.deny) with input as base
}

# ACL-005

test_acl_005_mechanism_in_one_region_fires if {
	inp := with_region("secondary", {"authentication": {"iam": false, "unauthenticated": true}})
	{[f.resource, f.region, f.primary, f.secondary] | some f in found("ACL-005", acl.deny)} == {
		["authentication.iam", "primary", true, false],
		["authentication.unauthenticated", "secondary", false, true],
	} with input as inp
}

test_acl_005_oauth_in_one_region_fires_only_when_both_record_it if {
	recorded := object.union(base, {
		"primary": {"authentication": {"oauth": true, "custom": false}},
		"secondary": {"authentication": {"oauth": false, "custom": false}},
	})
	{[f.resource, f.region, f.primary, f.secondary] | some f in found("ACL-005", acl.deny)} == {
		["authentication.oauth", "primary", true, false],
	} with input as recorded
	one_side := object.union(base, {"primary": {"authentication": {"oauth": true}}})
	not "ACL-005" in rule_ids(acl.deny) with input as one_side
}

test_acl_005_unknown_mechanism_passes if {
	inp := object.union(base, {"secondary": {"authentication": {"iam": null}}})
	not "ACL-005" in rule_ids(acl.deny) with input as inp
}

# ACL-006

test_acl_006_scram_user_in_one_region_fires if {
	inp := object.union(
		object.remove(base, ["secondary"]),
		{"secondary": object.union(region([], settings(true, true, false, [])), {"facts": {"scram_users": ["User:b"]}})},
	)
	{[f.resource, f.region, f.message] | some f in found("ACL-006", acl.deny)} == {
		["User:a", "secondary", "SCRAM user User:a exists in the primary but not in the secondary"],
		["User:b", "primary", "SCRAM user User:b exists in the secondary but not in the primary"],
	} with input as inp
}

test_acl_006_needs_scram_in_both_regions if {
	inp := object.union(
		object.remove(base, ["secondary"]),
		{"secondary": object.union(region([], settings(true, true, false, [])), {
			"authentication": auth(true, false),
			"facts": {"scram_users": []},
		})},
	)
	not "ACL-006" in rule_ids(acl.deny) with input as inp
}

# ACL-007

test_acl_007_no_authorizer_in_one_region_fires if {
	inp := with_region("secondary", {"facts": {"authorizer": settings(true, false, false, [])}})
	{[f.resource, f.region, f.primary, f.secondary] | some f in found("ACL-007", acl.deny)} == {
		["authorizer.class.name", "secondary", true, false],
	} with input as inp
}

test_acl_007_allow_everyone_in_one_region_fires if {
	inp := with_region("primary", {"facts": {"authorizer": settings(true, true, true, [])}})
	fs := found("ACL-007", acl.deny) with input as inp
	{[f.resource, f.region] | some f in fs} == {["allow.everyone.if.no.acl.found", "primary"]}
}

test_acl_007_super_user_in_one_region_fires if {
	inp := with_region("secondary", {"facts": {"authorizer": settings(true, true, false, ["User:admin"])}})
	fs := found("ACL-007", acl.deny) with input as inp
	{[f.resource, f.region] | some f in fs} == {["super.users User:admin", "secondary"]}
}

test_acl_007_iam_only_region_passes if {
	inp := with_region("secondary", {"facts": {"authorizer": settings(false, false, true, ["User:admin"])}})
	not "ACL-007" in rule_ids(acl.deny) with input as inp
}
