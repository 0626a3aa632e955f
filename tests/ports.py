"""Loopback ports for the servers the tests start (Kafka brokers, OPA, the schema registry).

One process never hands out a port twice: the kernel may offer a port again once its probing
socket is closed, and two listeners given the same port fail to start (a broker whose CLIENT and
CONTROLLER listeners got one port refused to format its storage, in CI)."""

from __future__ import annotations

import socket

_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A loopback port nothing listens on, never one this process handed out before."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port
