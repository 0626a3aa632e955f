"""The policy engines and user policies: no silent GO, no crash, both engines agree.

Every probe runs `failback check` on the embedded engine (regorus) and on a real OPA and
asserts the two agree; an error is exit 3 (2 for a bad option) with one line on stderr, and a
report file from an earlier run is never damaged.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest

from checker.engines.opa import OpaEngine, OpaSettings
from checker.policy.builtins import ALLOWED, FORBIDDEN
from checker.policy.locate import load_policies

from ..conftest import ESTATE, NOW, ROOT, Run, assert_one_line_error, run_cli
from ..opa_support import opa_server, tool

pytestmark = pytest.mark.opa
ENGINES = ("embedded", "opa")
PREVIOUS = '{"previous": "report"}\n'


@pytest.fixture(autouse=True)
def opa_on_path(monkeypatch: pytest.MonkeyPatch) -> str:
    binary = tool("opa")
    monkeypatch.setenv("FAILBACK_OPA_BIN", binary)
    return binary


def policy_dir(tmp_path: Path, *texts: str) -> Path:
    directory = tmp_path / "policies"
    directory.mkdir(exist_ok=True)
    for number, text in enumerate(texts):
        (directory / f"p{number}.rego").write_text(text)
    return directory


def check_args(variant: str, out: Path, engine: str, *extra: str) -> list[str]:
    return [
        "check",
        "-c",
        str(ESTATE / variant / "failback.yaml"),
        "--now",
        NOW,
        "--format",
        "json",
        "-o",
        str(out),
        "--engine",
        engine,
        *extra,
    ]


def both(tmp_path: Path, *extra: str, variant: str = "ready") -> dict[str, tuple[Run, str]]:
    """The same check on both engines: each engine's run and what its report file then holds
    (the file held an earlier report before the run)."""
    runs = {}
    for engine in ENGINES:
        out = tmp_path / f"report-{engine}.json"
        out.write_text(PREVIOUS)
        runs[engine] = (run_cli(check_args(variant, out, engine, *extra)), out.read_text())
    return runs


def refused_alike(runs: dict[str, tuple[Run, str]], code: int, *fragments: str) -> str:
    """Both engines fail with the same one line; the earlier report is untouched."""
    lines = set()
    for run, report in runs.values():
        assert_one_line_error(run, code, *fragments)
        assert report == PREVIOUS
        assert run.stdout == ""
        lines.add(run.stderr)
    assert len(lines) == 1, lines
    return lines.pop()


def agree(runs: dict[str, tuple[Run, str]], code: int) -> dict[str, Any]:
    """Both engines succeed with the same exit code and byte-identical reports."""
    (embedded, left), (opa, right) = runs["embedded"], runs["opa"]
    assert embedded.exit_code == opa.exit_code == code, (embedded.stderr, opa.stderr)
    assert embedded.stderr == opa.stderr == ""
    assert left == right
    report: dict[str, Any] = json.loads(left)
    return report


def findings(report: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [
        (f["rule_id"], f["severity"], f["blocking"])
        for decision in report["decisions"]
        for f in decision["findings"]
    ]


CUSTOM_OK = """package failback.custom.org

import data.failback.lib

