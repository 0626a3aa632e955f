# METADATA
# title: evidence
# description: Placeholder until the area's rules are written.
package failback.evidence

deny := set()
