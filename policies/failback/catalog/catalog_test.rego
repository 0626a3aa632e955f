package failback.catalog_test

import data.failback.catalog

severities := {"info", "low", "medium", "high", "critical"}

# The snapshot areas exporters report gaps for, which a rule's inputs may name
# (SNAPSHOT_AREAS in checker/model.py).
snapshot_areas := {
	"cluster", "topics", "acls", "quotas", "iam_grants", "authentication", "encryption",
	"network", "audit", "broker_config", "replication", "consumer_groups", "storage",
	"schemas", "runtime",
}

# The id prefixes of each area's rules (expired waivers, WVR-, are an evidence matter).
id_prefixes := {
	"write_authority": {"WA-"}, "replication": {"REP-"}, "offsets": {"OFF-"}, "rollback": {"RB-"},
	"acl": {"ACL-"}, "encryption": {"ENC-"}, "network": {"NET-"}, "audit": {"AUD-"}, "retention": {"RET-"},
	"topic_config": {"TOP-"},
	"cost": {"CST-"}, "evidence": {"EVD-", "WVR-"}, "compatibility": {"CMP-"}, "readiness": {"RDY-"},
	"consumer_authority": {"CA-"}, "schemas": {"SR-"}, "runtime": {"RT-"},
}

text_fields := ["title", "description", "remediation"]

test_every_rule_is_complete if {
	every id, entry in catalog.rules {
		some prefix in id_prefixes[entry.area]
		startswith(id, prefix)
		entry.severity in severities
		every field in text_fields {
			is_string(entry[field])
			entry[field] != ""
		}
	}
}

test_every_rule_names_known_phases_and_inputs if {
	every entry in catalog.rules {
		count(entry.phases) > 0
		every phase in entry.phases {
			phase in catalog.all_phases
		}
		every area in entry.inputs {
			area in snapshot_areas
		}
	}
}

test_long_texts_are_single_lines if {
	every entry in catalog.rules {
		every field in text_fields {
			not contains(entry[field], "\n")
			not contains(entry[field], "  ")
			trim_space(entry[field]) == entry[field]
		}
	}
}

test_the_access_rules_file_names_the_same_phases if {
	catalog.access_phases == catalog.all_phases
}
