#!/usr/bin/env bash
# Quick start: set up, then judge the shipped payments estate (ready, then faulted).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh runtime  # the runtime dependencies only; `make test` adds the dev tools
# The fixtures were captured on 2026-11-28; judge them as of the next day so the
# rehearsal and snapshot-age rules give the same answer whenever you run this.
NOW=2026-11-29T00:00:00Z
echo "== ready estate: failback check -c fixtures/estate/ready/failback.yaml"
.venv/bin/failback check -c fixtures/estate/ready/failback.yaml --now "$NOW"
echo "exit code 0 (ready)"
echo
echo "== faulted estate: one seeded fault per policy area"
set +e
.venv/bin/failback check -c fixtures/estate/faulted/failback.yaml --now "$NOW"
code=$?
set -e
echo "exit code $code (1 = not ready, as expected)"
[[ $code -eq 1 ]]
