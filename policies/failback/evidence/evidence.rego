# METADATA
# title: Evidence quality
# description: |
#   Whether the two snapshots can be trusted as evidence: exporter gaps, capture skew
#   between the regions, snapshot age and schema versions.
package failback.evidence

import data.failback.lib

# Non-negative whole units (sprintf %d of negatives differs between engines).
whole(seconds, unit) := floor(max([seconds, 0]) / unit)

gap_call(gap) := call if {
	call := object.get(gap, "call", "")
	call != null
	call != ""
}

gap_message(gap) := sprintf("the %s export could not read %s: %s (call %s)", [
	gap.region, gap.area, gap.reason, call,
]) if {
	call := gap_call(gap)
} else := sprintf("the %s export could not read %s: %s", [gap.region, gap.area, gap.reason])

deny contains lib.finding_at(
	"EVD-001", sprintf("%s/%s", [gap.region, gap.area]),
	gap_message(gap),
	gap.region, null,
) if {
	some gap in input.gaps
	gap.in_scope == true
}

deny contains lib.compare(
	lib.finding(
		"EVD-002", "captured_at",
		sprintf("the snapshots were captured %d hours apart (at most %v allowed)", [
			whole(skew, 3600), max_hours,
		]),
	),
	input.primary.captured_at, input.secondary.captured_at,
) if {
	skew := abs(input.primary.captured_epoch - input.secondary.captured_epoch)
	max_hours := input.plan.evidence.max_snapshot_skew_hours
	skew > max_hours * 3600
}

deny contains lib.finding_at(
	"EVD-003", sprintf("%s/captured_at", [role]),
	sprintf("the %s snapshot (captured %s) is %d hours old (at most %v allowed)", [
		role, captured_at, whole(age, 3600), max_hours,
	]),
	role, null,
) if {
	some role in lib.roles
	age := input.now - input[role].captured_epoch
	max_hours := input.plan.evidence.max_snapshot_age_hours
	age > max_hours * 3600
	captured_at := input[role].captured_at
}

deny contains lib.compare(
	lib.finding(
		"EVD-004", "schema_version",
		sprintf("the primary snapshot uses schema %v and the secondary %v", [
			input.primary.schema_version, input.secondary.schema_version,
		]),
	),
	input.primary.schema_version, input.secondary.schema_version,
) if {
	input.primary.schema_version != input.secondary.schema_version
}
