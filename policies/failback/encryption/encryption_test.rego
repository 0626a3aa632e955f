package failback.encryption_test

import data.failback.encryption

region(client_broker, in_cluster, at_rest, plaintext_listener) := {
	"encryption": {
		"at_rest": at_rest,
		"in_transit": {"client_broker": client_broker, "in_cluster": in_cluster},
	},
	"network": {"plaintext_listener": plaintext_listener},
}

strong := region("TLS", true, {"enabled": true, "key_manager": "CUSTOMER", "rotation": true}, false)

pair(primary, secondary) := {"primary": primary, "secondary": secondary}

found(findings, rule_id) := {[f.resource, f.region] | some f in findings; f.rule_id == rule_id}

test_baseline_has_no_findings if {
	count(encryption.deny) == 0 with input as pair(strong, strong)
}

test_enc_001_plaintext_secondary_fires if {
	weak := object.union(strong, {"encryption": {"in_transit": {"client_broker": "TLS_PLAINTEXT"}}})
	findings := encryption.deny with input as pair(strong, weak)
	found(findings, "ENC-001") == {["encryption.in_transit.client_broker", "secondary"]}
	some f in findings
	f.rule_id == "ENC-001"
	f.primary == "TLS"
	f.secondary == "TLS_PLAINTEXT"
}

test_enc_001_weaker_primary_fires_in_primary if {
	weak := object.union(strong, {"encryption": {"in_transit": {"client_broker": "PLAINTEXT"}}})
	findings := encryption.deny with input as pair(weak, strong)
	found(findings, "ENC-001") == {["encryption.in_transit.client_broker", "primary"]}
}

test_enc_001_equal_or_missing_passes if {
	same := object.union(strong, {"encryption": {"in_transit": {"client_broker": "TLS_PLAINTEXT"}}})
	found(encryption.deny, "ENC-001") == set() with input as pair(same, same)
	unknown := object.union(strong, {"encryption": {"in_transit": {"client_broker": null}}})
	found(encryption.deny, "ENC-001") == set() with input as pair(strong, unknown)
}

test_enc_002_in_cluster_off_fires if {
	weak := object.union(strong, {"encryption": {"in_transit": {"in_cluster": false}}})
	findings := encryption.deny with input as pair(strong, weak)
	found(findings, "ENC-002") == {["encryption.in_transit.in_cluster", "secondary"]}
}

test_enc_002_off_in_both_or_null_passes if {
	off := object.union(strong, {"encryption": {"in_transit": {"in_cluster": false}}})
	found(encryption.deny, "ENC-002") == set() with input as pair(off, off)
	unknown := object.union(strong, {"encryption": {"in_transit": {"in_cluster": null}}})
	found(encryption.deny, "ENC-002") == set() with input as pair(unknown, off)
}

test_enc_003_aws_key_fires if {
	weak := object.union(strong, {"encryption": {"at_rest": {"key_manager": "AWS"}}})
	findings := encryption.deny with input as pair(strong, weak)
	found(findings, "ENC-003") == {["encryption.at_rest", "secondary"]}
	some f in findings
	f.rule_id == "ENC-003"
	f.primary == "CUSTOMER"
	f.secondary == "AWS"
}

test_enc_003_disabled_vs_unspecified_key_fires if {
	unspecified := object.union(strong, {"encryption": {"at_rest": {"key_manager": null}}})
	disabled := object.union(strong, {"encryption": {"at_rest": {"enabled": false}}})
	found(encryption.deny, "ENC-003") == {["encryption.at_rest", "primary"]} with input as pair(disabled, unspecified)
}

test_enc_003_equal_strength_passes if {
	aws := object.union(strong, {"encryption": {"at_rest": {"key_manager": "AWS"}}})
	unspecified := {"encryption": {
		"at_rest": {"enabled": true, "rotation": true},
		"in_transit": {"client_broker": "TLS", "in_cluster": true},
	}}
	found(encryption.deny, "ENC-003") == set() with input as pair(aws, unspecified)
	unknown := object.union(strong, {"encryption": {"at_rest": {"enabled": null}}})
	found(encryption.deny, "ENC-003") == set() with input as pair(strong, unknown)
}

test_enc_004_rotation_off_fires if {
	weak := object.union(strong, {"encryption": {"at_rest": {"rotation": false}}})
	found(encryption.deny, "ENC-004") == {["encryption.at_rest.rotation", "primary"]} with input as pair(weak, strong)
}

test_enc_004_null_rotation_passes if {
	unknown := object.union(strong, {"encryption": {"at_rest": {"rotation": null}}})
	found(encryption.deny, "ENC-004") == set() with input as pair(unknown, strong)
}

test_enc_005_plaintext_listener_fires if {
	weak := object.union(strong, {"network": {"plaintext_listener": true}})
	found(encryption.deny, "ENC-005") == {["network.plaintext_listener", "secondary"]} with input as pair(strong, weak)
}

test_enc_005_listener_in_both_passes if {
	weak := object.union(strong, {"network": {"plaintext_listener": true}})
	found(encryption.deny, "ENC-005") == set() with input as pair(weak, weak)
}

test_enc_005_tls_plaintext_setting_is_one_finding if {
	# MSK TLS_PLAINTEXT opens the plaintext bootstrap: ENC-001 reports it, ENC-005 does not repeat it
	tls_plaintext := object.union(strong, {
		"encryption": {"in_transit": {"client_broker": "TLS_PLAINTEXT"}},
		"network": {"plaintext_listener": true},
	})
	findings := encryption.deny with input as pair(strong, tls_plaintext)
	found(findings, "ENC-001") == {["encryption.in_transit.client_broker", "secondary"]}
	found(findings, "ENC-005") == set()
}
