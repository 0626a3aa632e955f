package failback.audit_test

import data.failback.audit

region(enabled, retention_days, trail_logging) := {"audit": {
	"broker_logs_enabled": enabled,
	"retention_days": retention_days,
	"trail_logging": trail_logging,
}}

pair(primary, secondary) := {"primary": primary, "secondary": secondary}

found(findings, rule_id) := {[f.resource, f.region] | some f in findings; f.rule_id == rule_id}

test_baseline_has_no_findings if {
	count(audit.deny) == 0 with input as pair(region(true, 90, true), region(true, 90, true))
}

test_aud_001_logs_off_in_secondary_fires if {
	findings := audit.deny with input as pair(region(true, 90, true), region(false, -1, true))
	found(findings, "AUD-001") == {["audit.broker_logs", "secondary"]}
}

test_aud_001_logs_off_in_both_passes if {
	found(audit.deny, "AUD-001") == set() with input as pair(region(false, -1, true), region(false, -1, true))
}

test_aud_002_trail_off_in_primary_fires if {
	findings := audit.deny with input as pair(region(true, 90, false), region(true, 90, true))
	found(findings, "AUD-002") == {["audit.trail", "primary"]}
}

test_aud_002_trail_on_in_both_passes if {
	found(audit.deny, "AUD-002") == set() with input as pair(region(true, 90, true), region(true, 90, true))
}

test_aud_003_shorter_secondary_retention_fires if {
	findings := audit.deny with input as pair(region(true, -1, true), region(true, 30, true))
	found(findings, "AUD-003") == {["audit.retention_days", "secondary"]}
	some f in findings
	f.rule_id == "AUD-003"
	f.primary == -1
	f.secondary == 30
}

test_aud_003_longer_or_disabled_passes if {
	found(audit.deny, "AUD-003") == set() with input as pair(region(true, 30, true), region(true, 90, true))
	found(audit.deny, "AUD-003") == set() with input as pair(region(true, 90, true), region(false, 30, true))
}
