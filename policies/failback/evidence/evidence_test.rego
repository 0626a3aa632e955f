package failback.evidence_test

import data.failback.evidence

now := 1700000000

hour := 3600

snapshot(epoch, version) := {
	"captured_at": sprintf("epoch-%d", [epoch]),
	"captured_epoch": epoch,
	"schema_version": version,
}

base := {
	"phase": "normal",
	"now": now,
	"plan": {"evidence": {
		"max_snapshot_skew_hours": 24,
		"max_snapshot_age_hours": 168,
		"rehearsal_max_age_days": 90,
	}},
	"primary": snapshot(now - hour, "1.0"),
	"secondary": snapshot(now - (2 * hour), "1.0"),
	"gaps": [],
}

with_field(key, value) := object.union(base, {key: value})

findings_of(rule_id, findings) := {f | some f in findings; f.rule_id == rule_id}

gap(region, area, call, in_scope) := {
	"region": region, "area": area, "reason": "AccessDenied",
	"call": call, "in_scope": in_scope,
}

# The base input with two snapshots captured at the given epochs (schema 1.0).
captured(primary_epoch, secondary_epoch) := object.union(base, {
	"primary": snapshot(primary_epoch, "1.0"),
	"secondary": snapshot(secondary_epoch, "1.0"),
})

test_evd_001_in_scope_gap_fires if {
	inp := with_field("gaps", [gap("secondary", "quotas", "kafka:DescribeClientQuotas", true)])
	findings := findings_of("EVD-001", evidence.deny) with input as inp
	findings == {{
		"rule_id": "EVD-001",
		"resource": "secondary/quotas",
		"message": "the secondary export could not read quotas: AccessDenied (call kafka:DescribeClientQuotas)",
		"region": "secondary",
		"family": null,
		"primary": null,
		"secondary": null,
	}}
}

test_evd_001_message_without_call if {
	findings := findings_of("EVD-001", evidence.deny) with input as with_field("gaps", [gap("primary", "audit", "", true)])
	count(findings) == 1
	some f in findings
	f.resource == "primary/audit"
	f.region == "primary"
	f.message == "the primary export could not read audit: AccessDenied"
}

test_evd_001_out_of_scope_gap_passes if {
	inp := with_field("gaps", [gap("secondary", "quotas", "x", false)])
	count(findings_of("EVD-001", evidence.deny)) == 0 with input as inp
}

test_evd_002_skew_fires if {
	inp := captured(now - hour, (now - (30 * hour)) - 100)
	findings := findings_of("EVD-002", evidence.deny) with input as inp
	count(findings) == 1
	some f in findings
	f.resource == "captured_at"
	f.region == null
	f.message == "the snapshots were captured 29 hours apart (at most 24 allowed)"
	f.primary == inp.primary.captured_at
	f.secondary == inp.secondary.captured_at
}

test_evd_002_skew_either_direction_fires if {
	inp := captured(now - (30 * hour), now - hour)
	count(findings_of("EVD-002", evidence.deny)) == 1 with input as inp
}

test_evd_002_skew_at_limit_passes if {
	inp := captured(now - hour, now - (25 * hour))
	count(findings_of("EVD-002", evidence.deny)) == 0 with input as inp
}

test_evd_003_stale_primary_fires if {
	inp := captured(now - (200 * hour), now - (190 * hour))
	findings := findings_of("EVD-003", evidence.deny) with input as inp
	{[f.resource, f.region] | some f in findings} == {
		["primary/captured_at", "primary"],
		["secondary/captured_at", "secondary"],
	}
	some f in findings
	f.region == "primary"
	f.message == sprintf("the primary snapshot (captured epoch-%d) is 200 hours old (at most 168 allowed)", [
		now - (200 * hour),
	])
}

test_evd_003_stale_secondary_only if {
	inp := object.union(base, {"secondary": snapshot(now - (169 * hour), "1.0")})
	{f.resource | some f in findings_of("EVD-003", evidence.deny)} == {"secondary/captured_at"} with input as inp
}

test_evd_003_at_limit_passes if {
	inp := object.union(base, {"primary": snapshot(now - (168 * hour), "1.0")})
	count(findings_of("EVD-003", evidence.deny)) == 0 with input as inp
}

test_evd_004_schema_versions_differ_fires if {
	inp := object.union(base, {"secondary": snapshot(now - hour, "1.1")})
	findings := findings_of("EVD-004", evidence.deny) with input as inp
	count(findings) == 1
	some f in findings
	f.resource == "schema_version"
	f.primary == "1.0"
	f.secondary == "1.1"
}

test_evd_004_same_schema_passes if {
	count(findings_of("EVD-004", evidence.deny)) == 0 with input as base
}

test_evd_clean_input_has_no_findings if {
	count(evidence.deny) == 0 with input as base
}

test_evd_003_25_year_old_snapshot_fires if {
	old := now - (((25 * 365) * 24) * hour)
	inp := captured(old, old)
	resources := {f.resource | some f in findings_of("EVD-003", evidence.deny)} with input as inp
	resources == {"primary/captured_at", "secondary/captured_at"}
	count(findings_of("EVD-002", evidence.deny)) == 0 with input as inp
}

# The checker refuses a snapshot captured more than 5 minutes after `now` (an input error);
# one captured within that clock skew is fresh.
test_evd_003_snapshot_within_clock_skew_passes if {
	inp := captured(now + 300, now - hour)
	count(findings_of("EVD-003", evidence.deny)) == 0 with input as inp
}
