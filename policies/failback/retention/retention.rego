# METADATA
# title: retention
# description: Placeholder until the area's rules are written.
package failback.retention

deny := set()
