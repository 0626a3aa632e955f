# METADATA
# title: Runtime gates
# description: |
#   The failback steps' runtime gate conditions (input.plan.failback_steps[_].gates.runtime,
#   overridden per family by runtime_families) judged on the runtime facts Python derived
#   from the snapshots' runtime areas (input.runtime, checker/runtime.py): replication lag of
#   the failback flow (DR region to the returning region), offline partitions, offset
#   continuity and consumer groups active in both regions, MSK Replicator offset-sync
#   failures, and how old the evidence is. A violated gate is a finding carrying its step; a
#   violation an earlier step already reports is not repeated (the earlier step holds the later
#   ones). A runtime gate without the evidence to judge it makes its step indeterminate
#   (awaiting).
package failback.runtime

import data.failback.lib

steps := object.get(input.plan, "failback_steps", [])

facts := object.get(input, "runtime", {})

flows := object.get(facts, "flows", {})

step_gate(step) := object.get(object.get(step, "gates", {}), "runtime", {})

# The gate for a family: its override for the step, else the step's.
gate(step, family) := object.get(
	object.get(object.get(step, "gates", {}), "runtime_families", {}),
	family,
	step_gate(step),
)

# Whether the step has a runtime gate for any family (or for all).
gated(step) if count(step_gate(step)) > 0

gated(step) if {
	some g in object.get(object.get(step, "gates", {}), "runtime_families", {})
	count(g) > 0
}

# The failback flows measured for a family: from the DR-operation writer to the failback writer.
failback_flow(family, flow) if {
	[flow.source, flow.target] == lib.failback_direction(family)
	flow.families[family]
}

# violations: [rule id, key, step index, finding] before the earlier-step filter.
violations contains ["RT-001", key, i, lib.finding_at(
	"RT-001", key,
	sprintf("Failback flow %s for %s: %v records / %s behind, gate %s", [
		flow.name, family, lag.records, seconds_text(lag.seconds), lag_gate_text(g),
	]),
	flow.target, family,
)] if {
	some i, step in steps
	some flow in flows
	some family, lag in flow.families
	failback_flow(family, flow)
	g := gate(step, family)
	over_lag(lag, g)
	key := sprintf("%s:%s", [flow.name, family])
}

violations contains ["RT-002", key, i, lib.finding_at(
	"RT-002", family,
	sprintf("%v partition(s) of %s offline in the %s (no leader, e.g. %s), gate %v", [
		health.offline, family, role, concat(", ", health.offline_partitions), g.max_offline_partitions,
	]),
	role, family,
)] if {
	some i, step in steps
	some family, regions in object.get(facts, "health", {})
	some role, health in regions
	g := gate(step, family)
	health.offline > g.max_offline_partitions
	key := sprintf("%s|%s", [family, role])
}

violations contains ["RT-003", key, i, lib.finding_at(
	"RT-003", group,
	sprintf(
		"Consumer group %s of %s would re-read %v and skip %v records after switching to the %s (flow %s), gate %v",
		[group, family, entry.reread, entry.skip, flow.target, flow.name, g.max_offset_gap],
	),
	flow.target, family,
)] if {
	some i, step in steps
	some flow in flows
	some family, lag in flow.families
	failback_flow(family, flow)
	g := gate(step, family)
	some group, entry in lag.groups
	is_number(entry.gap)
	entry.gap > g.max_offset_gap
	key := sprintf("%s|%s|%s", [flow.name, family, group])
}

violations contains ["RT-004", key, i, lib.finding_at(
	"RT-004", group,
	sprintf("Consumer group %s of %s has active members in both the %s and the %s", [
		group, family, flow.source, flow.target,
	]),
	null, family,
)] if {
	some i, step in steps
	some flow in flows
	some family, lag in flow.families
	failback_flow(family, flow)
	gate(step, family).no_dual_active_groups == true
	some group, entry in lag.groups
	entry.active_source
	entry.active_target
	key := sprintf("%s|%s", [family, group])
}

violations contains ["RT-005", role, i, lib.finding_at(
	"RT-005", role,
	sprintf("The %s region's runtime evidence is %v s old, older than step %s's window of %v s", [
		role, age, step.name, window,
	]),
	role, null,
)] if {
	some i, step in steps
	some role, captured in object.get(facts, "captured_epoch", {})
	is_number(captured)
	age := input.now - captured
	window := min({g.max_age_seconds | some g in step_gates(step)})
	age > window
}

