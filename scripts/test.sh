#!/usr/bin/env bash
# The whole test suite: lint, types, policy toolchain, Rego unit tests, the docs site, pytest
# (every test, slow ones included). `make unit` is the fast subset.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/install-tools.sh
export PATH="$PWD/.cache/tools/bin:$PATH"
scripts/lint.sh
if command -v opa >/dev/null 2>&1; then
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
fi
echo "== mkdocs build --strict" && .venv/bin/mkdocs build --strict --quiet --site-dir site
echo "== kafka jars" && scripts/install-kafka.sh
echo "== schema registry" && scripts/install-registry.sh
echo "== browser" && scripts/install-browser.sh
echo "== pytest" && .venv/bin/pytest -q "$@"
