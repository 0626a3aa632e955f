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

# The catalog's classification (policies/failback/catalog/outage_rules.rego).
cross_region := data.failback.catalog.outage_cross_region

compared := data.failback.catalog.outage_compared

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
	"compares with the impaired %s, whose snapshot lacks %s",
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
