# METADATA
# title: network
# description: Placeholder until the area's rules are written.
package failback.network

deny := set()
