"""Draft a failback.yaml from the two regions' snapshots (`failback init`). Pure: documents in,
a plan document out, every inferred value wrapped in a `Guess` that says why.

What is inferred, and from what:
  regions         the snapshots' regions, and how `check` reads them again (file or source)
  equivalences    region-specific identifiers paired across the regions: cluster names, KMS
                  keys, ingress peers (security groups, CIDRs) paired by port and description,
                  broker log groups, trails, buckets and principals whose names differ only
                  by a region token (us-east-1, use1, ...)
  topic_families  one per topic-name prefix (the part before the first '.'), after the
                  replication prefix of remote copies (`use1.payments.x`) is taken off;
                  internal topics (checker/topics.py) belong to none
  replicator_principals  principals that may write every topic of several replicated
                  families, or whose name says replication (replicator, mirror, mm2, ...)
  admin_principals  the brokers' super users
  producers       per family, who may write its topics in either region (ACLs and IAM,
                  judged by the same authorizer as `check`), neither replicator nor admin
  phases          the usual roles: the primary writes and consumes in normal, failback and
                  cleanup, the secondary in failover and dr_operation
  current_phase   from where producers may write and which flows run
  transactional, connect, schemas, offset_strategy  from transactional-id grants, Connect
                  internal topics a family's producer writes, registry subjects, offset sync
  cost.flow_owners  every flow by name, with the owner its snapshot records

What only a person knows (owners, tiers, sinks, runbooks, rehearsals, rollback, the cost
budget) is left as comment lines to fill in: a draft never claims a rehearsal or a rollback
point, so `check` reports them missing until a person adds them.
"""

from __future__ import annotations

from .identifiers import region_tokens, without_region
from .plan import draft
from .region import RegionInput

__all__ = ["RegionInput", "draft", "region_tokens", "without_region"]
