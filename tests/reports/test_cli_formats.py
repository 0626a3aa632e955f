"""`--format` / `-o` pairing, exit codes per format, colour in a terminal, and `--format short`."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker.reports import FORMATS, RenderOptions
from checker.reports.text import render as render_text

from ..conftest import ESTATE, NOW, ROOT, run_cli
from .conftest import waiver, write_waivers

PLAN = ESTATE / "faulted" / "failback.yaml"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def check(*extra: str, variant: str = "faulted") -> object:
    return run_cli(["check", "-c", str(ESTATE / variant / "failback.yaml"), "--now", NOW, *extra])


def test_each_format_to_its_file_and_one_to_stdout(tmp_path: Path) -> None:
    sarif, junit, md = tmp_path / "out.sarif", tmp_path / "out.xml", tmp_path / "out.md"
    run = run_cli(
        [
            "check",
            "-c",
            str(PLAN),
            "--now",
            NOW,
            "--format",
            "sarif",
            "-o",
            str(sarif),
            "--format",
            "junit",
            "-o",
            str(junit),
            "--format",
            "markdown",
            "-o",
            str(md),
            "--format",
            "text",
        ]
    )
    assert run.exit_code == 1, run.stderr
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert ET.parse(junit).getroot().tag == "testsuites"
    assert md.read_text().startswith("## ❌ NO-GO")
    assert run.stdout.startswith("failback-checker: plan payments-platform")
    assert "phase failback: NO-GO" in run.stdout


def test_output_without_format_is_text_as_before(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    run = run_cli(["check", "-c", str(PLAN), "--now", NOW, "-o", str(out)])
    assert run.exit_code == 1 and run.stdout == ""
    assert "phase failback: NO-GO" in out.read_text()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--format", "json", "--format", "text"], "json, text would all go to stdout"),
        (["-o", "a.json", "-o", "b.json"], "2 -o given for 1 --format"),
        (["--format", "json", "-o", "a", "-o", "b"], "2 -o given for 1 --format"),
    ],
)
def test_bad_pairings_are_usage_errors(args: list[str], fragment: str) -> None:
    run = check(*args)
    assert run.exit_code == 2  # type: ignore[attr-defined]
    lines = run.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and fragment in lines[0]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_exit_codes_are_the_same_for_every_format(fmt: str) -> None:
    for variant, code in (("ready", 0), ("faulted", 1), ("gaps", 4)):
        run = check("--format", fmt, variant=variant)
        assert run.exit_code == code, (fmt, variant, run.stderr)  # type: ignore[attr-defined]


def test_unknown_format_is_exit_2() -> None:
    assert check("--format", "pdf").exit_code == 2  # type: ignore[attr-defined]


def test_text_has_no_colour_outside_a_terminal() -> None:
    run = check()
    assert not ANSI.search(run.stdout)  # type: ignore[attr-defined]


def test_text_in_a_terminal_is_a_coloured_wrapped_table(faulted) -> None:  # type: ignore[no-untyped-def]
    text = render_text(faulted, RenderOptions(color=True, width=100))
    assert "\x1b[1;31mNO-GO\x1b[0m" in text
    plain = ANSI.sub("", text)
    rows = [line for line in plain.splitlines() if line.startswith("  x ")]
    assert len(rows) == 16
    assert all(len(line) <= 100 for line in plain.splitlines())
    # long messages wrap onto indented lines instead of being cut with "…" (issue #17)
    assert "…" not in plain
    assert any(
        line.startswith(" " * 20) and not line.strip().startswith("fix:")
        for line in plain.splitlines()
    )
    # the severity column lines up
    assert len({line.index("critical") for line in rows if "critical" in line}) == 1


def _run_in_pty(env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "checker", "check", "-c", str(PLAN), "--now", NOW],
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **env, "COLUMNS": "120"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 1
    return b"".join(chunks).decode("utf-8")


def test_real_terminal_gets_colour_and_no_color_turns_it_off() -> None:
    env = {k: "" for k in ("NO_COLOR",)}
    coloured = _run_in_pty(env)
    assert ANSI.search(coloured)
    plain = _run_in_pty({"NO_COLOR": "1"})
    assert not ANSI.search(plain)
    assert "phase failback: NO-GO" in plain


def test_short_format_lists_blocking_findings_with_file_and_resource() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "check",
            "-c",
            str(PLAN.relative_to(ROOT)),
            "--now",
            NOW,
            "--format",
            "short",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "failback-checker, phase failback: NO-GO (16 blocking, fail-on high)"
    body = lines[1:-1]
    assert len(body) == 16
    for line in body:
        assert re.match(r"^fixtures/estate/faulted/[\w.-]+:\d+: [A-Z]+-\d{3} \w+ ", line), line
    assert any(
        line.startswith("fixtures/estate/faulted/us-west-2.json:")
        and " RET-001 high ledger.entries [secondary]: " in line
        for line in body
    )
    assert lines[-1].startswith("to accept a risk, add {rule_id, resource, owner, reason")
    assert "AUD-003" not in result.stdout  # not blocking: not listed


def test_short_format_when_ready_is_one_line() -> None:
    run = check("--format", "short", variant="ready")
    assert run.stdout == "failback-checker, phase failback: GO (0 blocking, fail-on high)\n"  # type: ignore[attr-defined]


def test_short_format_names_the_waiver_file_for_expired_waivers(tmp_path: Path) -> None:
    path = write_waivers(tmp_path / "w.yaml", waiver("AUD-003", expires="2026-11-01"))
    run = check("--format", "short", "--waivers", str(path))
    line = next(x for x in run.stdout.splitlines() if " WVR-001 " in x)  # type: ignore[attr-defined]
    assert re.match(r"^.*w\.yaml:3: WVR-001 high AUD-003 \*: ", line), line
