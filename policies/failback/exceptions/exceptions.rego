# METADATA
# title: Waivers and baselines
# description: |
#   Accepted risks and known findings. A finding covered by an unexpired waiver (the first
#   in file order) is waived and one the --baseline report holds is known: main keeps both
#   in the decision but neither blocks. An expired waiver raises WVR-001 in the phases it
#   covers. The checker passes input.exceptions: the waivers in file order, each with its
#   resource glob as an anchored regular expression (pattern) and its last day as an epoch
#   (expires_epoch), and the baseline as [rule id, region role or "", resource] keys.
package failback.exceptions

import rego.v1

import data.failback.lib

waivers := object.get(input, ["exceptions", "waivers"], [])

# The rule a waiver can never accept and a baseline can never hold: an expired waiver is
# fixed or renewed, never extended.
expired_rule := "WVR-001"

baseline contains key if {
	some key in object.get(input, ["exceptions", "baseline"], [])
}

# No waiver and no baseline key: status(finding) is {} for every finding.
none_given if {
	count(waivers) == 0
	count(baseline) == 0
}

# The rules the baseline may make known: a finding of any other rule is new.
known_rules contains key[0] if {
	some key in baseline
	key[0] != expired_rule
}

# The whitespace of Python's str.split(), which collapsed the baseline keys' resources.
whitespace := `[\x{9}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+`

# A waiver holds through its last day (UTC): it has expired once the judged day is later.
expired(waiver) if floor(input.now / 86400) > waiver.expires_epoch / 86400

expired_indices contains index if {
	some index, waiver in waivers
	expired(waiver)
}

# Indices of the unexpired waivers of each rule (never WVR-001): a finding tries only its
# own rule's.
active[rule_id] := {index |
	some index, entry in waivers
	entry.rule_id == rule_id
	not expired(entry)
} if {
	some waiver in waivers
	rule_id := waiver.rule_id
	rule_id != expired_rule
}

phase_covered(waiver) if waiver.phase == null

phase_covered(waiver) if waiver.phase == input.phase

# A waiver's region is a role (primary, secondary) or that role's region name.
region_covered(waiver, _) if waiver.region == null

region_covered(waiver, finding) if waiver.region == finding.region

region_covered(waiver, finding) if waiver.region == input.plan.regions[finding.region]

covers(waiver, finding) if {
	phase_covered(waiver)
	region_covered(waiver, finding)
	is_string(finding.resource)
	regex.match(waiver.pattern, finding.resource)
}

# The index of the first unexpired waiver (in file order) that covers the finding.
waiver_of(finding) := min(indices) if {
	indices := {index |
		some index in object.get(active, finding.rule_id, set())
		covers(waivers[index], finding)
	}
	count(indices) > 0
}

role_key(null) := ""

role_key(region) := region if region != null

collapsed(text) := trim(regex.replace(text, whitespace, " "), " ")

# The finding's baseline key: what its fingerprint hashes.
finding_key(finding) := [finding.rule_id, role_key(finding.region), collapsed(finding.resource)]

known(finding) if {
	finding.rule_id in known_rules
	is_string(finding.resource)
	finding_key(finding) in baseline
}

waived(finding) := {"blocking": false, "waived": note, "waiver_index": index} if {
	index := waiver_of(finding)
	waiver := waivers[index]
	note := {
		"owner": waiver.owner, "reason": waiver.reason,
		"ticket": waiver.ticket, "expires": waiver.expires,
	}
} else := {}

known_patch(finding) := {"blocking": false, "known": true} if {
	known(finding)
} else := {}

# What the exceptions change in a finding: waived and known findings never block. A waived
# finding names its waiver's index (waiver_index), which the checker strips from reports.
status(finding) := object.union(waived(finding), known_patch(finding))

# What the covered resources of a waiver were: WVR-001's resource, stable across edits.
scope(_, null) := ""

scope(name, value) := sprintf(" %s=%s", [name, value]) if value != null

covered(waiver) := concat("", [
	waiver.rule_id, " ", waiver.resource,
	scope("region", waiver.region), scope("phase", waiver.phase),
])

# An expired waiver's finding names the waiver's index too, so two identical entries of a
# waiver file stay two findings.
deny contains object.union(
	lib.finding(
		expired_rule, covered(waiver),
		sprintf("The waiver for %s on %s (owner %s, ticket %s) expired on %s", [
			waiver.rule_id, waiver.resource, waiver.owner, waiver.ticket, waiver.expires,
		]),
	),
	{"waiver_index": index},
) if {
	some index, waiver in waivers
	expired(waiver)
	phase_covered(waiver)
}

# What the decision reports of the exceptions, when the checker passed any.
default report := {}

report := {"exceptions": {"waivers_expired": sort(expired_indices)}} if input.exceptions
