# METADATA
# title: Encryption parity
# description: |
#   Encryption in transit and at rest must be at least as strong in each region as in the
#   other. Every rule reports the weaker region and only judges values both regions define.
package failback.encryption

import data.failback.lib

client_broker_strength := {"TLS": 2, "TLS_PLAINTEXT": 1, "PLAINTEXT": 0}

# At-rest strength: 0 unencrypted, 1 AWS-managed (or unspecified) key, 2 customer-managed key.
at_rest_strength(at_rest) := 0 if at_rest.enabled == false

at_rest_strength(at_rest) := 2 if {
	at_rest.enabled == true
	at_rest.key_manager == "CUSTOMER"
}

at_rest_strength(at_rest) := 1 if {
	at_rest.enabled == true
	not at_rest.key_manager == "CUSTOMER"
}

# Short value attached to findings: disabled | AWS | CUSTOMER.
at_rest_label(at_rest) := "disabled" if at_rest.enabled == false

at_rest_label(at_rest) := "CUSTOMER" if {
	at_rest.enabled == true
	at_rest.key_manager == "CUSTOMER"
}

at_rest_label(at_rest) := "AWS" if {
	at_rest.enabled == true
	not at_rest.key_manager == "CUSTOMER"
}

at_rest_text := {
	"disabled": "disabled",
	"AWS": "on with an AWS-managed key",
	"CUSTOMER": "on with a customer-managed key",
}

# Regions whose client-broker setting is weaker than the other's (ENC-001).
weaker_client_broker contains role if {
	some role in lib.roles
	other := lib.other_role(role)
	mine := input[role].encryption.in_transit.client_broker
	theirs := input[other].encryption.in_transit.client_broker
	client_broker_strength[mine] < client_broker_strength[theirs]
}

deny contains f if {
	some role in weaker_client_broker
	other := lib.other_role(role)
	mine := input[role].encryption.in_transit.client_broker
	theirs := input[other].encryption.in_transit.client_broker
	f := lib.compare(
		lib.finding_at(
			"ENC-001", "encryption.in_transit.client_broker",
			sprintf("Client-broker encryption is %s in the %s but %s in the %s", [mine, role, theirs, other]),
			role, null,
		),
		input.primary.encryption.in_transit.client_broker,
		input.secondary.encryption.in_transit.client_broker,
	)
}

deny contains f if {
	some role in lib.roles
	input[role].encryption.in_transit.in_cluster == false
	other := lib.other_role(role)
	input[other].encryption.in_transit.in_cluster == true
	f := lib.compare(
		lib.finding_at(
			"ENC-002", "encryption.in_transit.in_cluster",
			sprintf("In-cluster encryption is off in the %s but on in the %s", [role, other]),
			role, null,
		),
		input.primary.encryption.in_transit.in_cluster,
		input.secondary.encryption.in_transit.in_cluster,
	)
}

deny contains f if {
	some role in lib.roles
	other := lib.other_role(role)
	mine := input[role].encryption.at_rest
	theirs := input[other].encryption.at_rest
	at_rest_strength(mine) < at_rest_strength(theirs)
	f := lib.compare(
		lib.finding_at(
			"ENC-003", "encryption.at_rest",
			sprintf("Encryption at rest is %s in the %s but %s in the %s", [
				at_rest_text[at_rest_label(mine)], role, at_rest_text[at_rest_label(theirs)], other,
			]),
			role, null,
		),
		at_rest_label(input.primary.encryption.at_rest),
		at_rest_label(input.secondary.encryption.at_rest),
	)
}

deny contains f if {
	some role in lib.roles
	input[role].encryption.at_rest.rotation == false
	other := lib.other_role(role)
	input[other].encryption.at_rest.rotation == true
	f := lib.compare(
		lib.finding_at(
			"ENC-004", "encryption.at_rest.rotation",
			sprintf("At-rest key rotation is off in the %s but on in the %s", [role, other]),
			role, null,
		),
		input.primary.encryption.at_rest.rotation,
		input.secondary.encryption.at_rest.rotation,
	)
}

deny contains f if {
	some role in lib.roles
	input[role].network.plaintext_listener == true
	other := lib.other_role(role)
	input[other].network.plaintext_listener == false

	# one finding per fault: a TLS_PLAINTEXT (or PLAINTEXT) client-broker setting opens the
	# plaintext listener, and ENC-001 already reports it
	not role in weaker_client_broker
	f := lib.compare(
		lib.finding_at(
			"ENC-005", "network.plaintext_listener",
			sprintf("The %s exposes a PLAINTEXT listener that the %s does not", [role, other]),
			role, null,
		),
		input.primary.network.plaintext_listener,
		input.secondary.network.plaintext_listener,
	)
}
