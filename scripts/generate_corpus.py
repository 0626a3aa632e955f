"""Regenerate the expected snapshots of the Terraform corpus (tests/corpus/terraform/).

    python scripts/generate_corpus.py          # rewrite every case's expected/*.json
    python scripts/generate_corpus.py --check  # exit 1 when a committed snapshot differs

Each case directory holds `terraform show -json` documents written for the tests (modelled on
the public MSK modules, see tests/corpus/terraform/README.md) and a case.json naming the exports
to snapshot: {"exports": [{"file": "plan.json", "region": "us-east-1", "cluster": "..."}]}.
The snapshot of one export is expected/<file stem>.<region>.json, exported with a fixed --now
(documents without a timestamp, such as states, record it as their capture time), so two runs
are byte-identical. The findings a case's failback.yaml must produce are written by hand in
case.json and asserted by tests/infra/test_terraform_corpus.py, not generated here.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("tests") / "corpus" / "terraform"
NOW = "2026-11-30T12:00:00Z"


def cases(root: Path = ROOT) -> list[Path]:
    return sorted(p.parent for p in (root / CORPUS).glob("*/case.json"))


def exports(case: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((case / "case.json").read_text())["exports"]
    return found


def expected_name(export: dict[str, Any]) -> str:
    return f"{Path(export['file']).name.removesuffix('.json')}.{export['region']}.json"


def snapshot_text(case: Path, export: dict[str, Any]) -> str:
    """The snapshot of one export, as `failback export terraform ... --now NOW` writes it
    (run from the repository root, so the recorded file path is the same everywhere)."""
    from checker.exporters import terraform
    from checker.exporters._shared.snapshot import write_snapshot

    config = terraform.TerraformSource(
        plan=(case / export["file"]).relative_to(ROOT),
        region=str(export["region"]),
        cluster=export.get("cluster"),
        now=NOW,
    )
    return write_snapshot(terraform.export(config), None)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    stale: list[str] = []
    for case in cases():
        wanted = {expected_name(e): snapshot_text(case, e) for e in exports(case)}
        folder = case / "expected"
        present = {p.name for p in folder.glob("*.json")} if folder.is_dir() else set()
        for name, text in sorted(wanted.items()):
            path = folder / name
            if check:
                if not path.is_file() or path.read_text() != text:
                    stale.append(str(path.relative_to(ROOT)))
                continue
            folder.mkdir(exist_ok=True)
            path.write_text(text)
        for extra in sorted(present - set(wanted)):
            if check:
                stale.append(f"{(folder / extra).relative_to(ROOT)} (no export names it)")
            else:
                (folder / extra).unlink()
    if stale:
        print("stale corpus snapshots (run python scripts/generate_corpus.py):", file=sys.stderr)
        for line in stale:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
