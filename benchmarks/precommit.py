"""The pre-commit path: `failback check --format short` in each fixture estate, whole process.

    python -m benchmarks.precommit [--runs 11]

This is what the failback-check hook runs (.pre-commit-hooks.yaml: `failback check --format
short`, no file names, in the repository holding failback.yaml). Each estate is copied into a
fresh git repository of its own, as a user's infrastructure repository holds it (inside this
project's checkout the configuration lookup would also read failback-checker's own
pyproject.toml, which names the checker). Each estate (ready: GO,
faulted: NO-GO with 16 blocking findings) is checked `runs` times after one warm-up run (which
also writes the bytecode caches, as an installed package has them); a bare interpreter
(`python -c pass`) is measured alongside. Reported: medians of wall and CPU time (user +
system), and each median as a ratio of the bare interpreter's, since the machine is shared and
the absolute figures move with its load. The goal (issue #19) is < 0.30 s for each estate.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ESTATES = ("ready", "faulted")
GOAL_SECONDS = 0.30
HOOK_ARGS = ("check", "--format", "short")

Row = dict[str, Any]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode cached
    return env


def measure(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        err = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"{' '.join(args)} in {cwd} failed ({code}): {err}")
    if process.stderr:
        process.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, code


def medians(args: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `runs` runs after one warm-up."""
    measure(args, cwd)
    samples = [measure(args, cwd) for _ in range(runs)]
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
    )


def repository(estate: str, parent: Path) -> Path:
    """The fixture estate as the only content of a new git repository under `parent`."""
    root = parent / estate
    shutil.copytree(ROOT / "fixtures" / "estate" / estate, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def bench_precommit(rows: list[Row], runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="failback-precommit-") as parent:
        _bench(rows, runs, Path(parent))


def _bench(rows: list[Row], runs: int, parent: Path) -> None:
    bare_wall, bare_cpu = medians([sys.executable, "-c", "pass"], ROOT, runs)
    for estate in ESTATES:
        cwd = repository(estate, parent)
        wall, cpu = medians([sys.executable, "-m", "checker", *HOOK_ARGS], cwd, runs)
        rows.append(
            {
                "target": f"pre-commit `failback check --format short`, {estate} estate, "
                f"whole process (median of {runs})",
                "goal": f"< {GOAL_SECONDS:.2f} s",
                "measured": f"wall {wall:.3f} s ({wall / bare_wall:.0f}x bare {bare_wall:.3f} s), "
                f"CPU {cpu:.3f} s ({cpu / bare_cpu:.0f}x bare {bare_cpu:.3f} s)",
                "met": wall < GOAL_SECONDS,
                "wall": wall,
                "cpu": cpu,
                "bare_wall": bare_wall,
                "bare_cpu": bare_cpu,
            }
        )


def main() -> int:
    parser = argparse.ArgumentParser(description="failback-checker pre-commit path benchmark")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    rows: list[Row] = []
    bench_precommit(rows, args.runs)
    for row in rows:
        mark = "ok  " if row["met"] else "MISS"
        print(f"{mark} {row['target']}  {row['goal']}  {row['measured']}")
    return 0 if all(r["met"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
