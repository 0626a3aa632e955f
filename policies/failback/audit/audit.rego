# METADATA
# title: Audit logging parity
# description: |
#   Broker logs and the API trail must record in both regions, and the secondary must keep
#   broker logs at least as long as the primary.
package failback.audit

import data.failback.lib

days(value) := "never" if value < 0

days(value) := sprintf("after %d days", [value]) if value >= 0

deny contains f if {
	some role in lib.roles
	input[role].audit.broker_logs_enabled == false
	other := lib.other_role(role)
	input[other].audit.broker_logs_enabled == true
	f := lib.compare(
		lib.finding_at(
			"AUD-001", "audit.broker_logs",
			sprintf("Broker logs are delivered in the %s but not in the %s", [other, role]),
			role, null,
		),
		input.primary.audit.broker_logs_enabled,
		input.secondary.audit.broker_logs_enabled,
	)
}

deny contains f if {
	some role in lib.roles
	input[role].audit.trail_logging == false
	other := lib.other_role(role)
	input[other].audit.trail_logging == true
	f := lib.compare(
		lib.finding_at(
			"AUD-002", "audit.trail",
			sprintf("The API trail is logging in the %s but not in the %s", [other, role]),
			role, null,
		),
		input.primary.audit.trail_logging,
		input.secondary.audit.trail_logging,
	)
}

deny contains f if {
	input.primary.audit.broker_logs_enabled == true
	input.secondary.audit.broker_logs_enabled == true
	primary := input.primary.audit.retention_days
	secondary := input.secondary.audit.retention_days
	lib.shorter(secondary, primary)
	f := lib.compare(
		lib.finding_at(
			"AUD-003", "audit.retention_days",
			sprintf("Broker logs expire %s in the secondary but %s in the primary", [days(secondary), days(primary)]),
			"secondary", null,
		),
		primary, secondary,
	)
}
