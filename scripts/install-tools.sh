#!/usr/bin/env bash
# Build the policy toolchain into .cache/tools/bin (git-ignored), reusing what is there.
#   OPA   github.com/open-policy-agent/opa   (go install, CGO_ENABLED=0)
# With CI=true a missing Go toolchain is an error; locally it is a warning and the
# OPA-dependent checks are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
OPA_VERSION=v1.22.3
root=$PWD/.cache
bin=$root/tools/bin
mkdir -p "$bin"

have_version() { [[ -x "$bin/$1" ]] && "$bin/$1" version 2>/dev/null | grep -q "${2#v}"; }

if have_version opa "$OPA_VERSION"; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "install-tools: Go is required to build OPA $OPA_VERSION (CI=true)" >&2
    exit 1
  fi
  echo "install-tools: Go not found; OPA checks will be skipped" >&2
  exit 0
fi
echo "install-tools: building OPA $OPA_VERSION (first run only)" >&2
GOBIN=$bin GOPATH=$root/go GOFLAGS=-modcacherw CGO_ENABLED=0 \
  go install "github.com/open-policy-agent/opa@$OPA_VERSION"
