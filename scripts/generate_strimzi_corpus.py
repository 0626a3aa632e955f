#!/usr/bin/env python3
"""Regenerate the expected outputs of the Strimzi manifest corpus (tests/corpus/strimzi/).

    python scripts/generate_strimzi_corpus.py          # rewrite every case's expected/ files
    python scripts/generate_strimzi_corpus.py --check  # exit 1 when one is stale or missing

Each case directory holds manifests written for the tests (modelled on Strimzi's
packaging/examples, not copied) and a case.yaml:

    exports:                      # `failback export strimzi` runs, one expected file each
      - name: us-west-2           #   -> expected/us-west-2.json (the snapshot), or
        paths: [us-west-2]        #   -> expected/us-west-2.error (exit code and stderr) when
        options: [--region, us-west-2, --mm2-region, use1=us-east-1]   #   the export fails
    check: failback.yaml          # optional: `failback check --format short` of the pair
                                  #   -> expected/check.txt (exit code, findings, locations)

Paths are relative to the case directory; the commands run from the repository root, so the
expected files name the manifests as reports show them (tests/corpus/strimzi/<case>/...).
Deterministic: --captured-at and --now are fixed, no clock, no network.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from checker.cli import main as cli  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "strimzi"
CAPTURED_AT = "2026-11-28T09:00:00Z"
NOW = "2026-11-29T00:00:00Z"


def _run(args: Sequence[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def cases() -> list[Path]:
    return sorted(p.parent for p in CORPUS.glob("*/case.yaml"))


def render_case(case: Path) -> dict[Path, str]:
    """expected/<file> -> its text, for one case."""
    spec: dict[str, Any] = yaml.safe_load((case / "case.yaml").read_text("utf-8"))
    where = case.relative_to(ROOT)
    out: dict[Path, str] = {}
    for export in spec.get("exports", []):
        paths = [str(where / p) for p in export["paths"]]
        options = [str(o) for o in export.get("options", [])]
        args = ["export", "strimzi", *paths, *options, "--captured-at", CAPTURED_AT]
        code, stdout, stderr = _run(args)
        name = str(export["name"])
        if code == 0:
            document = json.loads(stdout)
            out[case / "expected" / f"{name}.json"] = (
                json.dumps(document, indent=2, sort_keys=True) + "\n"
            )
        else:
            out[case / "expected" / f"{name}.error"] = f"exit {code}\n{stderr}"
    if spec.get("check"):
        args = ["check", "-c", str(where / spec["check"]), "--now", NOW, "--format", "short"]
        code, stdout, stderr = _run(args)
        out[case / "expected" / "check.txt"] = f"exit {code}\n{stdout}"
    return out


def render() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for case in cases():
        files.update(render_case(case))
    return files


def main(argv: list[str]) -> int:
    check = "--check" in argv
    os.chdir(ROOT)  # reports name files relative to the working directory
    files = render()
    stale = []
    for path, text in sorted(files.items()):
        current = path.read_text("utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
    orphans = [
        p
        for case in cases()
        for p in sorted((case / "expected").glob("*"))
        if p.is_file() and p not in files
    ]
    if check:
        for path in [*stale, *orphans]:
            print(f"stale: {path.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale or orphans else 0
    for path in orphans:
        path.unlink()
    for path in stale:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
