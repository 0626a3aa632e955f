# METADATA
# title: cost
# description: Placeholder until the area's rules are written.
package failback.cost

deny := set()
