# METADATA
# title: Network exposure parity
# description: |
#   Neither region may be more exposed than the other: public access, internet-open
#   security group rules, and secondary ingress that the primary allows nowhere.
package failback.network

import data.failback.lib

describe(rule) := sprintf("%s %v-%v from %s", [rule.protocol, rule.from_port, rule.to_port, rule.peer])

# [region, rule] of every internet-open ingress rule.
internet_open_rules contains [role, rule] if {
	some role in lib.roles
	some rule in input[role].network.ingress
	rule.internet_open == true
}

# An internet-open rule in `region` allows the protocol and every port `rule` allows.
covered(rule, region) if {
	some [owner, theirs] in internet_open_rules
	owner == region
	theirs.protocol in {rule.protocol, "all"}
	theirs.from_port <= rule.from_port
	theirs.to_port >= rule.to_port
}

deny contains f if {
	some role in lib.roles
	input[role].network.public_access == true
	other := lib.other_role(role)
	input[other].network.public_access == false
	f := lib.compare(
		lib.finding_at(
			"NET-001", "network.public_access",
			sprintf("Public access is on in the %s but off in the %s", [role, other]),
			role, null,
		),
		input.primary.network.public_access,
		input.secondary.network.public_access,
	)
}

# Each internet-open rule is judged on its own: an unrelated open rule in the other region
# (another port) does not excuse it.
deny contains f if {
	some role in lib.roles
	other := lib.other_role(role)
	some key, rule in input[role].network.ingress
	rule.internet_open == true
	not covered(rule, other)
	values := {role: rule, other: null}
	f := lib.compare(
		lib.finding_at(
			"NET-002", key,
			sprintf("Ingress rule %s (%s) is open to the internet in the %s but no rule is in the %s", [
				key, describe(rule), role, other,
			]),
			role, null,
		),
		values.primary, values.secondary,
	)
}

deny contains f if {
	some key in input.secondary.facts.ingress_uncovered
	rule := input.secondary.network.ingress[key]
	rule.internet_open == false
	f := lib.compare(
		lib.finding_at(
			"NET-003", key,
			sprintf("Secondary ingress rule %s (%s) allows peers or ports that no primary rule allows", [
				key, describe(rule),
			]),
			"secondary", null,
		),
		null, rule,
	)
}
