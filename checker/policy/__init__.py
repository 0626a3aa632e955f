"""The policy library: locating the Rego files, the rule catalog, and OPA bundles."""
