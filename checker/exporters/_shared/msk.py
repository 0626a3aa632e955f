"""What an MSK cluster's broker configuration is when nothing overrides it.

Shared by the exporters that read MSK (live AWS and Terraform plans) so both sources compare.
"""

from __future__ import annotations

from collections.abc import Mapping

# The default MSK configuration's governance-relevant values (a cluster without a custom
# configuration runs with these).
MSK_DEFAULTS: Mapping[str, str] = {
    "allow.everyone.if.no.acl.found": "true",
    "auto.create.topics.enable": "false",
}
