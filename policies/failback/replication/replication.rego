# METADATA
# title: replication
# description: Placeholder until the area's rules are written.
package failback.replication

deny := set()
