# METADATA
# title: encryption
# description: Placeholder until the area's rules are written.
package failback.encryption

deny := set()
