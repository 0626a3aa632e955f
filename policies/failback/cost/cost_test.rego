package failback.cost_test

import data.failback.cost

day := 86400

plan(max_days, since) := {"cost": {
	"max_dual_region_days": max_days,
	"dual_region_since_epoch": since,
	"owner": "finops",
}}

# Input for CST-001: the plan's budget and dual-region start, judged at day 1000.
budget(max_days, since) := {"now": 1000 * day, "plan": plan(max_days, since), "flows": {}}

# Input for CST-002: one flow, no budget.
one_flow(f) := {"plan": plan(null, null), "flows": {"k": f}}

flow(source, target, active, owner) := {
	"name": "mm2-west-east", "source": source, "target": target,
	"active": active, "healthy": active, "owner": owner, "families": ["payments"],
}

found(findings, rule_id) := {[f.resource, f.region] | some f in findings; f.rule_id == rule_id}

test_cst_001_over_budget_fires if {
	findings := cost.deny with input as budget(7, (1000 * day) - ((10 * day) + 3600))
	found(findings, "CST-001") == {["cost.max_dual_region_days", null]}
	some f in findings
	f.rule_id == "CST-001"
	f.message == "Both regions have run for 10 days, more than the plan's maximum of 7 days"
}

test_cst_001_within_budget_or_unset_passes if {
	found(cost.deny, "CST-001") == set() with input as budget(7, 993 * day)
	found(cost.deny, "CST-001") == set() with input as budget(null, 1)
	found(cost.deny, "CST-001") == set() with input as budget(7, null)
}

test_cst_002_unowned_cross_region_flow_fires if {
	blank_owner := cost.deny with input as one_flow(flow("secondary", "primary", true, ""))
	found(blank_owner, "CST-002") == {["mm2-west-east", "primary"]}
	no_owner := cost.deny with input as one_flow(flow("external", "secondary", true, null))
	found(no_owner, "CST-002") == {["mm2-west-east", "secondary"]}
}

test_cst_002_owned_inactive_or_local_flow_passes if {
	found(cost.deny, "CST-002") == set() with input as one_flow(flow("secondary", "primary", true, "data-platform"))
	found(cost.deny, "CST-002") == set() with input as one_flow(flow("secondary", "primary", false, null))
	found(cost.deny, "CST-002") == set() with input as one_flow(flow("primary", "primary", true, null))
}
