# The rule catalog, continued: how each rule is judged while a region is declared down
# (input.outage; failback.outage applies it, docs/concepts/outage.md explains it). A rule in
# neither set judges each region on its own: it still runs, and only its findings about the
# impaired region are listed as not judgeable.
package failback.catalog

# Rules that need a flow between the regions (every flow has the impaired region at one end),
# or the impaired region's live state (its consumer groups, topics as they are now, the other
# leg of a replicator pair, a snapshot taken at the same time as the healthy one).
outage_cross_region := {
	"CA-002",
	"CMP-004",
	"EVD-002",
	"OFF-001",
	"OFF-003",
	"OFF-005",
	"RB-002",
	"REP-001",
	"REP-003",
	"REP-004",
	"REP-005",
	"REP-006",
	"WA-008",
}

# Rules that compare the healthy region with the impaired region's (last known) snapshot:
# judged when that snapshot has the areas they read, not judged when it lacks them.
outage_compared := {
	"ACL-001",
	"ACL-002",
	"ACL-004",
	"ACL-005",
	"ACL-006",
	"ACL-007",
	"AUD-001",
	"AUD-002",
	"AUD-003",
	"CMP-001",
	"CMP-003",
	"ENC-001",
	"ENC-002",
	"ENC-003",
	"ENC-004",
	"ENC-005",
	"EVD-004",
	"NET-001",
	"NET-003",
	"RET-001",
	"RET-002",
	"RET-003",
	"TOP-001",
	"TOP-002",
	"TOP-003",
	"TOP-004",
	"WA-001",
}
