# METADATA
# title: write_authority
# description: Placeholder until the area's rules are written.
package failback.write_authority

deny := set()
