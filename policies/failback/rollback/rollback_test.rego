package failback.rollback_test

import data.failback.rollback

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
