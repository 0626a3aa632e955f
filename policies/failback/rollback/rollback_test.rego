package failback.rollback_test

import data.failback.rollback

phases := {
	"normal": {"writer": "primary", "consumer": "primary"},
	"failover": {"writer": "secondary", "consumer": "secondary"},
	"dr_operation": {"writer": "secondary", "consumer": "secondary"},
	"failback": {"writer": "primary", "consumer": "primary"},
	"cleanup": {"writer": "primary", "consumer": "primary"},
}

# A failback-phase input whose family "payments" has the given flows each way.
replicated(forth, back) := {
	"phase": "failback",
	"plan": {
		"families": {"payments": {"tier": 1, "phases": phases}},
		"rollback": {"stop_point": "before producers move", "return_path": "runbooks/return.md"},
	},
	"replication": {"payments": {"directions": {
		"primary->secondary": {"flows": forth, "active": forth, "healthy": [f | some f in forth; f != "k-stopped"]},
		"secondary->primary": {"flows": back, "active": back, "healthy": back},
	}}},
}

plan(stop_point, return_path) := {"phase": "failback", "plan": {
	"families": {},
	"rollback": {"stop_point": stop_point, "return_path": return_path},
}}

found(rule_id, findings) := {f | some f in findings; f.rule_id == rule_id}

test_rb_001_missing_both_fires if {
	fs := found("RB-001", rollback.deny) with input as plan(null, null)
	count(fs) == 1
	some f in fs
	f.resource == "rollback"
	contains(f.message, "stop_point and return_path")
}

test_rb_001_empty_return_path_fires if {
	fs := found("RB-001", rollback.deny) with input as plan("consumers moved back", "")
	count(fs) == 1
	some f in fs
	f.resource == "rollback"
	contains(f.message, "return_path")
	not contains(f.message, "stop_point")
}

test_rb_001_missing_section_fires if {
	count(found("RB-001", rollback.deny)) == 1 with input as {"phase": "failback", "plan": {"families": {}}}
}

test_rb_001_complete_rollback_passes if {
	count(found("RB-001", rollback.deny)) == 0 with input as plan("producers switched", "runbooks/return.md")
}

test_rb_002_forward_flow_stopped_fires if {
	fs := found("RB-002", rollback.deny) with input as replicated(["k-stopped"], ["k-rev"])
	count(fs) == 1
	some f in fs
	f.resource == "payments"
	f.region == "secondary"
	f.family == "payments"
	contains(f.message, "from the primary (the failback writer) to the secondary")
}

test_rb_002_no_forward_flow_fires if {
	{f.resource | some f in found("RB-002", rollback.deny)} == {"payments"} with input as replicated([], ["k-rev"])
}

test_rb_002_healthy_forward_flow_passes if {
	count(found("RB-002", rollback.deny)) == 0 with input as replicated(["k-fwd"], ["k-rev"])
}

test_rb_002_unreplicated_family_passes if {
	count(found("RB-002", rollback.deny)) == 0 with input as replicated([], [])
}
