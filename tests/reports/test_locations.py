"""The line finder of report locations answers as a line-by-line scan would."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.reports.locations import _Text

_ALPHABET = st.sampled_from(list('ab"c:\n\r\x0b\x85\u2028 '))


def _scan(lines: list[str], needle: str, start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if needle in lines[i]), None)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(_ALPHABET, max_size=60),
    needle=st.text(_ALPHABET, max_size=4),
    start=st.integers(min_value=0, max_value=12),
)
def test_find_matches_a_line_scan(text: str, needle: str, start: int) -> None:
    found = _Text(Path("unused"))
    found.__dict__["lines"] = text.splitlines()  # the cached_property, without a file
    assert found.find(needle, start) == _scan(text.splitlines(), needle, start)


def test_find_reads_the_file_once_and_gives_the_first_line_at_or_after_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text('{\n  "acls": [\n    "acls"\n  ],\n  "topics": {}\n}\n', encoding="utf-8")
    text = _Text(path)
    assert text.find('"acls"') == 1
    assert text.find('"acls"', 2) == 2
    assert text.find('"topics"', 3) == 4
    assert text.find('"nowhere"') is None
    assert text.find("acls", 6) is None
