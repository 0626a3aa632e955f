# The rule catalog, continued: the evidence area's rules, whether the two snapshots can be
# trusted as evidence. EVD-001, EVD-002 and EVD-003 are evidence-quality rules
# (indeterminate: true): they never block, and a finding of one makes the verdict
# indeterminate, whatever waivers and the baseline say (failback.main). In its own file to
# keep catalog.rego under Regal's file length, and self-contained: OPA compiles each module
# as it is uploaded.
package failback.catalog

evidence_rules := {
	"EVD-001": {
		"area": "evidence",
		"severity": "high",
		"title": "Evidence gap",
		"description": concat(" ", [
			"An exporter could not read a governance area; rules that need it are not judged and the",
			"verdict is indeterminate.",
		]),
		"remediation": "Grant the exporter the missing read permission (see the shipped IAM policy) and export again.",
		"phases": data.failback.catalog.all_phases,
		"inputs": [],
		"indeterminate": true,
	},
	"EVD-002": {
		"area": "evidence",
		"severity": "medium",
		"title": "Snapshots captured too far apart",
		"description": concat(" ", [
			"The two regions were captured further apart than evidence.max_snapshot_skew_hours, so they may",
			"not describe one moment: the verdict is indeterminate unless another finding blocks.",
		]),
		"remediation": "Export both regions again, close together.",
		"phases": data.failback.catalog.all_phases,
		"inputs": [],
		"indeterminate": true,
	},
	"EVD-003": {
		"area": "evidence",
		"severity": "medium",
		"title": "Stale snapshot",
		"description": concat(" ", [
			"A snapshot is older than evidence.max_snapshot_age_hours, so it may not describe the estate",
			"as it is now: the verdict is indeterminate unless another finding blocks.",
		]),
		"remediation": "Export the region again.",
		"phases": data.failback.catalog.all_phases,
		"inputs": [],
		"indeterminate": true,
	},
	"EVD-004": {
		"area": "evidence",
		"severity": "low",
		"title": "Snapshot schema versions differ",
		"description": concat(" ", [
			"The two snapshots use different minor versions of the snapshot schema; fields added later are",
			"missing from one side.",
		]),
		"remediation": "Export both regions with the same failback-checker version.",
		"phases": data.failback.catalog.all_phases,
		"inputs": [],
	},
}
