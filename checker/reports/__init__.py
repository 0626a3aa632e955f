"""Output formats: name -> renderer. One module per format; an explicit registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..model import Report

Renderer = Callable[[Report], str]


def _text(report: Report) -> str:
    from .text import render

    return render(report)


def _json(report: Report) -> str:
    from .json_report import render

    return render(report)


REPORTERS: Mapping[str, Renderer] = {
    "text": _text,
    "json": _json,
}
