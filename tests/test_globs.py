"""fnmatch globs as anchored RE2 regular expressions (checker/globs.py): exactly fnmatchcase.

The engines' side is in test_exceptions.py (the same translations through regex.match on
regorus and OPA)."""

from __future__ import annotations

import fnmatch
import itertools
import random
import re

from checker.globs import to_regex


def python_regex(rx: str) -> re.Pattern[str]:
    """The RE2 translation in Python's syntax (\\x{...} becomes \\U........)."""
    body = re.sub(r"\\x\{([0-9a-f]+)\}", lambda m: f"\\U{int(m.group(1), 16):08x}", rx)
    assert body.startswith("^") and body.endswith("$")
    return re.compile(body[1:-1] + r"\Z")


# --- the glob translation --------------------------------------------------------------


def test_translation_is_anchored_and_escapes_every_class_member() -> None:
    assert to_regex("ledger.*") == r"^ledger\x{2e}(?s:.)*$"
    assert to_regex("[!a-c]?") == r"^[^\x{61}-\x{63}](?s:.)$"
    assert to_regex("[c-a]") == r"^[^\x{0}-\x{10ffff}]$"  # an empty range never matches
    assert to_regex("[!]") == r"^\x{5b}!\x{5d}$"  # no closing bracket after `[!]`: literal


def test_translation_matches_fnmatchcase_on_random_patterns() -> None:
    rng = random.Random(20261129)
    alphabet = "ab-]![^\\*?.|&~+()$\n z\u00e9"
    for _ in range(20000):
        pattern = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        compiled = python_regex(to_regex(pattern))
        for _ in range(10):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
            expected = fnmatch.fnmatchcase(text, pattern)
            assert bool(compiled.match(text)) == expected, (pattern, text)


def test_every_short_bracket_expression_matches_like_fnmatchcase() -> None:
    """Brackets are where fnmatch is subtle (`]` first, `!`, `-` at either end, b-a)."""
    alphabet = "ab-]!^\\["
    texts = ["", *alphabet, "c", "ab", "]]", "[a]"]
    for length in range(5):
        for chars in itertools.product(alphabet, repeat=length):
            pattern = "[" + "".join(chars) + "]"
            compiled = python_regex(to_regex(pattern))
            for text in texts:
                assert bool(compiled.match(text)) == fnmatch.fnmatchcase(text, pattern), (
                    pattern,
                    text,
                )
