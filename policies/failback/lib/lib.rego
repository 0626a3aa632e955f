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
writer(family, phase) := w if {
	w := families[family].phases[phase].writer
	w != null
}

# consumer(family, phase): the region whose consumer groups read the family, like writer.
consumer(family, phase) := c if {
	c := families[family].phases[phase].consumer
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
finding_at(rule_id, resource, message, region, family) := object.union(
	finding(rule_id, resource, message),
	{"region": region, "family": family},
)

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