deny contains lib.finding("ORG-002", "rollback", "no decision owner") if {
	not input.plan.rollback.decision_owner
}
"""


# --- 1. user policies are confined to failback.custom ------------------------------------------

# every area a built-in rule reads: each rule is then "suppressed" as if its evidence had gaps
ALL_AREAS = """
gapped_areas contains area if {
	some rule in data.failback.catalog.rules
	some area in rule.inputs
}
"""


def test_the_faulted_estate_is_no_go_on_both_engines(tmp_path: Path) -> None:
    report = agree(both(tmp_path, variant="faulted"), 1)
    assert report["decisions"][0]["verdict"] == "no-go"


@pytest.mark.parametrize(
    "body",
    [ALL_AREAS, "suppressed(_) := true\n", 'verdict := "go"\n'],
    ids=["gapped_areas", "suppressed", "verdict"],
)
def test_a_user_policy_cannot_switch_the_builtin_rules_off(tmp_path: Path, body: str) -> None:
    directory = policy_dir(tmp_path, "package failback.main\n\nimport rego.v1\n" + body)
    runs = both(tmp_path, "--policy-dir", str(directory), variant="faulted")
    refused_alike(runs, 3, "policy refused", f"{directory}/p0.rego", "package failback.main")


@pytest.mark.parametrize(
    "package",
    [
        "failback",
        "failback.custom",
        "failback.catalog",
        "failback.lib",
        "failback.main.extra",
        "failback.customs.org",
        'failback["main"]',
        "system.authz",
        "org.lib",
        "custom.org",
    ],
)
def test_every_package_outside_failback_custom_is_refused(tmp_path: Path, package: str) -> None:
    directory = policy_dir(tmp_path, f"package {package}\n\nx := 1\n")
    runs = both(tmp_path, "--policy-dir", str(directory))
    refused_alike(runs, 3, "policy refused", f"{directory}/p0.rego", "failback.custom.<name>")


@pytest.mark.parametrize(
    "text",
    [
        "# package failback.custom.ok\n\n   # a comment\n\n  package   failback.main # trailing\n\n"
        "suppressed(_) := true\n",
        "\n\n\t\tpackage\tfailback.main\n\nsuppressed(_) := true\n",
        "# METADATA\n# title: looks harmless\npackage failback.main\n\nsuppressed(_) := true\n",
    ],
    ids=["comments", "whitespace", "metadata"],
)
def test_the_package_is_read_from_the_syntax_not_a_line(tmp_path: Path, text: str) -> None:
    directory = policy_dir(tmp_path, text)
    runs = both(tmp_path, "--policy-dir", str(directory), variant="faulted")
    refused_alike(runs, 3, "policy refused", "package failback.main")


def test_a_second_package_in_one_file_does_not_compile(tmp_path: Path) -> None:
    directory = policy_dir(
        tmp_path,
        "package failback.custom.fine\n\npackage failback.main\n\nsuppressed(_) := true\n",
    )
    runs = both(tmp_path, "--policy-dir", str(directory), variant="faulted")
    for run, report in runs.values():
        assert_one_line_error(run, 3, f"{directory}/p0.rego:3")
        assert report == PREVIOUS


READS_MAIN = """package failback.custom.reads

import data.failback.main

