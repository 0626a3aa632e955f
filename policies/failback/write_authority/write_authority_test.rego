package failback.write_authority_test

import data.failback.write_authority

all_topics := ["payments.a", "payments.b", "payments.c"]

family(writer) := {
	"tier": 1, "topic_count": 3, "offset_strategy": "replicated", "sinks": [],
	"phases": {"normal": {"writer": writer, "consumer": writer}},
	"fence": {"mode": "acl", "routing_control": null, "runbook": null},
	"conflict_control": null,
}

# A writer of every payments topic, and one of some topics.
writer(principal) := {"principal": principal, "topics": all_topics, "every_topic": true, "why": ["ACL ALLOW"]}

partial(principal, topics) := {"principal": principal, "topics": topics, "every_topic": false, "why": ["ACL ALLOW"]}

# (normalisation lists the topics no family matches: unmatched_topics)
region(writers, topics) := {
	"facts": {
		"writers": writers, "replicators": {},
		"unmatched_topics": sort([name |
			some name, t in topics
			t.family == null
			t.internal == false
		]),
	},
	"topics": topics,
}

# payments is written by the primary in the normal phase.
base := {
	"phase": "normal",
	"plan": {"families": {"payments": family("primary")}},
	"primary": region({"payments": [writer("User:payments-api")]}, {}),
	"secondary": region({}, {}),
	"flows": {},
}

with_regions(primary, secondary) := object.union(
	object.remove(base, ["primary", "secondary"]),
	{"primary": primary, "secondary": secondary},
)

# doc with one region's snapshot replaced.
with_region(doc, role, snapshot) := object.union(object.remove(doc, [role]), {role: snapshot})

with_writer(w) := object.union(base, {"plan": {"families": {"payments": family(w)}}})

# base with the family's plan entry changed.
with_family(fields) := object.union(base, {"plan": {"families": {"payments": object.union(family("primary"), fields)}}})

# The secondary can be written by User:dr too.
dual := with_regions(
	region({"payments": [writer("User:payments-api")]}, {}),
	region({"payments": [writer("User:dr")]}, {}),
)

found(rule_id, findings) := {f | some f in findings; f.rule_id == rule_id}

topic(fam, is_internal) := {
	"partitions": 3, "replication_factor": 3, "configs": {}, "retention_ms": 604800000,
	"retention_bytes": -1, "family": fam, "internal": is_internal,
}

test_base_is_clean if {
	count(write_authority.deny) == 0 with input as base
}

# WA-001

test_wa_001_both_regions_writable_fires if {
	fs := found("WA-001", write_authority.deny) with input as dual
	count(fs) == 1
	some f in fs
	f.resource == "payments"
	f.region == "secondary"
	f.family == "payments"
	f.primary == ["User:payments-api"]
	f.secondary == ["User:dr"]
	f.message == concat("", [
		"Family payments can be written in both regions, but only the primary may write it in the ",
		"normal phase; in the secondary: User:dr (every topic of family payments; ACL ALLOW)",
	])
}

test_wa_001_names_the_topics_a_partial_writer_reaches if {
	inp := with_region(dual, "secondary", region({"payments": [partial("User:dr", ["payments.b"])]}, {}))
	fs := found("WA-001", write_authority.deny) with input as inp
	some f in fs
	contains(f.message, "User:dr (topic payments.b; ACL ALLOW)")
}

test_wa_001_lists_a_few_topics_of_many if {
	many := [sprintf("payments.t%d", [i]) | some i in numbers.range(1, 7)]
	w := partial("User:dr", many)
	write_authority.reach(w, "payments") == concat("", [
		"7 topics of family payments (payments.t1, payments.t2, payments.t3, payments.t4, ",
		"payments.t5, and 2 more)",
	])
	two := partial("User:dr", ["payments.a", "payments.b"])
	write_authority.reach(two, "payments") == "2 topics of family payments (payments.a, payments.b)"
}

test_wa_001_disjoint_topics_pass if {
	inp := with_regions(
		region({"payments": [partial("User:payments-api", ["payments.a"])]}, {}),
		region({"payments": [partial("User:dr", ["payments.b"])]}, {}),
	)
	count(found("WA-001", write_authority.deny)) == 0 with input as inp
}

