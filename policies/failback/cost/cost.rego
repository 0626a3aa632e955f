# METADATA
# title: Cost of dual-region operation
# description: |
#   Running both regions costs money: dual-region operation must end within the plan's
#   budget, and every cross-region flow needs an owner for its transfer cost.
package failback.cost

import data.failback.lib

has_owner(flow) if {
	flow.owner != null
	flow.owner != ""
}

deny contains f if {
	maximum := input.plan.cost.max_dual_region_days
	maximum != null
	since := input.plan.cost.dual_region_since_epoch
	since != null
	days := (input.now - since) / 86400
	days > maximum
	f := lib.finding(
		"CST-001", "cost.max_dual_region_days",
		sprintf("Both regions have run for %d days, more than the plan's maximum of %d days", [floor(days), maximum]),
	)
}

deny contains f if {
	some flow in input.flows
	flow.active == true
	flow.source != flow.target
	not has_owner(flow)
	f := lib.finding_at(
		"CST-002", flow.name,
		sprintf("Replication flow %s from the %s to the %s has no owner for its cross-region transfer cost", [
			flow.name, flow.source, flow.target,
		]),
		flow.target, null,
	)
}
