# The rule catalog, continued: the rule failback.exceptions raises, WVR-001 for a waiver
# whose end date has passed (180 days is the longest a waiver may run: MAX_DAYS in
# checker/waivers.py). In its own file to keep catalog.rego under Regal's file length, and
# self-contained: OPA compiles each module as it is uploaded.
package failback.catalog

exception_rules := {"WVR-001": {
	"area": "evidence",
	"severity": "high",
	"title": "Waiver expired",
	"description": "A waiver's end date has passed: the risk it accepted is no longer accepted.",
	"remediation": concat(" ", [
		"Fix the waived findings, or renew the waiver with its owner's approval and a new expiry",
		"date at most 180 days ahead.",
	]),
	"phases": ["normal", "failover", "dr_operation", "failback", "cleanup"],
	"inputs": [],
}}
