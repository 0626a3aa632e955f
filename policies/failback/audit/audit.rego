# METADATA
# title: audit
# description: Placeholder until the area's rules are written.
package failback.audit

deny := set()
