package failback.lib_test

import data.failback.lib

family(writer) := {"phases": {"failback": {"writer": writer, "consumer": writer}}}

plan(writer) := {"plan": {"families": {"payments": family(writer)}}}

test_snapshot_and_other_role if {
	lib.snapshot("secondary") == {"region": "us-west-2"} with input as {"secondary": {"region": "us-west-2"}}
	lib.other_role("primary") == "secondary"
	lib.other_role("secondary") == "primary"
}

test_writer_undefined_when_not_declared if {
	not lib.writer("payments", "failback") with input as plan(null)
	not lib.writer("payments", "normal") with input as plan("primary")
	not lib.writer("orders", "failback") with input as plan("primary")
}

test_single_writer_only_for_one_region if {
	lib.single_writer("payments", "failback") == "secondary" with input as plan("secondary")
	not lib.single_writer("payments", "failback") with input as plan("both")
	not lib.single_writer("payments", "failback") with input as plan("none")
}

test_passive_regions if {
	lib.passive_regions("payments", "failback") == {"primary"} with input as plan("secondary")
	lib.passive_regions("payments", "failback") == {"primary", "secondary"} with input as plan("none")
	not lib.passive_regions("payments", "failback") with input as plan("both")
}

test_finding_helpers if {
	f := lib.compare(lib.finding_at("WA-001", "payments", "message", "secondary", "payments"), 1, 2)
	f == {
		"rule_id": "WA-001", "resource": "payments", "message": "message",
		"region": "secondary", "family": "payments", "primary": 1, "secondary": 2,
	}
}

test_flows_of_a_family if {
	flows := {"flows": {
		"a": {"name": "a", "active": true, "healthy": true, "families": ["payments"]},
		"b": {"name": "b", "active": true, "healthy": false, "families": ["payments"]},
		"c": {"name": "c", "active": false, "healthy": false, "families": ["payments"]},
		"d": {"name": "d", "active": true, "healthy": true, "families": ["orders"]},
	}}
	{flow.name | some flow in lib.active_flows("payments")} == {"a", "b"} with input as flows
	{flow.name | some flow in lib.healthy_flows("payments")} == {"a"} with input as flows
}

test_shorter_treats_negative_as_unlimited if {
	lib.shorter(1, 2)
	lib.shorter(5, -1)
	not lib.shorter(-1, 5)
	not lib.shorter(-1, -1)
	not lib.shorter(2, 2)
	not lib.shorter(3, 2)
}

test_consumer_undefined_when_not_declared if {
	lib.consumer("payments", "failback") == "secondary" with input as plan("secondary")
	not lib.consumer("payments", "failback") with input as plan(null)
}

test_fence_defaults_to_acl if {
	lib.fence("payments") == "acl" with input as plan("primary")
	fenced := {"plan": {"families": {"payments": {"fence": {"mode": "prestaged"}}}}}
	lib.fence("payments") == "prestaged" with input as fenced
}
