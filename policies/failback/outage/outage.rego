# METADATA
# title: Outage-aware judgement
# description: |
#   When the plan or --impaired-region declares a region down (input.outage), a rule that
#   needs a flow into or out of that region, or its live state, is not judged; a rule that
#   compares the healthy region with the impaired region's snapshot is not judged while that
#   snapshot lacks the areas it reads; findings about the impaired region itself are listed
#   as not judgeable. Everything else (the healthy region's own governance, write and consumer
#   authority) is judged as usual: an outage never turns a finding of the healthy region into
#   a GO. The aggregate decision (failback.main) applies these sets.
package failback.outage

import data.failback.lib

# Rules that need a flow between the regions (every flow has the impaired region at one end),
# or the impaired region's live state (its consumer groups, topics as they are now, the other
# leg of a replicator pair, a snapshot taken at the same time as the healthy one).
cross_region := {
	"CA-002",
	"CMP-004",
	"EVD-002",
	"OFF-001",
	"OFF-003",
	"OFF-005",
	"RB-002",
	"REP-001",
	"REP-003",
	"REP-004",
	"REP-005",
	"REP-006",
	"WA-008",
}

# Rules that compare the healthy region with the impaired region's (last known) snapshot:
# judged when that snapshot has the areas they read, not judged when it lacks them.
compared := {
	"ACL-001",
	"ACL-002",
	"ACL-004",
	"ACL-005",
	"ACL-006",
	"ACL-007",
	"AUD-001",
	"AUD-002",
	"AUD-003",
	"CMP-001",
	"CMP-003",
	"ENC-001",
	"ENC-002",
	"ENC-003",
	"ENC-004",
	"ENC-005",
	"EVD-004",
	"NET-001",
	"NET-003",
	"RET-001",
	"RET-002",
	"RET-003",
	"TOP-001",
	"TOP-002",
	"TOP-003",
	"TOP-004",
	"WA-001",
}

declared if is_object(input.outage)

# The role (primary | secondary) of the impaired region.
impaired := input.outage.impaired if declared

healthy := lib.other_role(impaired)

# Snapshot areas of the impaired region that are unknown (a gap, or no snapshot at all).
unknown_areas contains gap.area if {
	some gap in input.gaps
	gap.region == impaired
}

# Rule id -> why the whole rule is not judged in the outage.
not_judged[rule] := sprintf("needs a flow into or out of the impaired %s, or its live state", [impaired]) if {
	declared
	some rule in cross_region
}

not_judged[rule] := sprintf(
	"compares with the impaired %s's %s, which is unknown",
	[impaired, concat(", ", areas)],
) if {
	declared
	some rule in compared
	areas := sort([area |
		some area in data.failback.catalog.rules[rule].inputs
		area in unknown_areas
	])
	count(areas) > 0
}

# A built-in finding about the impaired region itself (its own governance, its gaps, its
# stale snapshot): listed, not judged. A finding about the healthy region or both regions
# (region null) is judged.
about_impaired(f) if {
	declared
	f.region == impaired
}

# An in-scope gap of the impaired region does not make the verdict indeterminate in an
# outage: its areas are listed as not judgeable instead.
excused_gap(gap) if {
	declared
	gap.region == impaired
}
