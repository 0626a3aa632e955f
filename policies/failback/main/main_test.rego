package failback.main_test

import data.failback.catalog
import data.failback.lib
import data.failback.main
import data.failback.readiness

# An input on which no built-in rule fires: no families, a complete rollback section and
# snapshots that define only what the tests below change.
base := {
	"phase": "failback",
	"now": 1700000000,
	"options": {"fail_on": "high"},
	"plan": {"families": {}, "rollback": {"stop_point": "producers stopped", "return_path": "runbooks/return.md"}},
	"primary": {"broker_config": {}, "cluster": {"kafka_version": "3.6.0", "kafka_minor": "3.6"}},
	"secondary": {"broker_config": {}, "cluster": {"kafka_version": "3.6.0", "kafka_minor": "3.6"}},
	"flows": {},
	"changes": [],
	"gaps": [],
}

with_fields(fields) := object.union(base, fields)

# ACL-003 (critical, reads broker_config) fires for the secondary, whose Kafka ACLs authorise
# clients with allow.everyone.if.no.acl.found=true.
allow_everyone := {"secondary": {
	"broker_config": {"allow.everyone.if.no.acl.found": "true"},
	"facts": {"authorizer": {
		"acls_apply": true, "iam_applies": false, "enabled": true,
		"allow_everyone_if_no_acl_found": true, "super_users": [],
	}},
}}

# CMP-001 (medium, reads cluster) fires.
newer_secondary := {"secondary": {"cluster": {"kafka_version": "3.7.1", "kafka_minor": "3.7"}}}

gap(region, area, in_scope) := {
	"region": region, "area": area, "reason": "AccessDeniedException",
	"call": "kafka:DescribeCluster", "in_scope": in_scope,
}

rule_ids(decision) := [f.rule_id | some f in decision.findings]

# verdicts

test_clean_input_is_go if {
	main.decision == {
		"phase": "failback",
		"verdict": "go",
		"fail_on": "high",
		"findings": [],
		"gaps": [],
		"summary": {"info": 0, "low": 0, "medium": 0, "high": 0, "critical": 0},
		"scorecard": [],
		"steps": [],
		"step": null,
		"outage": null,
		"not_judgeable": [],
	} with input as base
}

test_blocking_finding_is_no_go if {
	decision := main.decision with input as with_fields(allow_everyone)
	decision.verdict == "no-go"
	decision.findings == [{
		"rule_id": "ACL-003",
		"resource": "allow.everyone.if.no.acl.found",
		"message": "allow.everyone.if.no.acl.found is true in the secondary",
		"region": "secondary",
		"family": null,
		"primary": null,
		"secondary": "true",
		"area": "acl",
		"severity": "critical",
		"title": catalog.rules["ACL-003"].title,
		"remediation": catalog.rules["ACL-003"].remediation,
		"blocking": true,
	}]
	decision.summary.critical == 1
}

test_finding_below_fail_on_does_not_block if {
	decision := main.decision with input as with_fields(newer_secondary)
	decision.verdict == "go"
	rule_ids(decision) == ["CMP-001"]
	decision.findings[0].severity == "medium"
	decision.findings[0].blocking == false
	decision.summary.medium == 1
}

test_fail_on_lowers_the_blocking_threshold if {
	inp := with_fields(object.union(newer_secondary, {"options": {"fail_on": "medium"}}))
	decision := main.decision with input as inp
	decision.verdict == "no-go"
	decision.fail_on == "medium"
	decision.findings[0].blocking == true
}

test_in_scope_gap_is_indeterminate if {
	decision := main.decision with input as with_fields({"gaps": [gap("secondary", "audit", true)]})
	decision.verdict == "indeterminate"
	rule_ids(decision) == ["EVD-001"]
	decision.findings[0].severity == "high"
	decision.findings[0].blocking == false
	decision.gaps == [gap("secondary", "audit", true)]
}

test_evidence_gap_never_blocks if {
	decision := main.decision with input as with_fields({
		"options": {"fail_on": "info"},
		"gaps": [gap("primary", "quotas", true)],
	})
	decision.verdict == "indeterminate"
	not main.blocks("high", "EVD-001") with input as with_fields({"options": {"fail_on": "info"}})
}

test_blocking_finding_wins_over_gap if {
	inp := with_fields(object.union(allow_everyone, {"gaps": [gap("primary", "quotas", true)]}))
	decision := main.decision with input as inp
	decision.verdict == "no-go"
	rule_ids(decision) == ["ACL-003", "EVD-001"]
}

