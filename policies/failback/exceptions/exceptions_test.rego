package failback.exceptions_test

import rego.v1

import data.failback.exceptions

# input.now is 2023-11-14T22:13:20Z: day 19675 since the epoch.
now := 1700000000

today_epoch := 1699920000 # 2023-11-14T00:00:00Z

yesterday_epoch := 1699833600 # 2023-11-13T00:00:00Z

waiver(rule_id, pattern, fields) := object.union(
	{
		"rule_id": rule_id, "resource": "ledger.*", "pattern": pattern, "region": null, "phase": null,
		"owner": "team-platform", "reason": "accepted", "ticket": "RISK-1",
		"expires": "2023-11-14", "expires_epoch": today_epoch,
	},
	fields,
)

ledger := `^ledger\x{2e}(?s:.)*$`

expired_fields := {"expires": "2023-11-13", "expires_epoch": yesterday_epoch}

with_exceptions(waivers, baseline) := {
	"phase": "failback",
	"now": now,
	"plan": {"regions": {"primary": "us-east-1", "secondary": "us-west-2"}},
	"exceptions": {"waivers": waivers, "baseline": baseline},
}

finding(rule_id, resource, region) := {
	"rule_id": rule_id, "resource": resource, "message": "m", "region": region,
	"family": null, "primary": null, "secondary": null, "severity": "high", "blocking": true,
}

retention := finding("RET-001", "ledger.entries", "secondary")

# no exceptions given

test_without_exceptions_nothing_changes if {
	inp := {"phase": "failback", "now": now, "plan": {}}
	count(exceptions.deny) == 0 with input as inp
	exceptions.status(retention) == {} with input as inp
	exceptions.report == {} with input as inp
}

# waivers

test_waiver_waives_a_covered_finding if {
	inp := with_exceptions([waiver("RET-001", ledger, {})], [])
	exceptions.status(retention) == {
		"blocking": false,
		"waived": {"owner": "team-platform", "reason": "accepted", "ticket": "RISK-1", "expires": "2023-11-14"},
		"waiver_index": 0,
	} with input as inp
}

test_waiver_of_another_rule_or_resource_waives_nothing if {
	inp := with_exceptions(
		[waiver("RET-002", ledger, {}), waiver("RET-001", `^payments\x{2e}(?s:.)*$`, {})],
		[],
	)
	exceptions.status(retention) == {} with input as inp
}

test_first_covering_waiver_in_file_order_wins if {
	inp := with_exceptions(
		[
			waiver("RET-001", `^other$`, {}),
			waiver("RET-001", ledger, {"ticket": "RISK-2"}),
			waiver("RET-001", `^(?s:.)*$`, {"ticket": "RISK-3"}),
		],
		[],
	)
	patch := exceptions.status(retention) with input as inp
	patch.waiver_index == 1
	patch.waived.ticket == "RISK-2"
}

test_expired_waiver_waives_nothing if {
	inp := with_exceptions([waiver("RET-001", ledger, expired_fields)], [])
	exceptions.status(retention) == {} with input as inp
}

test_waiver_holds_through_its_last_day if {
	inp := with_exceptions([waiver("RET-001", ledger, {})], [])
	exceptions.waiver_of(retention) == 0 with input as inp
	count(exceptions.deny) == 0 with input as inp
}

test_waiver_phase_must_be_the_judged_phase if {
	other := with_exceptions([waiver("RET-001", ledger, {"phase": "cleanup"})], [])
	not exceptions.waiver_of(retention) with input as other
	same := with_exceptions([waiver("RET-001", ledger, {"phase": "failback"})], [])
	exceptions.waiver_of(retention) == 0 with input as same
}

test_waiver_region_is_a_role_or_its_region_name if {
	by_role := with_exceptions([waiver("RET-001", ledger, {"region": "secondary"})], [])
	exceptions.waiver_of(retention) == 0 with input as by_role
	by_name := with_exceptions([waiver("RET-001", ledger, {"region": "us-west-2"})], [])
	exceptions.waiver_of(retention) == 0 with input as by_name
	other := with_exceptions([waiver("RET-001", ledger, {"region": "us-east-1"})], [])
	not exceptions.waiver_of(retention) with input as other
}

test_region_waiver_does_not_cover_a_finding_about_no_region if {
	inp := with_exceptions([waiver("RB-001", `^rollback$`, {"region": "primary"})], [])
	not exceptions.waiver_of(finding("RB-001", "rollback", null)) with input as inp
}

