#!/usr/bin/env bash
# Static checks of the Python code and the policies (`make lint`), or with `fmt` rewrite the
# formatting instead (`make fmt`):
#   scripts/lint.sh        ruff, ruff format --check, mypy --strict; opa fmt, opa check --strict, regal
#   scripts/lint.sh fmt    ruff format; opa fmt -w
# OPA and Regal come from .cache/tools/bin (scripts/install-tools.sh). Without them the policy
# checks are skipped locally with a warning; with CI=true that is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.cache/tools/bin:$PATH"
python_paths=(checker tests benchmarks fixtures/generate.py fixtures/generate_infra.py
  fixtures/generate_setups.py
  scripts/generate_rule_docs.py scripts/generate_corpus.py)

have_opa() {
  if command -v opa >/dev/null 2>&1; then
    return 0
  fi
  if [[ "${CI:-}" == "true" ]]; then
    echo "lint: opa missing in CI (scripts/install-tools.sh builds it)" >&2
    exit 1
  fi
  echo "lint: opa not found; policy checks skipped (scripts/install-tools.sh builds it)" >&2
  return 1
}

if [[ "${1:-}" == "fmt" ]]; then
  echo "== ruff format" && .venv/bin/ruff format "${python_paths[@]}"
  if have_opa; then
    echo "== opa fmt -w" && opa fmt -w policies
  fi
  exit 0
fi

echo "== ruff" && .venv/bin/ruff check "${python_paths[@]}"
echo "== ruff format --check" && .venv/bin/ruff format --check "${python_paths[@]}"
echo "== mypy --strict" && .venv/bin/mypy --strict checker benchmarks scripts/generate_rule_docs.py
echo "== mypy --strict tests" && .venv/bin/mypy --strict tests
if have_opa; then
  echo "== opa fmt" && opa fmt --fail -l policies
  echo "== opa check --strict" && opa check --strict policies
  echo "== regal lint" && regal lint policies
fi
