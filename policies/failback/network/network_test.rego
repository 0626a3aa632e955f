package failback.network_test

import data.failback.network

rule(peer, open) := {
	"protocol": "tcp", "from_port": 9098, "to_port": 9098, "peer": peer,
	"peer_type": "cidr", "internet_open": open, "public": open, "prefix_len": 16, "addresses": 65536,
}

private := {"sg-1|tcp|9098|10.0.0.0/16": rule("10.0.0.0/16", false)}

open_rules := object.union(private, {"sg-1|tcp|9098|0.0.0.0/0": rule("0.0.0.0/0", true)})

region(public_access, ingress, uncovered) := {
	"network": {
		"public_access": public_access,
		"ingress": ingress,
		"internet_open": count([r | some r in ingress; r.internet_open]) > 0,
	},
	"facts": {"ingress_uncovered": uncovered},
}

pair(primary, secondary) := {"primary": primary, "secondary": secondary}

found(findings, rule_id) := {[f.resource, f.region] | some f in findings; f.rule_id == rule_id}

test_baseline_has_no_findings if {
	count(network.deny) == 0 with input as pair(region(false, private, []), region(false, private, []))
}

test_net_001_public_secondary_fires if {
	findings := network.deny with input as pair(region(false, private, []), region(true, private, []))
	found(findings, "NET-001") == {["network.public_access", "secondary"]}
}

test_net_001_public_in_both_passes if {
	found(network.deny, "NET-001") == set() with input as pair(region(true, private, []), region(true, private, []))
}

test_net_002_internet_open_primary_fires if {
	findings := network.deny with input as pair(region(false, open_rules, []), region(false, private, []))
	found(findings, "NET-002") == {["sg-1|tcp|9098|0.0.0.0/0", "primary"]}
	some f in findings
	f.rule_id == "NET-002"
	f.primary.peer == "0.0.0.0/0"
	f.secondary == null
}

test_net_002_open_in_both_passes if {
	inp := pair(region(false, open_rules, []), region(false, open_rules, []))
	found(network.deny, "NET-002") == set() with input as inp
}

test_net_003_uncovered_private_rule_fires if {
	wider := object.union(private, {"sg-2|tcp|9092|10.1.0.0/16": rule("10.1.0.0/16", false)})
	secondary := region(false, wider, ["sg-2|tcp|9092|10.1.0.0/16"])
	findings := network.deny with input as pair(region(false, private, []), secondary)
	found(findings, "NET-003") == {["sg-2|tcp|9092|10.1.0.0/16", "secondary"]}
}

test_net_003_leaves_internet_open_rules_to_net_002 if {
	secondary := region(false, open_rules, ["sg-1|tcp|9098|0.0.0.0/0"])
	findings := network.deny with input as pair(region(false, private, []), secondary)
	found(findings, "NET-003") == set()
	found(findings, "NET-002") == {["sg-1|tcp|9098|0.0.0.0/0", "secondary"]}
}

test_net_003_primary_uncovered_is_not_judged if {
	primary := region(false, private, ["sg-1|tcp|9098|10.0.0.0/16"])
	found(network.deny, "NET-003") == set() with input as pair(primary, region(false, {}, []))
}

test_net_002_an_open_rule_on_another_port_does_not_mask if {
	other_port := object.union(private, {"sg-1|tcp|22|0.0.0.0/0": object.union(
		rule("0.0.0.0/0", true),
		{"from_port": 22, "to_port": 22},
	)})
	inp := pair(region(false, open_rules, []), region(false, other_port, []))
	found(network.deny, "NET-002") == {
		["sg-1|tcp|9098|0.0.0.0/0", "primary"],
		["sg-1|tcp|22|0.0.0.0/0", "secondary"],
	} with input as inp
}

test_net_002_a_wider_open_rule_in_the_other_region_covers if {
	everything := {"sg-1|all|0-65535|0.0.0.0/0": object.union(
		rule("0.0.0.0/0", true),
		{"protocol": "all", "from_port": 0, "to_port": 65535},
	)}
	inp := pair(region(false, open_rules, []), region(false, everything, []))
	found(network.deny, "NET-002") == {["sg-1|all|0-65535|0.0.0.0/0", "secondary"]} with input as inp
}