test_out_of_scope_gap_is_not_judged if {
	decision := main.decision with input as with_fields({"gaps": [gap("primary", "quotas", false)]})
	decision.verdict == "go"
	decision.findings == []
	decision.gaps == [gap("primary", "quotas", false)]
}

# gap suppression

test_gap_suppresses_rules_reading_the_area if {
	inp := with_fields(object.union(allow_everyone, {"gaps": [gap("secondary", "broker_config", true)]}))
	decision := main.decision with input as inp
	rule_ids(decision) == ["EVD-001"]
	decision.verdict == "indeterminate"
}

test_out_of_scope_gap_also_suppresses if {
	inp := with_fields(object.union(allow_everyone, {"gaps": [gap("secondary", "broker_config", false)]}))
	decision := main.decision with input as inp
	decision.findings == []
	decision.verdict == "go"
}

test_gap_leaves_rules_of_other_areas if {
	inp := with_fields(object.union(allow_everyone, {"gaps": [gap("secondary", "cluster", false)]}))
	rule_ids(main.decision) == ["ACL-003"] with input as inp
}

# phase filtering

test_rule_judged_only_in_its_phases if {
	no_rollback := with_fields({"plan": {"rollback": {"stop_point": null, "return_path": null}}})
	rule_ids(main.decision) == ["RB-001"] with input as no_rollback
	rule_ids(main.decision) == [] with input as object.union(no_rollback, {"phase": "normal"})
}

test_finding_outside_the_catalog_is_dropped if {
	unknown := lib.finding("XYZ-001", "somewhere", "not a catalogued rule")
	main.decision.findings == [] with input as base with data.failback.acl.deny as {unknown}
}

# findings of the user's own packages

test_custom_finding_gets_defaults if {
	custom := {"team": {"deny": {{"rule_id": "TEAM-001", "resource": "topic.x", "message": "custom check"}}}}
	decision := main.decision with input as base with data.failback.custom as custom
	decision.findings == [{
		"rule_id": "TEAM-001",
		"resource": "topic.x",
		"message": "custom check",
		"area": "custom",
		"severity": "medium",
		"title": "TEAM-001",
		"remediation": "",
		"region": null,
		"family": null,
		"primary": null,
		"secondary": null,
		"blocking": false,
	}]
	decision.verdict == "go"
}

test_custom_finding_keeps_its_own_fields if {
	own := {
		"rule_id": "TEAM-002", "resource": "topic.y", "message": "must not happen",
		"severity": "critical", "title": "Team rule", "region": "primary",
	}
	custom := {"team": {"deny": {own}}, "other": {"deny": set()}}
	decision := main.decision with input as base with data.failback.custom as custom
	count(decision.findings) == 1
	f := decision.findings[0]
	f.severity == "critical"
	f.title == "Team rule"
	f.region == "primary"
	f.area == "custom"
	f.blocking == true
	decision.verdict == "no-go"
	decision.summary.critical == 1
}

# order

test_findings_sorted_by_severity_then_rule_and_place if {
	acl_findings := {
		lib.finding_at("ACL-004", "k2", "grant only in the secondary", "primary", null),
		lib.finding_at("ACL-001", "k1", "grant missing", "secondary", null),
		lib.finding_at("ACL-003", "allow", "everyone in the secondary", "secondary", null),
		lib.finding_at("ACL-003", "allow", "everyone in the primary", "primary", null),
	}
	cost_findings := {lib.finding("CST-002", "mm2", "no owner")}
	decision := main.decision with input as base
		with data.failback.acl.deny as acl_findings
		with data.failback.cost.deny as cost_findings
	[[f.rule_id, f.region] | some f in decision.findings] == [
		["ACL-003", "primary"],
		["ACL-003", "secondary"],
		["ACL-001", "secondary"],
		["ACL-004", "primary"],
		["CST-002", null],
	]
	decision.summary == {"info": 0, "low": 1, "medium": 1, "high": 1, "critical": 2}
}

test_gaps_sorted_by_region_area_reason if {
	gaps := [gap("secondary", "audit", true), gap("primary", "quotas", false), gap("primary", "audit", true)]
	decision := main.decision with input as with_fields({"gaps": gaps})
	[[g.region, g.area] | some g in decision.gaps] == [["primary", "audit"], ["primary", "quotas"], ["secondary", "audit"]]
}

# scorecard