violations contains ["RT-006", key, i, lib.finding_at(
	"RT-006", flow.name,
	sprintf("%s of %s is %v over the last %v s (%s region), gate %v", [
		metric.metric, flow.name, metric.value, metric.window_seconds, metric.region,
		g.max_offset_sync_failures,
	]),
	metric.region, family,
)] if {
	some i, step in steps
	some metric in object.get(facts, "metrics", [])
	metric.metric == "ConsumerGroupOffsetSyncFailure"
	is_number(metric.value)
	some flow in flows
	metric.subject.name == flow.name
	some family, _ in flow.families
	failback_flow(family, flow)
	g := gate(step, family)
	metric.value > g.max_offset_sync_failures
	key := sprintf("%s|%s|%s", [flow.name, family, metric.region])
}

over_lag(lag, g) if lag.records > g.max_lag_records

over_lag(lag, g) if {
	is_number(lag.seconds)
	lag.seconds > g.max_lag_seconds
}

seconds_text(s) := sprintf("%v s", [s]) if is_number(s)

else := "unknown time"

lag_gate_text(g) := concat(" / ", [text |
	some [name, unit] in [["max_lag_records", "records"], ["max_lag_seconds", "s"]]
	is_number(g[name])
	text := sprintf("%v %s", [g[name], unit])
])

# The step's gate and every family override that gates something.
step_gates(step) := {g |
	some g in array.concat(
		[step_gate(step)],
		[o | some o in object.get(object.get(step, "gates", {}), "runtime_families", {})],
	)
	is_number(object.get(g, "max_age_seconds", null))
}

# A violation an earlier step already reports holds this step through that step.
reported_earlier(v) if {
	some earlier in violations
	earlier[0] == v[0]
	earlier[1] == v[1]
	earlier[2] < v[2]
}

deny contains object.union(v[3], {"step": steps[v[2]].name}) if {
	some v in violations
	not reported_earlier(v)
}

# What keeps a runtime-gated step from being judged: missing or unreadable runtime evidence,
# partitions or offsets that could not be measured. The step is then indeterminate.
awaiting[step.name] := reasons if {
	some step in steps
	gated(step)
	reasons := sort(unknowns(step))
	count(reasons) > 0
}

given(role) if object.get(object.get(facts, "given", {}), role, false) == true

missing_evidence contains "no runtime evidence (sample it: failback watch, failback export --runtime)" if {
	not given("primary")
	not given("secondary")
}

missing_evidence contains sprintf("no runtime evidence from the %s region", [role]) if {
	some role in lib.roles
	not given(role)
	given(lib.other_role(role))
}

evidence_gaps contains sprintf("runtime evidence gap in the %s: %s", [gap.region, gap.reason]) if {
	some gap in input.gaps
	gap.area == "runtime"
}

unknowns(step) := union({
	missing_evidence, evidence_gaps,
	unmeasured_lag(step), unknown_seconds(step), unmeasured_family(step), offset_unknowns(step),
})

lag_gated(g) if is_number(g.max_lag_records)

lag_gated(g) if is_number(g.max_lag_seconds)

unmeasured_lag(step) := {reason |
	some flow in flows
	some family, lag in flow.families
	failback_flow(family, flow)
	lag_gated(gate(step, family))
	count(lag.unmeasured) > 0
	reason := sprintf("flow %s: %v topic(s) or partition(s) of %s not measured on both sides (e.g. %s)", [
		flow.name, count(lag.unmeasured), family, lag.unmeasured[0],
	])
}

unknown_seconds(step) := {reason |
	some flow in flows
	some family, lag in flow.families
	failback_flow(family, flow)
	is_number(gate(step, family).max_lag_seconds)
	lag.seconds == null
	reason := sprintf("flow %s: the time lag of %s is unknown (records without timestamps)", [flow.name, family])
}

unmeasured_family(step) := {reason |
	facts.given.primary
	facts.given.secondary
	some family, _ in input.plan.families
	lib.failback_direction(family)
	input.plan.families[family].topic_count > 0
	lag_gated(gate(step, family))
	not measured_family(family)
	reason := sprintf("no failback flow of %s was measured", [family])
}

measured_family(family) if {
	some flow in flows
	failback_flow(family, flow)
}

offset_unknowns(step) := {reason |
	some flow in flows
	some family, lag in flow.families
	failback_flow(family, flow)
	is_number(gate(step, family).max_offset_gap)
	some group, entry in lag.groups
	entry.gap == null
	reason := sprintf("flow %s: consumer group %s's offsets cannot be translated (%v partition(s) without a checkpoint)", [
		flow.name, group, entry.unmeasured_partitions,
	])
}