deny contains {"rule_id": "ORG-003", "resource": "ranks", "message": "m", "severity": "low"} if {
	READ.critical == 4
}
"""


def test_reading_builtin_packages_is_fine(tmp_path: Path) -> None:
    text = READS_MAIN.replace("READ", "data.failback.main.severity_rank")
    report = agree(both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, CUSTOM_OK, text))), 0)
    assert ("ORG-002", "medium", False) in findings(report)
    assert ("ORG-003", "low", False) in findings(report)


def test_reading_main_through_its_import_name_is_refused_alike(tmp_path: Path) -> None:
    """regorus evaluates an imported package whole, main included, which reads the custom
    findings: a cycle on regorus that OPA would not see. Both refuse it and say what works."""
    text = READS_MAIN.replace("READ", "main.severity_rank")
    runs = both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, text)))
    refused_alike(
        runs,
        3,
        "p0.rego:5: rule failback.custom.reads.deny depends on itself",
        "refer to data.failback.main.<rule> instead",
    )


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            "package failback.custom.a.b\n\n"
            'deny contains {"rule_id": "N-1", "resource": "r", "message": "m"}\n',
            3,
            "rule failback.custom.a.b.deny would be ignored",
        ),
        (
            "package failback.custom.a\n\n"
            'x.deny contains {"rule_id": "N-1", "resource": "r", "message": "m"}\n',
            3,
            "rule failback.custom.a.x.deny would be ignored",
        ),
        (
            "package failback.custom.a\n\n"
            'deny := {{"rule_id": "N-1", "resource": "r", "message": "m"}}\n',
            3,
            "must be a partial set rule",
        ),
        (
            'package failback.custom.a\n\ndeny(x) := {"rule_id": x, "resource": "r"}\n',
            3,
            "must be a partial set rule",
        ),
        (
            "package failback.custom.a\n\ndefault deny := set()\n",
            3,
            "must be a partial set rule",
        ),
        (
            'package failback.custom.a.deny\n\nhelper := {"rule_id": "N-1"}\n',
            3,
            "rule failback.custom.a.deny.helper is inside failback.custom.a.deny",
        ),
        (
            "package failback.custom.a\n\n"
            'deny.x contains {"rule_id": "N-1", "resource": "r", "message": "m"}\n',
            3,
            "rule failback.custom.a.deny.x is inside failback.custom.a.deny",
        ),
    ],
    ids=[
        "nested-package",
        "ref-head",
        "complete-rule",
        "function",
        "default",
        "package-named-deny",
        "rules-below-deny",
    ],
)
def test_deny_rules_that_would_be_ignored_are_refused(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    directory = policy_dir(tmp_path, text)
    runs = both(tmp_path, "--policy-dir", str(directory))
    refused_alike(runs, 3, f"{directory}/p0.rego:{line}", fragment)


def test_a_bundle_refuses_what_check_refuses(tmp_path: Path) -> None:
    directory = policy_dir(tmp_path, "package failback.main\n\nsuppressed(_) := true\n")
    bundle = tmp_path / "bundle.tar.gz"
    bundle.write_bytes(b"previous bundle")
    run = run_cli(["policies", "bundle", "-o", str(bundle), "--policy-dir", str(directory)])
    assert_one_line_error(run, 3, "policy refused", f"{directory}/p0.rego")
    assert bundle.read_bytes() == b"previous bundle"


def test_a_bundle_owns_the_whole_failback_namespace(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.tar.gz"
    built = run_cli(
        ["policies", "bundle", "-o", str(bundle), "--policy-dir", str(policy_dir(tmp_path))]
    )
    assert built.exit_code == 0, built.stderr
    with tarfile.open(bundle) as archive:
        member = archive.extractfile(".manifest")
        assert member is not None
        assert json.loads(member.read())["roots"] == ["failback"]
    with opa_server(["--bundle", str(bundle)]) as url:
        for path in ("failback.main", "failback.custom.evil"):
            status, body = request(
                "PUT", f"{url}/v1/policies/evil", f"package {path}\n\nx := 1\n".encode()
            )
            assert status == 400, body
            assert "is owned by bundle" in body


# --- 2. custom findings are validated, never dropped -------------------------------------------


def custom(finding: str) -> str:
    return f"package failback.custom.team\n\ndeny contains {finding}\n"


@pytest.mark.parametrize("severity", ["CRITICAL", "Critical", "critical"])
def test_custom_severity_in_any_case_is_normalised(tmp_path: Path, severity: str) -> None:
    finding = f'{{"rule_id": "TEAM-1", "severity": "{severity}", "resource": "r", "message": "m"}}'
    report = agree(both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, custom(finding)))), 1)
    assert findings(report) == [("TEAM-1", "critical", True)]
    assert report["decisions"][0]["verdict"] == "no-go"


@pytest.mark.parametrize(
    ("finding", "fragments"),
    [
        (
            '{"rule_id": "TEAM-1", "severity": "blocker", "resource": "r", "message": "m"}',
            ["TEAM-1", 'severity "blocker"', "info, low, medium, high, critical"],
        ),
        (
            '{"rule_id": "TEAM-1", "severity": 4, "resource": "r", "message": "m"}',
            ["TEAM-1", "severity 4"],
        ),
        ('{"rule_id": "TEAM-1", "message": "m"}', ["TEAM-1", "has no resource"]),
        ('{"rule_id": "TEAM-1", "resource": "r"}', ["TEAM-1", "has no message"]),
        ('{"resource": "r", "message": "m"}', ["has no rule_id"]),
        ('{"rule_id": "", "resource": "r", "message": "m"}', ["has no rule_id"]),
        ('{"rule_id": "TEAM-1", "resource": 7, "message": "m"}', ["TEAM-1", "has no resource"]),
        ('"just a string"', ["is not an object"]),
        ('{"rule_id": "NET-002", "resource": "r", "message": "m"}', ["built-in rule id NET-002"]),
    ],
    ids=[
        "unknown-severity",
        "numeric-severity",
        "no-resource",
        "no-message",
        "no-rule-id",
        "empty-rule-id",
        "resource-not-a-string",
        "not-an-object",
        "builtin-id",
    ],
)
def test_invalid_custom_findings_end_the_run(
    tmp_path: Path, finding: str, fragments: list[str]
) -> None:
    runs = both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, custom(finding))))
    refused_alike(runs, 3, "invalid custom finding", "of package failback.custom.team", *fragments)


# --- 3. evaluation limits: a time limit, no recursion, never a signal --------------------------


def run_process(args: Sequence[str], seconds: float = 60) -> tuple[Run, float]:
    """The real CLI in its own process (a signal would show as a negative exit code)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr), time.perf_counter() - start


