#!/usr/bin/env bash
# Regenerate the lock files: exact versions and sha256 hashes of every package, for every
# platform and Python >= 3.11 (uv pip compile --universal --generate-hashes).
#   requirements/dev.txt      runtime + [kafka] + [dev] + the build backend: `make test`, CI
#   requirements/runtime.txt  runtime + the build backend, pinned as in dev.txt: `make demo`
# Run after changing a dependency in pyproject.toml; tests/test_lock.py fails while a lock
# does not match pyproject.toml. Existing pins are kept where they still fit; to move every
# package to its newest version: scripts/lock.sh --upgrade. `--check` exits 1 when the
# lock files are not what this script would write (needs the package index).
set -euo pipefail
cd "$(dirname "$0")/.."
uv=${UV:-.venv/bin/uv}
if [[ ! -x $uv ]] && ! command -v "$uv" >/dev/null 2>&1; then
  echo "lock: uv not found: run scripts/bootstrap.sh (it installs uv with the dev tools) or set UV" >&2
  exit 2
fi
check=false
extra=()
for arg in "$@"; do
  case $arg in
    --check) check=true ;;
    --upgrade) extra+=(--upgrade) ;;
    *) echo "lock: unknown argument $arg (use --check or --upgrade)" >&2; exit 2 ;;
  esac
done
uv=$(command -v "$uv")
repo=$PWD
if $check; then  # compile a copy, so that the lock files' own text (paths) is the same
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir "$work/requirements"
  cp pyproject.toml "$work/"
  cp requirements/build.in requirements/dev.txt requirements/runtime.txt "$work/requirements/"
  cd "$work"
fi
common=(--universal --python-version 3.11 --generate-hashes --quiet
  --custom-compile-command scripts/lock.sh "${extra[@]}")
"$uv" pip compile "${common[@]}" pyproject.toml requirements/build.in --extra dev \
  -o requirements/dev.txt
"$uv" pip compile "${common[@]}" pyproject.toml requirements/build.in \
  -c requirements/dev.txt -o requirements/runtime.txt
if $check; then
  stale=0
  for name in dev.txt runtime.txt; do
    if ! diff -q "$repo/requirements/$name" "requirements/$name" >/dev/null; then
      echo "lock: requirements/$name is stale: run scripts/lock.sh" >&2
      stale=1
    fi
  done
  exit $stale
fi
echo "lock: wrote requirements/dev.txt ($(grep -c '^[a-z0-9]' requirements/dev.txt) packages)," \
  "requirements/runtime.txt ($(grep -c '^[a-z0-9]' requirements/runtime.txt) packages)" >&2
