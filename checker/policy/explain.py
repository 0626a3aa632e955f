"""What each rule means for failback, beyond its catalog entry: the one source of the rule
pages (docs/rules/<ID>.md, scripts/generate_rule_docs.py) and of `failback rules ID`.

The catalog (policies/failback/catalog) holds each rule's own fields; this module adds what
its area risks when traffic goes back, and how the severity decides whether it blocks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..model import PHASES, SEVERITIES

DEFAULT_FAIL_ON = "high"
# Evidence-quality rules (`indeterminate: true` in the catalog) never block, whatever their
# severity: a finding makes the verdict `indeterminate` (policies/failback/main/main.rego
# `blocks`). Why, per rule; a rule not listed here gets the general sentence.
NEVER_BLOCKS: Mapping[str, str] = {
    "EVD-001": "an in-scope gap makes the verdict `indeterminate` instead",
}
NEVER_BLOCKS_DEFAULT = "a finding makes the verdict `indeterminate` instead"

# Area -> (title, why the area matters when traffic goes back). Unknown areas still get pages.
AREAS: Mapping[str, tuple[str, str]] = {
    "write_authority": (
        "Write authority",
        "During failback both regions are alive. The plan names, for every topic family and "
        "phase, the region that may accept producer writes. When producers can write a family in "
        "both regions, records for one key land in two topics with no common order (split "
        "brain), and no replication tool can merge them back. Write authority is judged from "
        "effective permissions, computed as Kafka's authorizer (ACLs, super users, no "
        "authorizer, `allow.everyone.if.no.acl.found`) and IAM (`kafka-cluster:WriteData`) "
        "decide them, and from how the plan says the standby is fenced (see "
        "[Write authority](../concepts/write-authority.md)).",
    ),
    "replication": (
        "Replication",
        "Failback needs a path for the data written during DR operation to get back to the "
        "primary, and that path must not loop or write into the region that is producing. "
        "Identical-name flows in both directions echo records forever unless the tool protects "
        "against loops (MirrorMaker 2 with `IdentityReplicationPolicy` cannot), and a flow into "
        "the active writer makes two sources write one topic.",
    ),
    "offsets": (
        "Consumer offsets",
        "Offsets differ between clusters, so consumer progress has to be translated when "
        "consumers move back. MSK Replicator LEGACY offset sync and MirrorMaker 2 checkpoints "
        "translate one way only; without a working reverse path consumers re-read or skip "
        "records after failback, and a replaying strategy duplicates writes into sinks that are "
        "not idempotent.",
    ),
    "runtime": (
        "Runtime gates",
        "Configuration can be right while the data is not there yet. Before producers move "
        "back, the failback flow must have caught up (records and seconds behind, measured "
        "from end offsets and newest record timestamps on both sides); before consumers move, "
        "their progress must have made it across (records they would re-read or skip) and no "
        "group may consume in both regions; no partition may be offline. These rules judge the "
        "live evidence `failback watch` and `failback export --runtime` sample, against each "
        "failback step's gates (see [Failback steps](../concepts/failback-steps.md)).",
    ),
    "rollback": (
        "Rollback",
        "Failback is a planned migration under pressure. Without a declared point of no return "
        "and a way back, a failback that goes wrong half-way leaves producers and consumers "
        "split across regions with nobody sure how to undo it.",
    ),
    "acl": (
        "Access control",
        "Grants created while the DR region was the writer rarely make it back: MSK Replicator "
        "copies only LITERAL topic ACLs and never IAM policies, MirrorMaker 2 drops allow-Write "
        "bindings. After the switch clients lose access, or the DR region keeps broader grants "
        "than the primary ever had. Access is compared as the authorizers decide it, per topic "
        "after replication renaming, so equivalent grants written differently (PREFIXED in one "
        "region, LITERAL in the other; remote topics `<alias>.<topic>`) are not differences.",
    ),
    "encryption": (
        "Encryption",
        "Controls split across two places are controls nobody owns. Traffic that goes back to a "
        "region with weaker encryption in transit or at rest (an AWS-managed key where the other "
        "region uses a customer-managed one) quietly lowers the protection of everything it "
        "carries.",
    ),
    "network": (
        "Network",
        "Incidents open things up: a security group widened during DR operation, public access "
        "turned on to let a team in. Failback is the moment to notice the DR region no longer "
        "matches the primary's exposure.",
    ),
    "audit": (
        "Audit",
        "An investigation after failback needs the same evidence from both regions. Broker logs "
        "or an API trail that are off, or expire sooner, in one region leave a hole exactly "
        "where the incident happened.",
    ),
    "retention": (
        "Retention",
        "Failback replays what the DR region wrote. When a replicated topic keeps data for less "
        "time (or fewer bytes) in the secondary, the records needed to catch the primary up can "
        "be deleted before they are copied back: the replay window is lost.",
    ),
    "topic_config": (
        "Topic structure and config",
        "Replication copies records, not always the topic around them: MirrorMaker 2 skips "
        "min.insync.replicas and message.timestamp.type by default, and a topic created by hand "
        "in the DR region can have another partition count or cleanup policy. After the switch "
        "keys land in other partitions, compacted data is deleted by retention, acknowledged "
        "writes survive fewer failures, or large records are rejected.",
    ),
    "cost": (
        "Cost",
        "A failback that never finishes means paying for two full regions and cross-region "
        "transfer indefinitely. The plan states how long dual-region operation may last and who "
        "owns each flow's transfer cost.",
    ),
    "evidence": (
        "Evidence",
        "A verdict is only as good as the snapshots it judges. An area an exporter could not "
        "read, snapshots captured far apart, a stale snapshot or mismatched schema versions "
        "mean the comparison may not describe the estate as it is now; the checker fails closed "
        "instead of passing silently.",
    ),
    "compatibility": (
        "Compatibility",
        "Clients move between clusters during failback. A different Kafka version, different "
        "quotas, a transactional producer without its transactional-id grant, or Kafka Connect "
        "internal topics that were not carried change how the same clients behave once they "
        "are back.",
    ),
    "consumer_authority": (
        "Consumer authority",
        "Consumers move in a planned order: a family's consumer groups run in one region per "
        "phase. A group left running in the old region, or started in both, processes records "
        "twice, and MSK Replicator and MirrorMaker 2 do not sync the offsets of a group that is "
        "active on the target, so it resumes from the wrong place.",
    ),
    "readiness": (
        "Readiness",
        "The configuration can be perfect and the failback still fail because nobody has done "
        "it. Tier-1 families need a runbook and a recent rehearsal for every phase (see the "
        "readiness scorecard).",
    ),
}


def area_title(area: str) -> str:
    return AREAS[area][0] if area in AREAS else area.replace("_", " ").capitalize()


def why(area: str, entry: Mapping[str, Any]) -> str:
    """Why the rule's area matters for failback (a rule of an unknown area: its description)."""
    return AREAS[area][1] if area in AREAS else str(entry["description"])