test_scorecard_uses_the_decision_findings if {
	family := {"tier": 3, "evidence": {}, "producers": [], "phases": {}}

	# the rehearsal age limit as the checker always passes it (plan.evidence_settings)
	plan := {"families": {"payments": family}, "evidence": {"rehearsal_max_age_days": 90}}
	inp := with_fields(object.union(allow_everyone, {"plan": plan}))
	decision := main.decision with input as inp
	count(decision.scorecard) == 5
	decision.scorecard == readiness.scorecard(decision.findings) with input as inp
	some cell in decision.scorecard
	cell.phase == "failback"
	cell.reasons[count(cell.reasons) - 1] == "lowered by blocking findings: ACL-003"
}

# waivers and the baseline (failback.exceptions)

# One family, rehearsed for failback: blocking findings lower its failback cell to documented.
one_family := {"plan": {
	"families": {"payments": {
		"tier": 3, "producers": [], "phases": {},
		"evidence": {"failback": {"runbook": "r.md", "rehearsed_epoch": 1699000000, "metrics": 0, "alerts": 0}},
	}},
	"evidence": {"rehearsal_max_age_days": 90},
	"regions": {"primary": "us-east-1", "secondary": "us-west-2"},
}}

everyone_waiver(fields) := object.union(
	{
		"rule_id": "ACL-003", "resource": "allow.everyone.*", "pattern": `^allow\x{2e}everyone\x{2e}(?s:.)*$`,
		"region": "us-west-2", "phase": null, "owner": "team-sec", "reason": "accepted", "ticket": "SEC-1",
		"expires": "2023-11-30", "expires_epoch": 1701302400,
	},
	fields,
)

with_exceptions(waivers, baseline) := with_fields(object.union_n([
	allow_everyone,
	one_family,
	{"exceptions": {"waivers": waivers, "baseline": baseline}},
]))

failback_cell(decision) := cell if {
	some cell in decision.scorecard
	cell.phase == "failback"
}

test_waived_finding_neither_blocks_nor_lowers_the_scorecard if {
	decision := main.decision with input as with_exceptions([everyone_waiver({})], [])
	decision.verdict == "go"
	decision.exceptions == {"waivers_expired": []}
	[[f.rule_id, f.blocking, f.waived.ticket] | some f in decision.findings] == [["ACL-003", false, "SEC-1"]]
	failback_cell(decision).level == "rehearsed"
	every reason in failback_cell(decision).reasons {
		not startswith(reason, "lowered")
	}
}

test_known_finding_does_not_block if {
	baseline := [["ACL-003", "secondary", "allow.everyone.if.no.acl.found"]]
	decision := main.decision with input as with_exceptions([], baseline)
	decision.verdict == "go"
	[[f.rule_id, f.blocking, f.known] | some f in decision.findings] == [["ACL-003", false, true]]
	decision.summary.critical == 1
}

test_expired_waiver_blocks_with_wvr_001 if {
	expired := everyone_waiver({"expires": "2023-11-01", "expires_epoch": 1698796800})
	decision := main.decision with input as with_exceptions([expired], [])
	decision.verdict == "no-go"
	rule_ids(decision) == ["ACL-003", "WVR-001", "WA-003"] # WA-003: medium, no writer declared
	wvr := decision.findings[1]
	[wvr.area, wvr.severity, wvr.title, wvr.blocking] == ["evidence", "high", "Waiver expired", true]
	wvr.resource == "ACL-003 allow.everyone.* region=us-west-2"
	decision.exceptions == {"waivers_expired": [0]}
	cell := failback_cell(decision)
	cell.level == "documented"
	cell.reasons[count(cell.reasons) - 1] == "lowered by blocking findings: ACL-003, WVR-001"
}

test_custom_finding_cannot_claim_to_be_waived_or_known if {
	own := {"rule_id": "TEAM-003", "resource": "t", "message": "m", "severity": "high", "waived": {}, "known": true}
	decision := main.decision with input as base with data.failback.custom as {"team": {"deny": {own}}}
	f := decision.findings[0]
	not "waived" in object.keys(f)
	not "known" in object.keys(f)
	f.blocking == true
}

# evidence quality: skewed and stale snapshots (EVD-002, EVD-003) never block, and make the
# verdict indeterminate whatever the waivers and the baseline say

hour := 3600

# Both snapshots captured at the given epochs, judged at base.now with the default limits.
captured(primary_epoch, secondary_epoch) := with_fields({
	"plan": object.union(base.plan, {"evidence": {"max_snapshot_skew_hours": 24, "max_snapshot_age_hours": 168}}),
	"primary": {"captured_at": "p", "captured_epoch": primary_epoch},
	"secondary": {"captured_at": "s", "captured_epoch": secondary_epoch},
})

