package failback.outage_test

import data.failback.catalog
import data.failback.main
import data.failback.outage

base := {
	"phase": "failover",
	"now": 1700000000,
	"options": {"fail_on": "high"},
	"plan": {"families": {}, "rollback": {"stop_point": "producers stopped", "return_path": "runbooks/return.md"}},
	"primary": {"broker_config": {}, "cluster": {"kafka_version": "3.6.0", "kafka_minor": "3.6"}},
	"secondary": {"broker_config": {}, "cluster": {"kafka_version": "3.6.0", "kafka_minor": "3.6"}},
	"flows": {},
	"changes": [],
	"gaps": [],
}

primary_down := {"outage": {
	"impaired": "primary", "region": "us-east-1", "since": "2026-11-28T09:00:00Z",
	"declared_by": "plan", "snapshot": "given",
}}

secondary_down := {"outage": object.union(primary_down.outage, {"impaired": "secondary", "region": "us-west-2"})}

# ACL-003 (critical, judges each region alone) fires for the secondary.
allow_everyone := {"secondary": {
	"broker_config": {"allow.everyone.if.no.acl.found": "true"},
	"facts": {"authorizer": {
		"acls_apply": true, "iam_applies": false, "enabled": true,
		"allow_everyone_if_no_acl_found": true, "super_users": [],
	}},
}}

# ENC-001 (high, compares the regions) fires for the secondary.
weaker_secondary := {
	"primary": {"encryption": {"in_transit": {"client_broker": "TLS"}}},
	"secondary": {"encryption": {"in_transit": {"client_broker": "TLS_PLAINTEXT"}}},
}

gap(region, area) := {
	"region": region, "area": area, "reason": "region impaired: no snapshot",
	"call": "", "in_scope": true,
}

with_fields(parts) := object.union_n(array.concat([base], parts))

rule_ids(decision) := [f.rule_id | some f in decision.findings]

test_every_classified_rule_is_in_the_catalog if {
	every rule in outage.cross_region | outage.compared {
		catalog.rules[rule]
	}
}

test_no_rule_is_both_cross_region_and_compared if {
	outage.cross_region & outage.compared == set()
}

test_no_outage_changes_nothing if {
	decision := main.decision with input as object.union(base, allow_everyone)
	decision.outage == null
	decision.not_judgeable == []
	rule_ids(decision) == ["ACL-003"]
}

test_a_fault_of_the_healthy_region_still_blocks if {
	decision := main.decision with input as with_fields([allow_everyone, primary_down])
	decision.verdict == "no-go"
	rule_ids(decision) == ["ACL-003"]
	decision.outage.impaired == "primary"
}

test_a_fault_of_the_impaired_region_is_not_judgeable if {
	decision := main.decision with input as with_fields([allow_everyone, secondary_down])
	decision.verdict == "go"
	decision.findings == []
	[entry] := [e | some e in decision.not_judgeable; e.rule_id == "ACL-003"]
	entry.region == "secondary"
	entry.resource == "allow.everyone.if.no.acl.found"
	entry.reason == "about the impaired secondary"
}

test_a_comparison_with_a_known_snapshot_is_judged if {
	decision := main.decision with input as with_fields([weaker_secondary, primary_down])
	decision.verdict == "no-go"
	rule_ids(decision) == ["ENC-001"]
	not "ENC-001" in {e.rule_id | some e in decision.not_judgeable}
}

test_a_comparison_with_an_unknown_snapshot_is_not_judged if {
	inp := with_fields([weaker_secondary, primary_down, {"gaps": [gap("primary", "encryption")]}])
	decision := main.decision with input as inp
	decision.verdict == "go"
	decision.findings == []
	[entry] := [e | some e in decision.not_judgeable; e.rule_id == "ENC-001"]
	entry.reason == "compares with the impaired primary, whose snapshot lacks encryption"
	entry.region == null
	entry.resource == null

	# the impaired region's gap is listed, never indeterminate
	decision.gaps == [gap("primary", "encryption")]
	[evd] := [e | some e in decision.not_judgeable; e.rule_id == "EVD-001"]
	evd.region == "primary"
}

test_a_gap_of_the_impaired_region_does_not_silence_the_healthy_one if {
	inp := with_fields([allow_everyone, primary_down, {"gaps": [gap("primary", "broker_config")]}])
	decision := main.decision with input as inp
	decision.verdict == "no-go"
	rule_ids(decision) == ["ACL-003"]
}

test_a_gap_of_the_healthy_region_stays_indeterminate if {
	inp := with_fields([primary_down, {"gaps": [gap("secondary", "audit")]}])
	decision := main.decision with input as inp
	decision.verdict == "indeterminate"
	rule_ids(decision) == ["EVD-001"]
}

test_cross_region_rules_are_listed_as_not_judged if {
	decision := main.decision with input as with_fields([primary_down])
	decision.verdict == "go"
	listed := {e.rule_id | some e in decision.not_judgeable}

	# the cross-region rules judged in failover, and no other
	listed == {rule |
		some rule in outage.cross_region
		"failover" in catalog.rules[rule].phases
	}
	every e in decision.not_judgeable {
		e.reason == "needs a flow into or out of the impaired primary, or its live state"
	}
}

test_a_cross_region_finding_of_the_healthy_region_is_set_aside if {
	rb := {
		"rule_id": "RB-002", "resource": "orders", "message": "m", "region": "secondary",
		"family": "orders", "primary": null, "secondary": null,
	}
	inp := with_fields([primary_down, {"phase": "failback"}])
	decision := main.decision with input as inp with data.failback.rollback.deny as {rb}
	decision.findings == []
	"RB-002" in {e.rule_id | some e in decision.not_judgeable}
}