def blocks_text(rule_id: str, entry: Mapping[str, Any]) -> str:
    """`high (blocks at the default `--fail-on high`)` and the like, in Markdown."""
    severity = str(entry["severity"])
    if entry.get("indeterminate") is True:
        return f"{severity} (never blocks: {NEVER_BLOCKS.get(rule_id, NEVER_BLOCKS_DEFAULT)})"
    if severity not in SEVERITIES:
        return severity
    blocks = SEVERITIES.index(severity) >= SEVERITIES.index(DEFAULT_FAIL_ON)
    when = "blocks at the default" if blocks else "advisory at the default"
    return f"{severity} ({when} `--fail-on {DEFAULT_FAIL_ON}`)"


def waiver_example(rule_id: str) -> list[str]:
    """The waivers.yaml entry that accepts a finding of the rule (YAML lines)."""
    return [
        "# waivers.yaml",
        'schema_version: "1.0"',
        "waivers:",
        f"  - rule_id: {rule_id}",
        '    resource: "<the finding\'s resource, or an fnmatch pattern>"',
        "    owner: <team>",
        "    reason: <why the risk is acceptable until the expiry>",
        "    ticket: <tracking ticket>",
        "    expires: <YYYY-MM-DD, at most 180 days ahead>",
    ]


_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def plain(markdown: str) -> str:
    """Markdown prose as terminal text: links keep their words, code loses its backticks."""
    return _LINK.sub(r"\1", markdown).replace("`", "")


def explain(rule_id: str, entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The rule as (heading, text) sections for a terminal: what, why for failback, the fix,
    when it is judged, and an example (the waiver that accepts it)."""
    area = str(entry["area"])
    phases = [str(p) for p in entry.get("phases", [])]
    inputs = [str(i) for i in entry.get("inputs", [])]
    judged = "every phase" if phases == list(PHASES) else ", ".join(phases)
    reads = ", ".join(inputs) if inputs else "no snapshot area (the plan and snapshot metadata)"
    return [
        ("", f"{rule_id}: {entry['title']}"),
        ("area", f"{area} ({area_title(area)})"),
        ("severity", plain(blocks_text(rule_id, entry))),
        ("what", str(entry["description"])),
        ("why it matters for failback", plain(why(area, entry))),
        ("how to fix", str(entry["remediation"])),
        ("when", f"judged in {judged}; reads {reads}"),
        ("example (accepting the risk)", "\n".join(waiver_example(rule_id))),
        ("page", f"docs/rules/{rule_id}.md"),
    ]
