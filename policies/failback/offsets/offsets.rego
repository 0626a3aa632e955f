# METADATA
# title: offsets
# description: Placeholder until the area's rules are written.
package failback.offsets

deny := set()
