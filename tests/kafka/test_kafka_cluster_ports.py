"""The test clusters' port picking (no Java): one process never hands out a port twice."""

from __future__ import annotations

import socket
from typing import Any, ClassVar

import pytest

from . import kafka_cluster


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
    monkeypatch.setattr(kafka_cluster, "_HANDED_OUT", set())
    monkeypatch.setattr(_Probe, "offered", [38605, 38605, 38606])
    monkeypatch.setattr(socket, "socket", _Probe)
    assert [kafka_cluster.free_port(), kafka_cluster.free_port()] == [38605, 38606]