fresh := captured(base.now - hour, base.now - (2 * hour))

# captured ten days apart: the primary is also stale
ten_days_apart := captured(base.now - (241 * hour), base.now - hour)

test_fresh_snapshots_are_go if {
	decision := main.decision with input as fresh
	decision.verdict == "go"
	decision.findings == []
}

test_skewed_snapshots_are_indeterminate if {
	decision := main.decision with input as captured(base.now - hour, base.now - (30 * hour))
	decision.verdict == "indeterminate"
	[[f.rule_id, f.severity, f.blocking] | some f in decision.findings] == [["EVD-002", "medium", false]]
}

test_stale_snapshot_is_indeterminate_even_at_fail_on_info if {
	old := base.now - (((25 * 365) * 24) * hour)
	inp := object.union(captured(old, old), {"options": {"fail_on": "info"}})
	decision := main.decision with input as inp
	decision.verdict == "indeterminate"
	rule_ids(decision) == ["EVD-003", "EVD-003"]
	every f in decision.findings {
		f.blocking == false
	}
}

test_blocking_finding_wins_over_stale_evidence if {
	decision := main.decision with input as object.union(ten_days_apart, allow_everyone)
	decision.verdict == "no-go"
	rule_ids(decision) == ["ACL-003", "EVD-002", "EVD-003"]
}

test_waiver_never_turns_stale_evidence_into_go if {
	waivers := [
		everyone_waiver({"rule_id": "EVD-002", "resource": "*", "pattern": `^(?s:.)*$`, "region": null}),
		everyone_waiver({"rule_id": "EVD-003", "resource": "*", "pattern": `^(?s:.)*$`, "region": null}),
	]
	inp := object.union(ten_days_apart, {"exceptions": {"waivers": waivers, "baseline": []}})
	decision := main.decision with input as inp
	decision.verdict == "indeterminate"
	[[f.rule_id, f.waived.ticket] | some f in decision.findings] == [["EVD-002", "SEC-1"], ["EVD-003", "SEC-1"]]
}

test_baseline_never_turns_stale_evidence_into_go if {
	baseline := [["EVD-002", "", "captured_at"], ["EVD-003", "primary", "primary/captured_at"]]
	inp := object.union(ten_days_apart, {"exceptions": {"waivers": [], "baseline": baseline}})
	decision := main.decision with input as inp
	decision.verdict == "indeterminate"
	[[f.rule_id, f.known] | some f in decision.findings] == [["EVD-002", true], ["EVD-003", true]]
}

test_custom_rule_never_decides_evidence_quality if {
	own := {"rule_id": "TEAM-004", "resource": "t", "message": "m", "severity": "low"}
	decision := main.decision with input as fresh with data.failback.custom as {"team": {"deny": {own}}}
	decision.verdict == "go"
}

# custom findings: validated, severity in any case

test_custom_severity_in_any_case if {
	own := {"rule_id": "TEAM-003", "resource": "topic.z", "message": "m", "severity": "CRITICAL"}
	decision := main.decision with input as base with data.failback.custom as {"team": {"deny": {own}}}
	decision.findings[0].severity == "critical"
	decision.findings[0].blocking == true
	decision.verdict == "no-go"
	count(main.invalid_custom) == 0 with input as base with data.failback.custom as {"team": {"deny": {own}}}
}

test_invalid_custom_findings_are_listed if {
	findings := {
		"not an object",
		{"rule_id": "TEAM-004", "message": "no resource"},
		{"rule_id": "", "resource": "r", "message": "empty id"},
		{"rule_id": "TEAM-005", "resource": "r", "message": "m", "severity": "blocker"},
		{"rule_id": "TEAM-006", "resource": "r", "message": "m", "severity": 3},
		{"rule_id": "NET-002", "resource": "r", "message": "borrowed id"},
	}
	invalid := main.invalid_custom with input as base with data.failback.custom as {"team": {"deny": findings}}
	{[f.rule_id, f.problem, f.field, f.value] | some f in invalid} == {
		[null, "not_an_object", null, null],
		["TEAM-004", "missing", "resource", null],
		[null, "missing", "rule_id", null],
		["TEAM-005", "unknown_severity", "severity", "blocker"],
		["TEAM-006", "unknown_severity", "severity", 3],
		["NET-002", "builtin_rule_id", "rule_id", "NET-002"],
	}
	every f in invalid {
		f["package"] == "failback.custom.team"
	}
}
