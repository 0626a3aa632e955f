"""The tests' port picking (tests/ports.py): one process never hands out a port twice."""

from __future__ import annotations

import socket
from typing import Any, ClassVar

import pytest

from . import ports


class _Probe:
    """A socket whose bind(0) gets the next port of a scripted list."""

    offered: ClassVar[list[int]] = []

    def __init__(self, *_: Any) -> None:
        self.port = self.offered.pop(0)

    def __enter__(self) -> _Probe:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def bind(self, _: object) -> None:
        return None

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)


def test_a_port_the_kernel_offers_again_is_not_handed_out_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stop 28's CI: a broker got the same port for its CLIENT and CONTROLLER listeners, since
    the kernel offered it again once the probing socket was closed, and refused to start."""
    monkeypatch.setattr(ports, "_HANDED_OUT", set())
    monkeypatch.setattr(_Probe, "offered", [38605, 38605, 38606])
    monkeypatch.setattr(socket, "socket", _Probe)
    assert [ports.free_port(), ports.free_port()] == [38605, 38606]


def test_the_servers_the_tests_start_take_their_ports_from_one_place() -> None:
    """Kafka brokers, OPA and the schema registry share one record of the ports handed out."""
    from . import opa_support
    from .kafka import kafka_cluster
    from .registry import conftest as registry

    for module in (kafka_cluster, opa_support, registry):
        assert vars(module)["free_port"] is ports.free_port, module.__name__
