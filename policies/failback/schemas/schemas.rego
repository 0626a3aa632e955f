# METADATA
# title: Schema registry parity
# description: |
#   Records name their schema: by id (the Confluent wire format) or by version UUID (AWS Glue
#   serializers). A family's subjects must exist in both regions with the same versions and
#   schema texts, the same ids (or, for Glue, version UUIDs the other region resolves), the same
#   compatibility level, and a registry that only the writing region may write. Normalisation
#   (checker/subjects.py) lists each family's subjects per region, under the names the region's
#   clients look up (a prefix-renamed topic's subject under its renamed name).
package failback.schemas

import data.failback.lib

# Each region's subject records, keyed family|logical subject (families that use a registry),
# and the keys a region has (present), computed once: the rules look records up.
records[role] := input[role].schemas.subjects if some role in lib.roles

present_in[role] := {key | some key, record in records[role]; record.present} if some role in lib.roles

both_present := present_in.primary & present_in.secondary

# Per family with subjects (named by the primary's record): the regions that must not write
# it in this phase, and those that write it.
passive[family] := lib.passive_regions(family, input.phase) if {
	some record in records.primary
	family := record.family
}

writers[family] := writing_regions(family, input.phase) if {
	some record in records.primary
	family := record.family
}

uses_glue(family) if input.plan.families[family].schemas.kind == "glue"

reserialized(family) if input.plan.families[family].schemas.version_ids == "reserialized"

# Version numbers whose fingerprint differs, or that one region lacks.
differing_versions(a, b) := sort({n |
	some n in (object.keys(a.versions) | object.keys(b.versions))
	object.get(a.versions, n, "absent") != object.get(b.versions, n, "absent")
})

unresolvable(a, b) if a != b

# A version id nobody knows yet (a Terraform plan) is minted anew by each registry.
unresolvable(a, _) if {
	some id in a
	id == null
}

# The regions that write a family in a phase.
writing_regions(family, phase) := {w} if {
	w := lib.single_writer(family, phase)
} else := {role | some role in lib.roles} if lib.writer(family, phase) == "both"

mode_text(record) := "the registry has no modes: it accepts every write" if {
	not record.modes_supported
} else := sprintf("mode %v", [record.mode])

deny contains f if {
	some role in lib.roles
	some key in present_in[role]
	other := lib.other_role(role)
	not key in present_in[other]
	record := records[role][key]
	f := lib.compare(
		lib.finding_at(
			"SR-001", key,
			sprintf(
				concat(" ", [
					"Subject %s (registry %s) of family %s has %d version(s) in the %s and none in the %s:",
					"its consumers there cannot decode the records",
				]),
				[records[other][key].subject, record.registry, record.family, count(record.versions), role, other],
			),
			other, record.family,
		),
		records.primary[key].subject, records.secondary[key].subject,
	)
}

deny contains f if {
	some key in both_present
	primary := records.primary[key]
	secondary := records.secondary[key]
	versions := differing_versions(primary, secondary)
	count(versions) > 0
	f := lib.compare(
		lib.finding_at(
			"SR-002", key,
			sprintf(
				"Subject %s of family %s differs between the regions in version(s) %s (missing or another schema text)",
				[primary.subject, primary.family, lib.abbreviate(versions, 5)],
			),
			null, primary.family,
		),
		primary.versions, secondary.versions,
	)
}

# Confluent: a version of the same text with another id: records carry the primary's id.
deny contains f if {
	some key in both_present
	primary := records.primary[key]
	not uses_glue(primary.family)
	secondary := records.secondary[key]
	versions := sort({n |
		some n, id in primary.ids
		primary.versions[n] == secondary.versions[n]
		id != secondary.ids[n]
	})
	count(versions) > 0
	f := lib.compare(
		lib.finding_at(
			"SR-003", key,
			sprintf(
				concat(" ", [
					"Subject %s of family %s has other schema ids in the two regions (version(s) %s): records carry",
					"the writer's ids, which the other registry resolves to another schema or none",
				]),
				[primary.subject, primary.family, lib.abbreviate(versions, 5)],
			),
			null, primary.family,
		),
		primary.ids, secondary.ids,
	)
}

# Glue: version UUIDs are minted by each registry; unless records are re-serialized, the
# other region's consumers must resolve the writer's UUIDs.
deny contains f if {
	some key in both_present
	primary := records.primary[key]
	uses_glue(primary.family)
	not reserialized(primary.family)
	secondary := records.secondary[key]
	unresolvable(primary.version_ids, secondary.version_ids)
	f := lib.compare(
		lib.finding_at(
			"SR-003", key,
			sprintf(
				concat(" ", [
					"Glue schema %s of family %s has other version ids in the two regions: records carry the",
					"writer region's version UUIDs, which the other region's registry does not resolve",
				]),
				[primary.subject, primary.family],
			),
			null, primary.family,
		),
		primary.version_ids, secondary.version_ids,
	)
}

deny contains f if {
	some key in both_present
	primary := records.primary[key]
	secondary := records.secondary[key]
	primary.compatibility != secondary.compatibility
	f := lib.compare(
		lib.finding_at(
			"SR-004", key,
			sprintf(
				concat(" ", [
					"Subject %s of family %s is checked for %v compatibility in the primary and %v in the secondary:",
					"a schema one region refuses, the other accepts",
				]),
				[primary.subject, primary.family, primary.compatibility, secondary.compatibility],
			),
			null, primary.family,
		),
		primary.compatibility, secondary.compatibility,
	)
}

# The region that does not write the family must keep its subjects read-only (or IMPORT, for
# the schemas copied into it); the writer's must accept registrations. Confluent modes only.
deny contains f if {
	some key, primary in records.primary
	some role in passive[primary.family]
	key in present_in[role]
	record := records[role][key]
	not uses_glue(record.family)
	not record.read_only
	f := lib.finding_at(
		"SR-005", key,
		sprintf("Subject %s of family %s is writable in the %s, which does not write the family in %s (%s)", [
			record.subject, record.family, role, input.phase, mode_text(record),
		]),
		role, record.family,
	)
}

deny contains f if {
	some key, primary in records.primary
	family := primary.family
	some role in writers[family]
	key in present_in[role]
	not uses_glue(family)
	record := records[role][key]
	record.read_only
	f := lib.finding_at(
		"SR-005", key,
		sprintf(
			concat(" ", [
				"Subject %s of family %s is %s in the %s, which writes the family in %s:",
				"producers cannot register new schemas",
			]),
			[
				record.subject, family, record.mode, role, input.phase,
			],
		),
		role, family,
	)
}
