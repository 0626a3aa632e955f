"""fnmatch globs as anchored regular expressions both Rego engines read alike.

A waiver's resource is an fnmatch pattern, matched case-sensitively (`fnmatch.fnmatchcase`):
`*` any run of characters, `?` one character, `[seq]` one of seq, `[!seq]` one not in seq,
everything else literally. The policies match it with `regex.match`, which is RE2 in OPA and
the Rust regex crate in regorus, so the pattern is translated here into the syntax both share:
anchored with `^...$`, every class member written as a `\\x{...}` escape (no `[:alpha:]`,
`&&` or `--` can arise), every other metacharacter escaped. Brackets are read exactly as
Python's fnmatch.translate reads them (the same scan for the closing `]`, the same treatment
of `-`, `!` and empty ranges) and the class it builds is read as Python's `re` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY = "(?s:.)"  # one character, newlines included
NEVER = r"[^\x{0}-\x{10ffff}]"  # an empty class: matches nothing
_META = frozenset(r"\.+*?()|[]{}^$#&-~")


@dataclass(frozen=True)
class CharClass:
    """A bracket expression of a glob: the code point ranges it matches, or not."""

    negated: bool
    ranges: tuple[tuple[int, int], ...]  # inclusive code point ranges


Token = str | CharClass  # "*", "?", a literal character, or a class (empty: never matches)


def _class_text(pattern: str, start: int, end: int) -> str:
    """What fnmatch.translate puts between `[` and `]` for pattern[start:end] (Python 3.11)."""
    stuff = pattern[start:end]
    if "-" not in stuff:
        stuff = stuff.replace("\\", r"\\")
    else:
        chunks = []
        i = start
        k = start + 2 if pattern[start] == "!" else start + 1
        while True:
            k = pattern.find("-", k, end)
            if k < 0:
                break
            chunks.append(pattern[i:k])
            i = k + 1
            k = k + 3
        chunk = pattern[i:end]
        if chunk:
            chunks.append(chunk)
        else:
            chunks[-1] += "-"
        for k in range(len(chunks) - 1, 0, -1):  # remove empty ranges (b-a)
            if chunks[k - 1][-1] > chunks[k][0]:
                chunks[k - 1] = chunks[k - 1][:-1] + chunks[k][1:]
                del chunks[k]
        stuff = "-".join(s.replace("\\", r"\\").replace("-", r"\-") for s in chunks)
    for op in "&~|":
        stuff = stuff.replace(op, "\\" + op)
    return stuff


def _read_class(body: str) -> CharClass:
    """A class body as Python's re reads it (`^` negates; `]` first is literal; a-b ranges)."""
    negated = body.startswith("^")
    i = 1 if negated else 0
    ranges: list[tuple[int, int]] = []

    def take() -> str:
        nonlocal i
        char = body[i]
        i += 1
        if char == "\\":  # translate escapes only punctuation: the next character, literally
            char = body[i]
            i += 1
        return char

    while i < len(body):
        low = take()
        if i < len(body) and body[i] == "-":
            i += 1
            if i == len(body):  # `a-` before the closing bracket: a and -
                ranges += [(ord(low), ord(low)), (ord("-"), ord("-"))]
                break
            ranges.append((ord(low), ord(take())))  # translate leaves no reversed range
        else:
            ranges.append((ord(low), ord(low)))
    return CharClass(negated, tuple(ranges))


def tokens(pattern: str) -> list[Token]:
    """The pattern read as fnmatch.translate reads it."""
    out: list[Token] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        i += 1
        if char == "*":
            if not out or out[-1] != "*":
                out.append("*")
        elif char == "?":
            out.append("?")
        elif char == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append("[")  # no closing bracket: a literal [
                continue
            stuff = _class_text(pattern, i, j)
            i = j + 1
            if not stuff:
                out.append(CharClass(False, ()))  # an empty range: never matches
            elif stuff == "!":
                out.append("?")  # a negated empty range: any character
            elif stuff[0] == "!":
                out.append(_read_class("^" + stuff[1:]))
            elif stuff[0] in "^[":
                out.append(_read_class("\\" + stuff))
            else:
                out.append(_read_class(stuff))
        else:
            out.append(char)
    return out


def _escape(code: int) -> str:
    return f"\\x{{{code:x}}}"


def _class(token: CharClass) -> str:
    if not token.ranges:
        return ANY if token.negated else NEVER
    members = "".join(
        _escape(low) if low == high else f"{_escape(low)}-{_escape(high)}"
        for low, high in token.ranges
    )
    return f"[{'^' if token.negated else ''}{members}]"


def _literal(char: str) -> str:
    if char in _META or not char.isprintable():
        return _escape(ord(char))
    return char


def to_regex(pattern: str) -> str:
    """The anchored regular expression that matches exactly what fnmatchcase(x, pattern) does."""
    parts = []
    for token in tokens(pattern):
        if isinstance(token, CharClass):
            parts.append(_class(token))
        elif token == "*":
            parts.append(ANY + "*")
        elif token == "?":
            parts.append(ANY)
        else:
            parts.append(_literal(token))
    return "^" + "".join(parts) + "$"
