#!/usr/bin/env bash
# Build the policy toolchain into .cache/tools/bin (git-ignored), reusing what is there.
#   OPA    github.com/open-policy-agent/opa    go install, CGO_ENABLED=0
#   Regal  github.com/open-policy-agent/regal  go build from scripts/tools (pinned in go.mod;
#          the module proxy serves that version but not the version list `go install @v` asks for)
# With CI=true a missing Go toolchain is an error; locally it is a warning and the
# OPA-dependent checks are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
OPA_VERSION=v1.22.3
REGAL_VERSION=$(awk '$1 == "github.com/open-policy-agent/regal" {print $2}' scripts/tools/go.mod)
root=$PWD/.cache
bin=$root/tools/bin
mkdir -p "$bin"
export GOPATH=$root/go GOFLAGS=-modcacherw CGO_ENABLED=0

stamp_ok() { [[ -x "$bin/$1" && -f "$bin/.$1.version" && $(cat "$bin/.$1.version") == "$2" ]]; }

if stamp_ok opa "$OPA_VERSION" && stamp_ok regal "$REGAL_VERSION"; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "install-tools: Go is required to build OPA $OPA_VERSION and Regal (CI=true)" >&2
    exit 1
  fi
  echo "install-tools: Go not found; OPA and Regal checks will be skipped" >&2
  exit 0
fi
if ! stamp_ok opa "$OPA_VERSION"; then
  echo "install-tools: building OPA $OPA_VERSION (first run only)" >&2
  GOBIN=$bin go install "github.com/open-policy-agent/opa@$OPA_VERSION"
  echo "$OPA_VERSION" > "$bin/.opa.version"
fi
if ! stamp_ok regal "$REGAL_VERSION"; then
  echo "install-tools: building Regal $REGAL_VERSION (first run only)" >&2
  (cd scripts/tools && go build -o "$bin/regal" github.com/open-policy-agent/regal)
  echo "$REGAL_VERSION" > "$bin/.regal.version"
fi
