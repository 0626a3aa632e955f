"""The fleet benchmark from moto-served AWS: N cluster pairs exported live, whole process.

    python -m benchmarks.fleet_aws [--pairs 50] [--concurrency 8] [--runs 3] [--topics 10]
        [--families 10] [--accounts 2]

Starts moto in server mode in this process behind tests/aws/msk_front.py (which answers the
MSK operations moto lacks, over the same HTTP), seeds N pairs (tests/aws/fleet_estate.py:
2N MSK clusters in us-east-1 and us-west-2 with their security groups, KMS keys, log groups,
buckets, configuration revisions, topics, replicators, IAM roles; spread over --accounts
accounts, the second reached by sts:AssumeRole through the fleet file's accounts entry), writes
a fleet.yaml whose plans' sources are `aws` at the moto endpoint, and runs `failback fleet`
as its own process with --concurrency and --aws-call-stats. Reported: the median wall time,
CPU time (of the failback process; moto runs in this one) and peak RSS, and the AWS API
calls: total, per cluster, per pair and per operation, from the exporter's tally
(`--aws-call-stats`, botocore's before-call hook) held against the requests moto received
(the front counts them per service).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.aws import fleet_estate, msk_front

ROOT = Path(__file__).resolve().parent.parent
FAILBACK = ROOT / ".venv" / "bin" / "failback"
NOW = "2026-11-29T00:00:00Z"


def _environment(workdir: Path) -> dict[str, str]:
    """Fake credentials, no AWS configuration of the user's: nothing may reach real AWS."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in ("HTTP_PROXY", "HTTPS_PROXY")
    }
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=str(workdir / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(workdir / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        CI="true",  # no progress line
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, int, int, str]:
    """(wall s, CPU s, peak RSS bytes, exit code, stderr) of one child process."""
    import subprocess

    start = time.perf_counter()
    with subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    ) as process:
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        err = process.stderr.read().decode() if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, code, err


def bench(
    pairs: int, concurrency: int, runs: int, topics: int, families: int, accounts: int
) -> dict[str, Any]:
    chosen = (fleet_estate.DEFAULT_ACCOUNT, fleet_estate.OTHER_ACCOUNT)[:accounts]
    with (
        tempfile.TemporaryDirectory(prefix="failback-bench-fleet-aws-") as tmp,
        msk_front.serve() as server,
    ):
        workdir = Path(tmp)
        start = time.perf_counter()
        msk_front.reset_moto(server.url)
        built = fleet_estate.seed(server.url, server.front.fake, pairs, chosen, topics)
        seeded = time.perf_counter() - start
        config = fleet_estate.write_fleet(
            workdir / "repo", server.url, built, families, topics, concurrency
        )
        env = _environment(workdir)
        stats_file = workdir / "calls.json"
        report_file = workdir / "fleet.json"
        args = [
            str(FAILBACK), "fleet", "-c", str(config), "--now", NOW,
            "--concurrency", str(concurrency), "--aws-call-stats", str(stats_file),
            "--format", "json", "-o", str(report_file),
        ]  # fmt: skip
        samples = []
        tallies = []
        for _ in range(runs):
            server.front.reset()
            wall, cpu, rss, code, err = _run(args, env)
            if code not in (0, 1, 4):
                raise RuntimeError(f"failback fleet failed ({code}): {err}")
            samples.append((wall, cpu, rss, code))
            tallies.append((json.loads(stats_file.read_text()), Counter(server.front.requests)))
        report = json.loads(report_file.read_text())
    stats, received = tallies[-1]
    for other, _ in tallies:
        assert other["operations"] == stats["operations"], "call counts differ between runs"
    summary = report["summary"]
    assert summary["pairs"] == pairs, summary
    failed = [p for p in report["pairs"] if p["status"] != "judged"]
    clusters = stats["clusters"]
    per_cluster = sorted(sum(c.values()) for c in clusters.values())
    per_service: Counter[str] = Counter()
    for action, n in stats["operations"].items():
        per_service[action.split(":", 1)[0]] += n
    return {
        "pairs": pairs,
        "clusters": len(clusters),
        "concurrency": concurrency,
        "accounts": len(chosen),
        "topics_per_cluster": topics + len(fleet_estate.INTERNAL_TOPICS),
        "families_per_plan": families,
        "runs": runs,
        "seed_seconds": round(seeded, 1),
        "wall_seconds": round(statistics.median(s[0] for s in samples), 2),
        "cpu_seconds": round(statistics.median(s[1] for s in samples), 2),
        "peak_rss_mb": round(max(s[2] for s in samples) / 2**20),
        "walls": [round(s[0], 2) for s in samples],
        "exit_codes": sorted({s[3] for s in samples}),
        "summary_line": summary.get("line"),
        "failed_pairs": [(p["identity"], p.get("reason")) for p in failed],
        "calls": stats["calls"],
        "requests": stats["requests"],
        "calls_per_pair": stats["calls"] / pairs,
        "calls_per_cluster": {"min": per_cluster[0], "max": per_cluster[-1]},
        "operations": stats["operations"],
        "server_requests": dict(sorted(received.items())),
        "client_requests_by_service": dict(sorted(per_service.items())),
        "load_average": os.getloadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--topics", type=int, default=10, help="ledger topics per cluster")
    parser.add_argument("--families", type=int, default=10, help="topic families per plan")
    parser.add_argument("--accounts", type=int, choices=(1, 2), default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    load_before = os.getloadavg()
    result = bench(
        args.pairs, args.concurrency, args.runs, args.topics, args.families, args.accounts
    )
    result["load_average_before"] = load_before
    text = json.dumps(result, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n")
    return 0 if not result["failed_pairs"] else 1


if __name__ == "__main__":
    sys.exit(main())
