package failback.write_authority_test

import data.failback.write_authority

family(writer) := {
	"tier": 1, "topic_count": 3, "offset_strategy": "replicated", "sinks": [],
	"phases": {"normal": {"writer": writer, "consumer": writer}},
}

region(producers, topics) := {"facts": {"producers": producers, "replicators": {}}, "topics": topics}

# payments is written by the primary in the normal phase.
base := {
	"phase": "normal",
	"plan": {"families": {"payments": family("primary")}},
	"primary": region({"payments": ["User:payments-api"]}, {}),
	"secondary": region({}, {}),
	"flows": {},
}

with_regions(primary, secondary) := object.union(
	object.remove(base, ["primary", "secondary"]),
	{"primary": primary, "secondary": secondary},
)

# doc with one region's snapshot replaced.
with_region(doc, role, snapshot) := object.union(object.remove(doc, [role]), {role: snapshot})

with_writer(writer) := object.union(base, {"plan": {"families": {"payments": family(writer)}}})

found(rule_id, findings) := {f | some f in findings; f.rule_id == rule_id}

topic(fam, is_internal) := {
	"partitions": 3, "replication_factor": 3, "configs": {}, "retention_ms": 604800000,
	"retention_bytes": -1, "family": fam, "internal": is_internal,
}

test_base_is_clean if {
	count(write_authority.deny) == 0 with input as base
}

test_wa_001_both_regions_writable_fires if {
	fs := found("WA-001", write_authority.deny) with input as with_regions(
		region({"payments": ["User:payments-api"]}, {}),
		region({"payments": ["User:payments-api-dr"]}, {}),
	)
	count(fs) == 1
	some f in fs
	f.resource == "payments"
	f.region == "secondary"
	f.family == "payments"
	f.primary == ["User:payments-api"]
	f.secondary == ["User:payments-api-dr"]
}

test_wa_001_empty_secondary_list_passes if {
	count(found("WA-001", write_authority.deny)) == 0 with input as with_regions(
		region({"payments": ["User:payments-api"]}, {}),
		region({"payments": []}, {}),
	)
}

test_wa_001_both_writers_passes if {
	inp := with_region(with_writer("both"), "secondary", region({"payments": ["User:payments-api"]}, {}))
	count(found("WA-001", write_authority.deny)) == 0 with input as inp
}

test_wa_002_passive_producer_fires if {
	fs := found("WA-002", write_authority.deny) with input as with_regions(
		region({"payments": ["User:payments-api"]}, {}),
		region({"payments": ["User:payments-api-dr"]}, {}),
	)
	count(fs) == 1
	some f in fs
	f.resource == "User:payments-api-dr on payments"
	f.region == "secondary"
	f.family == "payments"
}

test_wa_002_writer_none_checks_both_regions if {
	inp := with_region(with_writer("none"), "secondary", region({"payments": ["User:x"]}, {}))
	fs := found("WA-002", write_authority.deny) with input as inp
	{[f.resource, f.region] | some f in fs} == {
		["User:payments-api on payments", "primary"],
		["User:x on payments", "secondary"],
	}
}

test_wa_002_active_region_producer_passes if {
	count(found("WA-002", write_authority.deny)) == 0 with input as base
}

test_wa_003_undeclared_writer_fires if {
	fs := found("WA-003", write_authority.deny) with input as with_writer(null)
	count(fs) == 1
	some f in fs
	f.resource == "payments"
	f.family == "payments"
	f.region == null
}

test_wa_003_missing_phase_fires if {
	fs := found("WA-003", write_authority.deny) with input as object.union(base, {"phase": "cleanup"})
	{f.resource | some f in fs} == {"payments"}
}

test_wa_003_declared_writer_passes if {
	count(found("WA-003", write_authority.deny)) == 0 with input as with_writer("none")
}

test_wa_004_unmatched_topic_reported_once if {
	inp := with_regions(
		region({"payments": ["User:payments-api"]}, {"stray": topic(null, false), "payments.tx": topic("payments", false)}),
		region({}, {"stray": topic(null, false)}),
	)
	fs := found("WA-004", write_authority.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "stray"
	f.region == null
	f.family == null
}

test_wa_004_internal_and_matched_topics_pass if {
	primary_topics := {"__consumer_offsets": topic(null, true), "payments.tx": topic("payments", false)}
	inp := with_regions(
		region({"payments": ["User:payments-api"]}, primary_topics),
		region({}, {"__consumer_offsets": topic(null, true)}),
	)
	count(found("WA-004", write_authority.deny)) == 0 with input as inp
}

test_wa_005_writer_without_producers_fires if {
	inp := with_region(with_writer("secondary"), "primary", region({}, {}))
	fs := found("WA-005", write_authority.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "payments"
	f.region == "secondary"
	f.family == "payments"
}

test_wa_005_missing_family_key_fires if {
	fs := found("WA-005", write_authority.deny) with input as with_regions(region({}, {}), region({}, {}))
	{[f.resource, f.region] | some f in fs} == {["payments", "primary"]}
}

test_wa_005_writer_with_producers_passes if {
	count(found("WA-005", write_authority.deny)) == 0 with input as base
}

test_wa_005_family_without_topics_passes if {
	fam := object.union(family("primary"), {"topic_count": 0})
	inp := object.union(with_regions(region({}, {}), region({}, {})), {"plan": {"families": {"payments": fam}}})
	count(found("WA-005", write_authority.deny)) == 0 with input as inp
}
