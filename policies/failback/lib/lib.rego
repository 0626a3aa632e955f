# METADATA
# title: Shared helpers
# description: Small functions over the input document that several areas use.
package failback.lib

roles := ["primary", "secondary"]

other_role("primary") := "secondary"

other_role("secondary") := "primary"

snapshot(role) := input[role]

families := input.plan.families

# writer(family, phase): primary | secondary | both | none, or undefined when not declared
# (Bound one index at a time: regorus evaluates a reference with two variable indices, such as
# families[family].phases[phase], some ten times slower.)
writer(family, phase) := w if {
	declared := families[family]
	w := declared.phases[phase].writer
	w != null
}

# family -> its writer in the judged phase (writer(family, input.phase)), for the families that
# declare one: worked out once for the rules that ask it of every family. (A complete rule: OPA
# evaluates a partial rule anew for each family looked up.)
# regal ignore:prefer-set-or-object-rule
judged_writers := {name: w |
	some name, declared in families
	w := declared.phases[input.phase].writer # writer(name, input.phase), without a call per family
	w != null
}

# consumer(family, phase): the region whose consumer groups read the family, like writer.
consumer(family, phase) := c if {
	declared := families[family]
	c := declared.phases[phase].consumer
	c != null
}

# How the family's standby is fenced: acl (the default), prestaged or read-only-mirror.
default fence(_) := "acl"

fence(family) := families[family].fence.mode

# The region that writes a family in a phase, when exactly one does.
single_writer(family, phase) := w if {
	w := writer(family, phase)
	w in {"primary", "secondary"}
}

# The regions that must not accept a family's producer writes in a phase: the single
# writer's other region, or both regions when the writer is "none".
passive_regions(family, phase) := {other_role(single_writer(family, phase))}

passive_regions(family, phase) := {role | some role in roles} if writer(family, phase) == "none"

# The failback direction of a family: [the DR-operation writer, the failback writer], when
# these are two different single regions (data written during DR operation must flow back).
failback_direction(family) := failback_directions[family]

# family -> its failback direction, for the families that have one: worked out once for the
# rules that ask it of every family (a complete rule, as judged_writers). It reads the two
# phases' writers directly: building every family's single writers first (single_writers_in
# for each family) cost more than the directions themselves.
# regal ignore:prefer-set-or-object-rule
failback_directions := {name: [source, target] |
	some name, declared in families
	source := declared.phases.dr_operation.writer
	source in single_roles
	target := declared.phases.failback.writer
	target in single_roles
	source != target
}

# The direction data must flow before a phase's next switch: normal and cleanup feed the
# failover writer, dr_operation and failback feed the failback writer. Undefined in failover
# (the primary may be gone) and when the regions are not two single writers.
switch_direction(family, phase) := [source, target] if {
	phase in {"normal", "cleanup"}
	source := single_writer(family, phase)
	target := single_writer(family, "failover")
	source != target
}

switch_direction(family, phase) := failback_direction(family) if phase in {"dr_operation", "failback"}

phase_order := ["normal", "failover", "dr_operation", "failback", "cleanup"]

phase_index[p] := i if some i, p in phase_order

# phase -> the region that writes in it, for the phases with a single writer, from a family's
# phases declaration (one lookup per phase instead of one single_writer call).
single_writers_in(declared_phases) := {phase: declared.writer |
	some phase, declared in declared_phases
	declared.writer in {"primary", "secondary"}
}

single_roles := {"primary", "secondary"}

# [the phase's single writer, the single writer of the first later phase (cyclically, so
# cleanup is followed by normal) that differs]: where the phase's data must go next, from a
# family's single writers (single_writers_in).
next_switch(writers, phase) := [current, ahead[0]] if {
	current := writers[phase]
	i := phase_index[phase]
	ahead := [w |
		some k in [1, 2, 3, 4]
		later := phase_order[(i + k) % 5]
		w := writers[later]
		w != current
	]
	count(ahead) > 0
}

# [the previous phase's single writer, this phase's] when the phase moved the writes.
last_switch(writers, phase) := [before, current] if {
	i := phase_index[phase]
	i > 0
	previous := phase_order[i - 1]
	before := writers[previous]
	current := writers[phase]
	before != current
}

# The replication model of a family in one direction (input.replication, checker/replication.py).
direction_model(family, source, target) := input.replication[family].directions[sprintf("%s->%s", [source, target])]

# A family some active flow carries, in either direction (a stopped flow alone, such as a
# disabled MirrorMaker 2 direction whose patterns match everything, does not make it one).
replicated(family) if family in replicated_families

# The families some active flow carries (replicated), gathered once for the rules that ask it
# of every family.
replicated_families contains family if {
	some family, model in input.replication
	some direction in model.directions
	count(direction.active) > 0
}

# Families some active flow replicates (computed once, not once per topic).
actively_replicated contains family if {
	some flow in input.flows
	flow.active
	some family in flow.families
}

# Replicated topics whose normalised records differ between the regions: name -> family (a
# topic present in both regions whose family some active flow replicates). The diff
# (input.changes) names them, so a rule comparing a topic's settings across the regions looks
# at a handful of topics, not at all: a setting that differs makes the records differ. (No
# rule over every replicated topic: regorus works out the whole of data.failback.lib when a
# rule refers to one of its rules through the import, such as `lib.roles`, and one over 50k
# topics cost 0.3 s there.)
differing_topics[name] := family if {
	some change in input.changes
	change.area == "topics"
	name := change.key
	family := input.primary.topics[name].family
	family in actively_replicated
	input.secondary.topics[name]
}

# The regions that take a family's writes in some phase.
writing_regions(family) := {role |
	some phase, _ in families[family].phases
	some role in roles
	writer(family, phase) in {role, "both"}
}

# At most `limit` items of a sorted list, joined, with how many were left out.
abbreviate(items, limit) := concat(", ", items) if {
	count(items) <= limit
} else := sprintf("%s and %d more", [concat(", ", array.slice(items, 0, limit)), count(items) - limit])

# finding(rule_id, resource, message): the fields every rule returns; main adds the rest.
finding(rule_id, resource, message) := {
	"rule_id": rule_id,
	"resource": resource,
	"message": message,
	"region": null,
	"family": null,
	"primary": null,
	"secondary": null,
}

# finding_at adds the region and family the finding is about.
# (Spelled out, not object.union over finding: every finding of a large estate goes through it.)
finding_at(rule_id, resource, message, region, family) := {
	"rule_id": rule_id,
	"resource": resource,
	"message": message,
	"region": region,
	"family": family,
	"primary": null,
	"secondary": null,
}

# compare attaches the two regions' values.
compare(f, primary_value, secondary_value) := object.union(
	f,
	{"primary": primary_value, "secondary": secondary_value},
)

# Flows carrying a family that are not stopped, deleted or failed.
active_flows(family) := [flow |
	some flow in input.flows
	flow.active
	family in flow.families
]

healthy_flows(family) := [flow |
	some flow in input.flows
	flow.healthy
	family in flow.families
]

# -1 means unlimited; shorter(a, b) is true when a keeps less than b.
shorter(a, b) if {
	a >= 0
	b < 0
}

shorter(a, b) if {
	a >= 0
	b >= 0
	a < b
}
