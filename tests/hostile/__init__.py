"""Hostile-input and fail-open probes."""
