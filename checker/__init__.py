"""failback-checker: can Kafka traffic go back after a cross-region failover?"""

__version__ = "0.2.0"
