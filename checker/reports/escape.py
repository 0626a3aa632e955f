"""Data made visible: the one escaping function for names and messages in human-readable output.

Topic, principal, region, family and file names come from snapshots, plans, waiver files and
Terraform or Kubernetes sources that a pull request can change. Printed raw, an ESC sequence
clears a terminal, paints a fake green GO or plants an OSC 8 link, and a newline starts a line
the reader (or a CI runner) takes for the checker's own: `phase failback: GO`, or a GitHub
Actions workflow command `::error file=...::`.

`visible` turns every character that moves the cursor, starts a line or reorders text into a
visible escape: C0 controls (including tab, CR and LF), DEL, C1 controls, the Unicode line and
paragraph separators and the bidirectional-text controls become `\\xNN` or `\\uNNNN`. A value
that would start a line with `::` (after any leading white space, as the Actions runner reads
it) gets its first colon escaped as `\\x3a`. Backslashes are left alone, so a literal `\\x1b`
in a name reads the same as an escaped ESC: the escapes are for people, not for parsing.

Used by text, short, `failback diff`, `failback scorecard`, the HTML report, Markdown (inside
and outside code spans) and the CLI's one-line errors.
"""

from __future__ import annotations

import re

_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(value: object) -> str:
    """`value` as one line of plain, visible text (see the module docstring)."""
    text = _HIDDEN.sub(_escape, str(value))
    stripped = text.lstrip()
    if stripped.startswith("::"):
        text = text[: len(text) - len(stripped)] + "\\x3a" + stripped[1:]
    return text


def visible_lines(text: str) -> str:
    """Multi-line text the checker laid out itself (e.g. indented JSON): each line visible."""
    return "\n".join(visible(line) for line in text.split("\n"))
