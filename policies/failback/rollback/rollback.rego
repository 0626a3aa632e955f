# METADATA
# title: rollback
# description: Placeholder until the area's rules are written.
package failback.rollback

deny := set()
