# The rule catalog, continued: schema registry parity (Confluent-compatible registries and AWS
# Glue Schema Registry). In its own file, self-contained like the others; its name sorts after
# catalog.rego on purpose (see rules_access.rego).
package failback.catalog

schema_phases := ["normal", "failover", "dr_operation", "failback", "cleanup"]

schema_rules := {
	"SR-001": {
		"area": "schemas",
		"severity": "critical",
		"title": "Schema subject missing in one region",
		"description": concat(" ", [
			"A subject (or Glue schema) a family's records use has versions in one region's registry and none",
			"in the other's, under the name that region's clients look up (a prefix-renamed topic's subject",
			"under its renamed name): consumers there cannot decode the records.",
		]),
		"remediation": concat(" ", [
			"Copy the subject into the other registry with its versions and ids (Confluent schema exporters or",
			"linking in IMPORT mode), or register it there before the switch.",
		]),
		"phases": schema_phases,
		"inputs": ["schemas"],
	},
	"SR-002": {
		"area": "schemas",
		"severity": "high",
		"title": "Schema versions differ between regions",
		"description": concat(" ", [
			"A subject has other versions in the two regions, or a version with another schema text (compared",
			"by the sha256 of its canonical text).",
		]),
		"remediation": "Re-copy the subject from the writing region so both registries hold the same versions and texts.",
		"phases": schema_phases,
		"inputs": ["schemas"],
	},
	"SR-003": {
		"area": "schemas",
		"severity": "critical",
		"title": "Records name schemas the other region cannot resolve",
		"description": concat(" ", [
			"The same schema has another id in the two Confluent-compatible registries, or a Glue schema's",
			"version UUIDs differ between the regions while records are not re-serialized: records carry the",
			"writer's id or UUID, so the other region's consumers decode with the wrong schema or not at all.",
		]),
		"remediation": concat(" ", [
			"Copy schemas with their ids (IMPORT mode, schema exporters or linking); for Glue, re-serialize",
			"records in the target region (and set the family's schemas.version_ids: reserialized) or keep",
			"one registry both regions reach.",
		]),
		"phases": schema_phases,
		"inputs": ["schemas"],
	},
	"SR-004": {
		"area": "schemas",
		"severity": "high",
		"title": "Compatibility level differs between regions",
		"description": concat(" ", [
			"A subject's effective compatibility level (its own, else the registry's) differs between the",
			"regions: a schema change one region refuses, the other accepts.",
		]),
		"remediation": "Set the same compatibility level on the subject (or globally) in both registries.",
		"phases": schema_phases,
		"inputs": ["schemas"],
	},
	"SR-005": {
		"area": "schemas",
		"severity": "high",
		"title": "Registry mode does not follow the writer",
		"description": concat(" ", [
			"In this phase the region that does not write the family keeps the family's subjects writable",
			"(READWRITE, or a registry without modes), or the writing region's subjects are READONLY or IMPORT",
			"so its producers cannot register schemas. Confluent-compatible registries only.",
		]),
		"remediation": concat(" ", [
			"Set the standby registry (or the family's subjects) to READONLY or IMPORT and the writer's to",
			"READWRITE as part of each switch.",
		]),
		"phases": schema_phases,
		"inputs": ["schemas"],
	},
}
