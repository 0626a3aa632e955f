package failback.consumer_authority_test

import data.failback.consumer_authority

family(consumer) := {"phases": {"failover": {"writer": consumer, "consumer": consumer}}}

region(groups) := {"facts": {"active_groups": groups}}

# ledger is consumed in the secondary in the failover phase; its group moved there.
base := {
	"phase": "failover",
	"plan": {"families": {"ledger": family("secondary")}},
	"primary": region({}),
	"secondary": region({"ledger": ["ledger-reader.ledger"]}),
}

with_groups(primary, secondary) := object.union(
	object.remove(base, ["primary", "secondary"]),
	{"primary": region(primary), "secondary": region(secondary)},
)

found(rule_id, findings) := {f | some f in findings; f.rule_id == rule_id}

test_base_is_clean if {
	count(consumer_authority.deny) == 0 with input as base
}

test_ca_001_group_left_behind_fires if {
	inp := with_groups({"ledger": ["ledger-reader.ledger"]}, {})
	found("CA-001", consumer_authority.deny) == {{
		"rule_id": "CA-001",
		"resource": "ledger-reader.ledger on ledger",
		"message": concat("", [
			"Consumer group ledger-reader.ledger reads family ledger in the primary, but only the ",
			"secondary's consumers may read it in the failover phase",
		]),
		"region": "primary",
		"family": "ledger",
		"primary": null,
		"secondary": null,
	}} with input as inp
}

test_ca_001_consumer_none_checks_both_regions if {
	inp := with_groups({"ledger": ["a"]}, {"ledger": ["b"]})
	none := object.union(inp, {"plan": {"families": {"ledger": family("none")}}})
	fs := found("CA-001", consumer_authority.deny) with input as none
	{[f.resource, f.region] | some f in fs} == {["a on ledger", "primary"], ["b on ledger", "secondary"]}
	some f in fs
	contains(f.message, "but no region's consumers may read it")
}

test_ca_001_both_or_undeclared_consumer_passes if {
	left := with_groups({"ledger": ["a"]}, {})
	both := object.union(left, {"plan": {"families": {"ledger": family("both")}}})
	count(found("CA-001", consumer_authority.deny)) == 0 with input as both
	undeclared := object.union(left, {"plan": {"families": {"ledger": family(null)}}})
	count(found("CA-001", consumer_authority.deny)) == 0 with input as undeclared
}

test_ca_002_group_active_in_both_regions_fires if {
	inp := with_groups({"ledger": ["ledger-reader.ledger"]}, {"ledger": ["ledger-reader.ledger"]})
	fs := consumer_authority.deny with input as inp
	{[f.rule_id, f.resource, f.region] | some f in fs} == {["CA-002", "ledger-reader.ledger on ledger", null]}
}

test_ca_002_consumer_both_passes if {
	inp := object.union(
		with_groups({"ledger": ["ledger-reader.ledger"]}, {"ledger": ["ledger-reader.ledger"]}),
		{"plan": {"families": {"ledger": family("both")}}},
	)
	count(consumer_authority.deny) == 0 with input as inp
}

# The rules iterate the regions' active groups (facts.active_groups): groups of a family the
# plan does not declare raise nothing, and a region without facts raises nothing.
test_groups_of_an_undeclared_family_raise_nothing if {
	inp := with_groups({"orders": ["orders-reader"]}, {"ledger": ["ledger-reader.ledger"], "orders": ["orders-reader"]})
	count(consumer_authority.deny) == 0 with input as inp
}

test_a_region_without_facts_has_no_active_groups if {
	inp := object.union(object.remove(base, ["primary"]), {"primary": {}})
	count(consumer_authority.deny) == 0 with input as inp
}
