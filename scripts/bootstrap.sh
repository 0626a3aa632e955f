#!/usr/bin/env bash
# Create .venv and install failback-checker from the hash-pinned lock files; a no-op when up to
# date.
#   scripts/bootstrap.sh            dev: runtime + [kafka] + test and lint tools (requirements/dev.txt)
#   scripts/bootstrap.sh runtime    what `failback` needs to run, nothing else (requirements/runtime.txt)
# Both install with `pip install --require-hashes` (locally and in CI alike), then the checkout
# itself in editable mode with no dependencies and no build isolation (its build backend is in
# the lock), so nothing unhashed is downloaded. A dev .venv also serves `runtime`; a runtime
# .venv grows into a dev one when `make test` asks. .venv/.installed records which and for
# which pyproject.toml and lock file. Regenerate the locks with scripts/lock.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
level=${1:-dev}
case $level in
  dev | runtime) ;;
  *) echo "bootstrap: unknown level '$level' (use dev or runtime)" >&2; exit 2 ;;
esac
stamp=.venv/.installed
# checker/__init__.py: the version the editable install records in its metadata
fingerprint() { cat pyproject.toml checker/__init__.py "requirements/$1.txt" | sha256sum | cut -d' ' -f1; }
want="$level $(fingerprint "$level")"
have=$(cat "$stamp" 2>/dev/null || true)
if [[ -x .venv/bin/python && -f $stamp ]]; then
  if [[ $have == "$want" ]] || [[ $level == runtime && $have == "dev $(fingerprint dev)" ]]; then
    exit 0
  fi
fi
start=$SECONDS
step() { echo "bootstrap: [$1/3] $2 ($((SECONDS - start)) s)" >&2; }
lock=requirements/$level.txt
packages=$(grep -c '^[A-Za-z0-9]' "$lock")
if [[ -x .venv/bin/python ]]; then
  step 1 "reusing .venv ($(.venv/bin/python -V 2>&1))"
else
  step 1 "creating .venv with $("$PYTHON" -V 2>&1)"
  "$PYTHON" -m venv .venv
fi
rm -f "$stamp"
step 2 "installing $packages locked packages ($lock, hash-checked; a first run downloads them)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
step 3 "installing failback-checker from this checkout (editable)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
  --no-build-isolation -e .
echo "$want" > "$stamp"
echo "bootstrap: done: $level tools in .venv ($((SECONDS - start)) s)" >&2
