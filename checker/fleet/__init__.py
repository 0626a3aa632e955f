"""Fleet audits: many cluster pairs (plans) judged in one run, shardable across machines.

    config.py  fleet.yaml: plans by path and glob, per-account/region settings
    shard.py   --shard K/N: a stable subset by the hash of each pair's identity
    run.py     the pairs through the single-pair pipeline: exports in a bounded pool,
               evaluation in process, failures and Ctrl-C recorded, never fatal
    report.py  the fleet report (JSON-ready data) and the merge of shards' parts

Reporters for the fleet report are checker/reports/fleet_*.py; the command is
checker/cli/fleet.py.
"""
