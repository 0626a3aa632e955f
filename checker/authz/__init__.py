"""Effective permissions, computed as the authorizers compute them.

`kafka` evaluates Kafka ACLs as StandardAuthorizer (KRaft) does; `iam` evaluates IAM identity
policies for MSK's `kafka-cluster:` actions as IAM does. Both are pure: no I/O, no clock.
`access` holds what a client needs (produce, consume) as a list of checks on either.
"""