def limited(tmp_path: Path, text: str, timeout: float) -> dict[str, tuple[Run, float, str]]:
    directory = policy_dir(tmp_path, text)
    runs = {}
    for engine in ENGINES:
        out = tmp_path / f"report-{engine}.json"
        out.write_text(PREVIOUS)
        args = check_args("ready", out, engine, "--policy-dir", str(directory))
        run, seconds = run_process([*args, "--timeout", str(timeout)])
        runs[engine] = (run, seconds, out.read_text())
    return runs


LOOP = """package failback.custom.loop

deny contains {"rule_id": "L-1", "resource": "r", "message": "m"} if {
	some i in numbers.range(1, 1000000)
	some j in numbers.range(1, 1000000)
	i * j == -1
}
"""


def test_a_cpu_loop_in_a_user_policy_hits_the_time_limit(tmp_path: Path) -> None:
    for engine, (run, seconds, report) in limited(tmp_path, LOOP, 2).items():
        assert_one_line_error(run, 3, "2s", "--timeout")
        assert seconds < 12, (engine, seconds)
        assert report == PREVIOUS


HUGE = """package failback.custom.huge

deny contains {"rule_id": "H-1", "resource": "r", "message": "m"} if {
	count(numbers.range(1, 10000000000)) == 1
}
"""


def test_a_huge_value_is_an_error_not_an_abort(tmp_path: Path) -> None:
    runs = limited(tmp_path, HUGE, 4)
    embedded, _, report = runs["embedded"]
    assert_one_line_error(embedded, 3, "killed by SIGABRT", "memory allocation")
    assert report == PREVIOUS
    opa, _, report = runs["opa"]
    assert_one_line_error(opa, 3)  # OPA runs out of time or of its memory limit first
    assert report == PREVIOUS