test_wa_001_empty_secondary_list_passes if {
	inp := with_regions(region({"payments": [writer("User:payments-api")]}, {}), region({"payments": []}, {}))
	count(found("WA-001", write_authority.deny)) == 0 with input as inp
}

test_wa_001_both_writers_passes if {
	inp := with_region(with_writer("both"), "secondary", region({"payments": [writer("User:payments-api")]}, {}))
	count(found("WA-001", write_authority.deny)) == 0 with input as inp
}

test_wa_001_and_wa_002_not_for_a_prestaged_fence if {
	fence := {"fence": {"mode": "prestaged", "routing_control": "dns:payments", "runbook": "runbooks/routing.md"}}
	inp := object.union(dual, {"plan": {"families": {"payments": object.union(family("primary"), fence)}}})
	count(found("WA-001", write_authority.deny)) == 0 with input as inp
	count(found("WA-002", write_authority.deny)) == 0 with input as inp
}

# WA-002

test_wa_002_passive_producer_fires if {
	fs := found("WA-002", write_authority.deny) with input as dual
	count(fs) == 1
	some f in fs
	f.resource == "User:dr on payments"
	f.region == "secondary"
	f.family == "payments"
	f.message == concat("", [
		"User:dr can write every topic of family payments in the secondary, which must not accept ",
		"its producer writes in the normal phase (ACL ALLOW)",
	])
}

test_wa_002_writer_none_checks_both_regions if {
	inp := with_region(with_writer("none"), "secondary", region({"payments": [writer("User:x")]}, {}))
	fs := found("WA-002", write_authority.deny) with input as inp
	{[f.resource, f.region] | some f in fs} == {
		["User:payments-api on payments", "primary"],
		["User:x on payments", "secondary"],
	}
}

test_wa_002_active_region_producer_passes if {
	count(found("WA-002", write_authority.deny)) == 0 with input as base
}

# WA-003

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

# WA-004

test_wa_004_unmatched_topic_reported_once if {
	inp := with_regions(
		region(
			{"payments": [writer("User:payments-api")]},
			{"stray": topic(null, false), "payments.tx": topic("payments", false)},
		),
		region({}, {"stray": topic(null, false)}),
	)
	fs := found("WA-004", write_authority.deny) with input as inp
	count(fs) == 1
	some f in fs
	f.resource == "stray"
	f.region == null
	f.family == null
}

test_wa_004_an_input_without_the_fact_is_read_topic_by_topic if {
	topics := {
		"stray": topic(null, false),
		"__consumer_offsets": topic(null, true),
		"payments.tx": topic("payments", false),
	}
	writers := {"payments": [writer("User:payments-api")]}
	without := {"facts": {"writers": writers, "replicators": {}}, "topics": topics}
	inp := with_regions(without, region({}, {}))
	fs := found("WA-004", write_authority.deny) with input as inp
	{f.resource | some f in fs} == {"stray"}
}

test_wa_004_internal_and_matched_topics_pass if {
	primary_topics := {"__consumer_offsets": topic(null, true), "payments.tx": topic("payments", false)}
	inp := with_regions(
		region({"payments": [writer("User:payments-api")]}, primary_topics),
		region({}, {"__consumer_offsets": topic(null, true)}),
	)
	count(found("WA-004", write_authority.deny)) == 0 with input as inp
}

# WA-005

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

