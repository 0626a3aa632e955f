"""Errors that end a run with a one-line message and a documented exit code."""

from __future__ import annotations

from typing import ClassVar


class CheckerError(Exception):
    """Base of every error the CLI turns into one line on stderr."""

    exit_code: ClassVar[int] = 3

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = self.message if not self.hint else f"{self.message} ({self.hint})"
        return " ".join(text.split())


class InputError(CheckerError):
    """Bad, missing or unreadable input: exit 2."""

    exit_code: ClassVar[int] = 2


class EngineError(CheckerError):
    """A policy engine failed or is unreachable: exit 3."""

    exit_code: ClassVar[int] = 3