def test_deep_nesting_the_parser_chokes_on_is_bounded(tmp_path: Path) -> None:
    text = "package failback.custom.deep\n\nx := " + "[" * 40 + "]" * 40 + "\n"
    for engine, (run, seconds, report) in limited(tmp_path, text, 2).items():
        assert_one_line_error(run, 3, "checking the --policy-dir policies took longer than 2s")
        assert seconds < 12, (engine, seconds)
        assert report == PREVIOUS


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "f(x) := f(x + 1)\n\n"
            'deny contains {"rule_id": "R-1", "resource": "r", "message": sprintf("%v", [f(1)])}\n',
            "rule failback.custom.rec.f depends on itself "
            "(failback.custom.rec.f -> failback.custom.rec.f)",
        ),
        (
            "a := b\n\nb := a\n\n"
            'deny contains {"rule_id": "R-1", "resource": "r", "message": "m"} if a\n',
            "rule failback.custom.rec.a depends on itself",
        ),
        (
            "import data.failback.main\n\n"
            'deny contains {"rule_id": "R-1", "resource": "r", "message": "m"} if {\n'
            '\tmain.decision.verdict == "go"\n}\n',
            "-> failback.main.custom -> failback.custom.rec.deny",
        ),
        (
            'deny contains {"rule_id": "R-1", "resource": "r", "message": "m"} if {\n'
            "\tcount(data.failback.custom) > 0\n}\n",
            "rule failback.custom.rec.deny depends on itself",
        ),
    ],
    ids=["function", "mutual", "through-main", "whole-namespace"],
)
def test_recursion_is_refused_before_evaluation(tmp_path: Path, text: str, fragment: str) -> None:
    directory = policy_dir(tmp_path, "package failback.custom.rec\n\n" + text)
    runs = both(tmp_path, "--policy-dir", str(directory))
    refused_alike(runs, 3, "policy refused", f"{directory}/p0.rego:", fragment)


def test_recursion_never_reaches_the_engine_as_a_signal(tmp_path: Path) -> None:
    text = (
        "package failback.custom.rec\n\nf(x) := f(x + 1)\n\n"
        'deny contains {"rule_id": "R-1", "resource": "r", "message": sprintf("%v", [f(1)])}\n'
    )
    for run, _, report in limited(tmp_path, text, 10).values():
        assert_one_line_error(run, 3, "depends on itself")
        assert report == PREVIOUS


LEGIT = """package failback.custom.legit

import data.failback.lib

# helpers, else chains, comprehensions, every, and a rule read by name
prefix := "ledger"

label(x) := "upper" if upper(x) == x
else := "lower"

message(resource) := sprintf("%s is %s", [resource, label(resource)])

deny contains lib.finding("LEG-001", resource, message(resource)) if {
	some resource, _ in input.primary.topics
	some start in [concat(".", [prefix, "entries"])]
	startswith(resource, start)
	every part in split(resource, ".") {
		part != ""
	}
}
"""


def test_legitimate_patterns_are_not_refused(tmp_path: Path) -> None:
    report = agree(both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, LEGIT))), 0)
    assert ("LEG-001", "medium", False) in findings(report)


def test_the_whole_builtin_library_would_pass_as_user_policies() -> None:
    """No false positives on real Rego: every built-in module, moved under failback.custom,
    passes the checks user policies must pass (recursion, built-ins, names, deny)."""
    import regorus

    from checker.policy.locate import PolicyFile
    from checker.policy.vet import check_asts

    moved = [
        PolicyFile(
            f"user/{p.name}",
            re.sub(r"^package failback\.", "package failback.custom.", p.text, flags=re.M).replace(
                "data.failback.", "data.failback.custom."
            ),
        )
        for p in load_policies()
    ]
    engine = regorus.Engine()
    for policy in moved:
        engine.add_policy(policy.name, policy.text)
    check_asts(json.loads(engine.get_ast_as_json()), moved)


@pytest.mark.parametrize(
    "declaration",
    ['some name in ["a"]', 'name := "a"', 'every name in ["a"] { name != "" }', "some name"],
)
def test_a_local_that_shadows_a_rule_is_refused_alike(tmp_path: Path, declaration: str) -> None:
    """regorus refuses `some name in` when a rule is called name; OPA accepts all of these."""
    text = (
        'package failback.custom.shadow\n\nname := "n"\n\n'
        'deny contains {"rule_id": "S-1", "resource": "r", "message": "m"} if {\n'
        f"\t{declaration}\n}}\n"
    )
    runs = both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, text)))
    refused_alike(runs, 3, "p0.rego:5:", "variable `name` that shadows")


