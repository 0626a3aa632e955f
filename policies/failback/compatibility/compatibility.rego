# METADATA
# title: compatibility
# description: Placeholder until the area's rules are written.
package failback.compatibility

deny := set()
