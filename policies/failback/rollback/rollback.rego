# METADATA
# title: Rollback
# description: Failback needs a declared stop point and a return path.
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