test_waiver_never_covers_a_resource_that_is_not_text if {
	inp := with_exceptions([waiver("TEAM-001", `^(?s:.)*$`, {})], [])
	not exceptions.waiver_of(finding("TEAM-001", 7, null)) with input as inp
}

test_no_waiver_accepts_an_expired_waiver if {
	inp := with_exceptions([waiver("RET-001", ledger, expired_fields), waiver("WVR-001", `^(?s:.)*$`, {})], [])
	some expired in exceptions.deny with input as inp
	exceptions.status(expired) == {} with input as inp
}

# WVR-001

test_wvr_001_valid_waivers_are_silent if {
	inp := with_exceptions([waiver("RET-001", ledger, {}), waiver("RET-002", ledger, {})], [])
	count(exceptions.deny) == 0 with input as inp
	exceptions.report == {"exceptions": {"waivers_expired": []}} with input as inp
}

test_wvr_001_expired_waiver_fires if {
	inp := with_exceptions([waiver("RET-002", ledger, {}), waiver("RET-001", ledger, expired_fields)], [])
	exceptions.deny == {{
		"rule_id": "WVR-001",
		"resource": "RET-001 ledger.*",
		"message": "The waiver for RET-001 on ledger.* (owner team-platform, ticket RISK-1) expired on 2023-11-13",
		"region": null,
		"family": null,
		"primary": null,
		"secondary": null,
		"waiver_index": 1,
	}} with input as inp
	exceptions.report == {"exceptions": {"waivers_expired": [1]}} with input as inp
}

test_wvr_001_resource_names_the_waiver_region_and_phase if {
	fields := object.union(expired_fields, {"region": "us-west-2", "phase": "failback"})
	inp := with_exceptions([waiver("RET-001", ledger, fields)], [])
	[f.resource | some f in exceptions.deny] == ["RET-001 ledger.* region=us-west-2 phase=failback"] with input as inp
}

test_wvr_001_only_in_the_phases_the_waiver_covers if {
	inp := with_exceptions([waiver("RET-001", ledger, object.union(expired_fields, {"phase": "cleanup"}))], [])
	count(exceptions.deny) == 0 with input as inp
	exceptions.report == {"exceptions": {"waivers_expired": [0]}} with input as inp
}

test_wvr_001_identical_expired_waivers_are_two_findings if {
	entry := waiver("RET-001", ledger, expired_fields)
	inp := with_exceptions([entry, entry], [])
	{f.waiver_index | some f in exceptions.deny} == {0, 1} with input as inp
}

# the baseline

key := ["RET-001", "secondary", "ledger.entries"]

test_finding_in_the_baseline_is_known if {
	exceptions.status(retention) == {"blocking": false, "known": true} with input as with_exceptions([], [key])
}

test_finding_outside_the_baseline_is_new if {
	inp := with_exceptions([], [["RET-001", "primary", "ledger.entries"], ["RET-002", "secondary", "ledger.entries"]])
	exceptions.status(retention) == {} with input as inp
}

test_baseline_key_of_a_finding_about_no_region if {
	inp := with_exceptions([], [["RB-001", "", "rollback"]])
	exceptions.known(finding("RB-001", "rollback", null)) with input as inp
}

test_baseline_key_collapses_whitespace_as_python_split if {
	resource := "\u3000 ledger\u00a0\u2028entries\u001c\t\u0085 \u200b "
	inp := with_exceptions([], [["RET-001", "secondary", "ledger entries \u200b"]])
	exceptions.known(finding("RET-001", resource, "secondary")) with input as inp
	not exceptions.known(finding("RET-001", "ledger\u200bentries \u200b", "secondary")) with input as inp
}

test_baseline_never_holds_an_expired_waiver if {
	inp := with_exceptions(
		[waiver("RET-001", ledger, expired_fields)],
		[["WVR-001", "", "RET-001 ledger.*"]],
	)
	some expired in exceptions.deny with input as inp
	not exceptions.known(expired) with input as inp
}

test_waived_and_known_together if {
	inp := with_exceptions([waiver("RET-001", ledger, {})], [key])
	patch := exceptions.status(retention) with input as inp
	patch.blocking == false
	patch.known == true
	patch.waiver_index == 0
}
