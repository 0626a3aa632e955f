""" "Did you mean ...?" for a misspelt key, rule id or option value."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` most likely misspells, if any is close enough."""
    options = sorted({str(choice) for choice in choices})
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    if not found:  # a case slip (Fail-On) or a transposition in a short word
        lowered = {option.lower(): option for option in options}
        found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.75)
        found = [lowered[found[0]]] if found else []
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean x?)` or nothing: to append to an error message."""
    match = closest(word, choices)
    return f" (did you mean {match}?)" if match else ""