def test_a_builtin_error_fails_alike(tmp_path: Path) -> None:
    text = custom('{"rule_id": "E-1", "resource": "r", "message": "m"} if to_number("x") > 1')
    runs = both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, text)))
    for run, report in runs.values():
        assert_one_line_error(run, 3, "p0.rego:3")
        assert report == PREVIOUS


def test_timeout_and_its_older_name_must_not_disagree(tmp_path: Path) -> None:
    runs = both(tmp_path, "--timeout", "5", "--opa-timeout", "6")
    refused_alike(runs, 2, "--timeout and --opa-timeout disagree")


def test_builtin_policies_alone_stay_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-commit path forks nothing; user policies go to a child."""
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    out = tmp_path / "report.json"
    assert run_cli(check_args("ready", out, "embedded")).exit_code == 0
    assert forks == []
    directory = policy_dir(tmp_path, CUSTOM_OK)
    run = run_cli(check_args("ready", out, "embedded", "--policy-dir", str(directory)))
    assert run.exit_code == 0, run.stderr
    assert forks == [1]


# --- 4. capabilities: no I/O and no non-determinism, on either engine ---------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"pwned": true}')

    def log_message(self, *args: object) -> None:
        return


@contextmanager
def recording_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("R", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_http_send_is_refused_and_never_called(tmp_path: Path) -> None:
    with recording_server() as (url, hits):
        text = custom(
            '{"rule_id": "X-1", "resource": "r", "message": json.marshal(answer.body)} if {\n'
            f'\tanswer := http.send({{"method": "GET", "url": "{url}/leak"}})\n}}'
        )
        runs = both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, text)))
        line = refused_alike(runs, 3, "policy refused", "p0.rego:", "calls http.send")
        assert "network requests" in line
        assert hits == []


def test_opa_runtime_never_leaks_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANTED_SECRET", "s3cr3t-planted-value")
    text = custom('{"rule_id": "X-1", "resource": "r", "message": json.marshal(opa.runtime().env)}')
    runs = both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, text)))
    refused_alike(runs, 3, "calls opa.runtime", "environment")
    for run, report in runs.values():
        assert "s3cr3t-planted-value" not in run.stdout + run.stderr + report


@pytest.mark.parametrize(
    ("call", "name"),
    [
        ('net.lookup_ip_addr("example.com")', "net.lookup_ip_addr"),
        ("time.now_ns()", "time.now_ns"),
        ('rand.intn("x", 10)', "rand.intn"),
        ('uuid.rfc4122("x")', "uuid.rfc4122"),
        ('print("x")', "print"),
        ('trace("x")', "trace"),
        ('json.match_schema({}, {"$ref": "http://127.0.0.1:9/s.json"})', "json.match_schema"),
        ('crypto.sha256("x")', "crypto.sha256"),
        ('io.jwt.decode("x")', "io.jwt.decode"),
        ('no.such_builtin("x")', "no.such_builtin"),
    ],
)
def test_io_nondeterministic_and_one_engine_builtins_are_refused(
    tmp_path: Path, call: str, name: str
) -> None:
    text = custom(f'{{"rule_id": "X-1", "resource": "r", "message": "m"}} if {{\n\t_ := {call}\n}}')
    runs = both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, text)))
    refused_alike(runs, 3, "policy refused", "p0.rego:", f"calls {name},")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "opa := 1\n\nmessage := json.marshal(opa.runtime())\n",
            "rule failback.custom.team.opa has the name of a built-in (opa)",
        ),
        ('time := "t"\n\nmessage := time\n', "rule failback.custom.team.time has the name"),
        ('count := 1\n\nmessage := sprintf("%d", [count])\n', "(count)"),
        (
            "import data.failback.lib as http\n\nmessage := http.send({})\n",
            "import `http` has the name of a built-in",
        ),
        (
            "message := m if {\n\tnow := {}\n\tm := now.format(1)\n}\n",
            "calls now.format through its variable `now`",
        ),
    ],
    ids=["rule-opa", "rule-time", "rule-count", "import-http", "local-call"],
)
def test_names_that_mean_a_builtin_on_one_engine_only_are_refused(
    tmp_path: Path, text: str, fragment: str
) -> None:
    """OPA resolves `opa.runtime()` to a rule called opa; regorus calls the built-in."""
    full = (
        "package failback.custom.team\n\n" + text + "\n"
        'deny contains {"rule_id": "X-1", "resource": "r", "message": message}\n'
    )
    runs = both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, full)))
    refused_alike(runs, 3, "policy refused", "p0.rego", fragment)


def test_replacing_a_forbidden_builtin_with_with_is_refused(tmp_path: Path) -> None:
    text = custom(
        '{"rule_id": "X-1", "resource": "r", "message": "m"} if {\n'
        '\tx := 1 with http.send as {"body": 1}\n\tx == 1\n}'
    )
    runs = both(tmp_path, "--policy-dir", str(policy_dir(tmp_path, text)))
    refused_alike(runs, 3, "replaces http.send")


def test_the_allow_list_is_pure_and_both_engines_implement_it(tmp_path: Path) -> None:
    import regorus

    capabilities = json.loads(
        subprocess.run(
            [tool("opa"), "capabilities", "--current"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    declared = {b["name"]: b for b in capabilities["builtins"]}
    assert not ALLOWED & set(FORBIDDEN)
    for name in sorted(ALLOWED):
        assert name in declared, name
        assert not declared[name].get("nondeterministic"), name
        arguments = ", ".join(["null"] * len(declared[name]["decl"].get("args", [])))
        engine = regorus.Engine()
        engine.add_policy("probe.rego", f"package probe\n\nr := {name}({arguments})\n")
        engine.set_input_json("{}")
        try:
            engine.eval_rule_as_json("data.probe.r")
        except RuntimeError as exc:
            assert "could not find function" not in str(exc), name
    nondeterministic = {n for n, b in declared.items() if b.get("nondeterministic")}
    assert nondeterministic <= set(FORBIDDEN)


# --- 5. the local OPA server is this run's alone ------------------------------------------------


def request(method: str, url: str, data: bytes | None = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "text/plain"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    call = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


EVIL = b"package failback.main\n\nsuppressed(_) := true\n"


def test_the_local_opa_refuses_other_clients(opa_on_path: str) -> None:
    engine = OpaEngine(OpaSettings(binary=opa_on_path))
    try:
        url = engine._where
        assert engine._private is None  # the token is no longer on disk
        # right after start: no token, a wrong token
        for token in (None, "guessed"):
            status, _ = request("PUT", f"{url}/v1/policies/evil", EVIL, token)
            assert status == 401
            status, _ = request("GET", f"{url}/v1/data", None, token)
            assert status == 401
        engine.load(load_policies())
        # mid-run: still refused, and now even this run's token may not write
        status, _ = request("PUT", f"{url}/v1/policies/evil", EVIL)
        assert status == 401
        status, _ = request("PUT", f"{url}/v1/policies/evil", EVIL, engine._token)
        assert status == 401
        status, _ = request("DELETE", f"{url}/v1/policies/evil", None, engine._token)
        assert status == 401
        # and the run itself still reads and queries
        assert engine.query("data.failback.lib.roles", {}) == ["primary", "secondary"]
    finally:
        engine.close()


def test_a_check_on_the_local_opa_is_unchanged_by_the_hardening(tmp_path: Path) -> None:
    directory = policy_dir(tmp_path, CUSTOM_OK)
    report = agree(both(tmp_path, "--policy-dir", str(directory), variant="faulted"), 1)
    assert ("ORG-002", "medium", False) in findings(report)
