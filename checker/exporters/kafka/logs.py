"""librdkafka's log lines go nowhere: its errors come back to the exporter as gaps or one-line
input errors, never as noise on stderr."""

from __future__ import annotations

import logging


def silent_logger() -> logging.Logger:
    """The logger handed to every confluent_kafka client of the exporter."""
    logger = logging.getLogger("checker.exporters.kafka.librdkafka")
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return logger
