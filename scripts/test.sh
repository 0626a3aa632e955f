#!/usr/bin/env bash
# The whole test suite: lint, types, policy toolchain, Rego unit tests, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/install-tools.sh
export PATH="$PWD/.cache/tools/bin:$PATH"
lint_paths=(checker tests benchmarks fixtures/generate.py fixtures/generate_infra.py)
echo "== ruff" && .venv/bin/ruff check "${lint_paths[@]}"
echo "== ruff format" && .venv/bin/ruff format --check "${lint_paths[@]}"
echo "== mypy --strict" && .venv/bin/mypy --strict checker
if command -v opa >/dev/null 2>&1; then
  echo "== opa fmt" && opa fmt --fail -l policies
  echo "== opa check --strict" && opa check --strict policies
  echo "== opa test --coverage (>= 90 %)"
  opa test --coverage --format=json policies > .cache/opa-coverage.json
  .venv/bin/python - <<'PY'
import json, sys
report = json.load(open(".cache/opa-coverage.json"))
percent = report.get("coverage", 0)
print(f"rego coverage {percent:.1f} %")
sys.exit(0 if percent >= 90 else 1)
PY
  opa test policies
  echo "== regal lint" && regal lint policies
elif [[ "${CI:-}" == "true" ]]; then
  echo "test: opa missing in CI" >&2; exit 1
fi
echo "== kafka jars" && scripts/install-kafka.sh
echo "== browser" && scripts/install-browser.sh
echo "== pytest" && .venv/bin/pytest -q "$@"
