#!/usr/bin/env bash
# The whole test suite: lint, types, policy toolchain, Rego unit tests, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/install-tools.sh
export PATH="$PWD/.cache/tools/bin:$PATH"
echo "== ruff" && .venv/bin/ruff check checker tests fixtures/generate.py
echo "== mypy --strict" && .venv/bin/mypy --strict checker
if command -v opa >/dev/null 2>&1; then
  echo "== opa fmt" && opa fmt --fail -l policies
  echo "== opa check --strict" && opa check --strict policies
  echo "== opa test" && opa test policies
elif [[ "${CI:-}" == "true" ]]; then
  echo "test: opa missing in CI" >&2; exit 1
fi
echo "== pytest" && .venv/bin/pytest -q "$@"