test_wa_005_missing_facts_fires if {
	fs := found("WA-005", write_authority.deny) with input as with_regions({"topics": {}}, region({}, {}))
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

# WA-006

prestaged(control, runbook) := {"fence": {"mode": "prestaged", "routing_control": control, "runbook": runbook}}

test_wa_006_prestaged_without_routing_fires if {
	fs := found("WA-006", write_authority.deny) with input as with_family(prestaged(null, ""))
	{[f.resource, f.family, f.region, f.message] | some f in fs} == {[
		"payments", "payments", null,
		concat("", [
			"Family payments keeps producer grants in its standby (fence: prestaged), but the plan names ",
			"no routing control and no routing runbook",
		]),
	]}
}

test_wa_006_prestaged_without_runbook_fires if {
	fs := found("WA-006", write_authority.deny) with input as with_family(prestaged("dns:payments", null))
	{f.message | some f in fs} == {concat("", [
		"Family payments keeps producer grants in its standby (fence: prestaged), but the plan names ",
		"no routing runbook",
	])}
}

test_wa_006_declared_routing_passes if {
	declared := with_family(prestaged("dns:payments", "runbooks/routing.md"))
	count(found("WA-006", write_authority.deny)) == 0 with input as declared
	count(found("WA-006", write_authority.deny)) == 0 with input as base
}

# WA-007

test_wa_007_reports_a_prestaged_grant_without_blocking if {
	fam := object.union(family("primary"), prestaged("dns:payments", "runbooks/routing.md"))
	inp := object.union(dual, {"plan": {"families": {"payments": fam}}})
	fs := found("WA-007", write_authority.deny) with input as inp
	{[f.resource, f.region, f.message] | some f in fs} == {[
		"User:dr on payments", "secondary",
		concat("", [
			"User:dr can write every topic of family payments in the secondary, which does not accept its ",
			"producer writes in the normal phase; the plan fences it by client routing (fence: prestaged) (ACL ALLOW)",
		]),
	]}
}

test_wa_007_not_for_an_acl_fence if {
	count(found("WA-007", write_authority.deny)) == 0 with input as dual
}

# WA-008

mirror_fence := {"fence": {"mode": "read-only-mirror", "routing_control": null, "runbook": null}}

link(target, tool, active) := {"tool": tool, "target": target, "active": active, "families": ["payments"]}

test_wa_008_read_only_mirror_without_a_link_fires if {
	inp := object.union(dual, {"plan": {"families": {"payments": object.union(family("primary"), mirror_fence)}}})
	fs := found("WA-008", write_authority.deny) with input as inp
	{[f.resource, f.region, f.family] | some f in fs} == {["payments in secondary", "secondary", "payments"]}
	count(found("WA-001", write_authority.deny)) == 0 with input as inp
	{f.resource | some f in found("WA-007", write_authority.deny)} == {"User:dr on payments"} with input as inp
}

test_wa_008_other_tools_or_directions_do_not_count if {
	fam := object.union(family("primary"), mirror_fence)
	flows := {
		"a": link("secondary", "mirrormaker2", true),
		"b": link("primary", "cluster-linking", true),
		"c": link("secondary", "cluster-linking", false),
	}
	inp := object.union(base, {"plan": {"families": {"payments": fam}}, "flows": flows})
	count(found("WA-008", write_authority.deny)) == 1 with input as inp
}

test_wa_008_active_cluster_link_passes if {
	fam := object.union(family("primary"), mirror_fence)
	flows := {"l": link("secondary", "cluster-linking", true)}
	inp := object.union(base, {"plan": {"families": {"payments": fam}}, "flows": flows})
	count(found("WA-008", write_authority.deny)) == 0 with input as inp
}

# WA-009

test_wa_009_both_writers_without_conflict_control_fires if {
	fs := found("WA-009", write_authority.deny) with input as with_writer("both")
	{[f.resource, f.family, f.region] | some f in fs} == {["payments", "payments", null]}
}

test_wa_009_declared_conflict_control_passes if {
	fam := object.union(family("both"), {"conflict_control": "keys-partitioned-by-region"})
	inp := object.union(base, {"plan": {"families": {"payments": fam}}})
	count(found("WA-009", write_authority.deny)) == 0 with input as inp
	count(found("WA-009", write_authority.deny)) == 0 with input as base
}

# The rules that need a writer iterate the regions' writers (facts.writers): writers of a
# family the plan does not declare raise nothing.
test_writers_of_an_undeclared_family_raise_nothing if {
	inp := with_regions(
		region({"payments": [writer("User:payments-api")]}, {}),
		region({"orders": [writer("User:dr")], "payments": []}, {}),
	)
	count(write_authority.deny) == 0 with input as inp
}
