#!/usr/bin/env bash
# Debian's Chromium for the HTML report test (tests/reports), installed once with apt-get.
# With CI=true a Chromium that cannot be installed is an error; locally the test skips.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
  echo "install-browser: installing Debian's chromium (first run only)" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
if [[ "${CI:-}" == "true" ]]; then
  echo "install-browser: chromium is required for the HTML report test (CI=true)" >&2
  exit 1
fi
echo "install-browser: chromium not installed; the HTML report browser test will skip" >&2
