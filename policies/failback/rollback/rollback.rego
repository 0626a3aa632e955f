# METADATA
# title: Rollback
# description: |
#   Failback needs a declared stop point and a return path, and the return path needs the
#   forward flow to keep the DR region current while producers move back.
package failback.rollback

import data.failback.lib

parts := ["stop_point", "return_path"]

part_value(part) := v if {
	v := input.plan.rollback[part]
} else := null

# `:= true` because regorus (0.13) rejects a bodiless `blank(null)`.
blank(null) := true

blank(v) if {
	is_string(v)
	trim_space(v) == ""
}

missing_parts := [part |
	some part in parts
	blank(part_value(part))
]

deny contains lib.finding(
	"RB-001", "rollback",
	sprintf("The plan's rollback section is missing %s", [concat(" and ", missing_parts)]),
) if {
	is_object(input.plan)
	count(missing_parts) > 0
}

# During failback the forward flow (failback writer -> DR writer) keeps the DR region current:
# without it, rolling back loses everything the primary took since producers moved.
deny contains lib.finding_at(
	"RB-002", name,
	sprintf(
		concat(" ", [
			"No healthy flow carries family %s from the %s (the failback writer) to the %s: rolling back",
			"to the %s would lose what the %s takes from now on",
		]),
		[name, back, forth, forth, back],
	),
	forth, name,
) if {
	some name, direction in lib.failback_directions # only the families that have one
	name in lib.replicated_families
	forth := direction[0]
	back := direction[1]
	count(lib.direction_model(name, back, forth).healthy) == 0
}
