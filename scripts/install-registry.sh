#!/usr/bin/env bash
# Build a runnable Confluent-compatible schema registry (Apicurio Registry, in-memory storage)
# from Maven Central into .cache/registry/<version>/ (git-ignored) for tests/registry/, reusing
# the cache: a second run is a no-op. The version is scripts/registry/pom.xml's
# registry.version. Needs Java 17+ (to run it) and Maven (to build it).
# With CI=true a missing Java (or Maven, when nothing is cached yet) is an error;
# locally it is a warning and the schema registry integration tests skip.
set -euo pipefail
cd "$(dirname "$0")/.."
project=scripts/registry
version=$(sed -n 's:.*<registry.version>\(.*\)</registry.version>.*:\1:p' "$project/pom.xml")
root=$PWD/.cache/registry
home=$root/$version
stamp=$home/.complete
want=$(find "$project" -type f ! -path '*/target/*' -print0 | sort -z | xargs -0 cat | sha256sum | cut -d' ' -f1)

missing() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "install-registry: $1 is required for the schema registry tests (CI=true)" >&2
    exit 1
  fi
  echo "install-registry: $1 not found; the schema registry tests will be skipped" >&2
  exit 0
}

command -v java >/dev/null 2>&1 || missing "Java 17+"
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
[[ -n $java_major && $java_major -ge 17 ]] || missing "Java 17+ (found ${java_major:-unknown})"

if [[ -f $stamp && $(cat "$stamp") == "$want" && -f $home/app/registry.jar ]]; then
  exit 0
fi
command -v mvn >/dev/null 2>&1 || missing "Maven"

echo "install-registry: building Apicurio Registry $version from Maven Central (first run only)" >&2
mkdir -p "$home"
build=$(mktemp -d "$home/.build.XXXXXX")
trap 'rm -rf "$build" "$build.log"' EXIT
if ! mvn -B -Dstyle.color=never -f "$project/pom.xml" -DskipDefault \
    -Dmaven.repo.local="$root/m2" -Dregistry.build.dir="$build" package >"$build.log" 2>&1; then
  tail -60 "$build.log" >&2
  echo "install-registry: building the registry failed (is Maven Central reachable?)" >&2
  exit 1
fi
app=$build/app
mkdir -p "$app"
mv "$build"/schema-registry-1-runner.jar "$app/registry.jar"
mv "$build"/lib "$app/lib"
chmod -R a+rX "$app"
rm -rf "$home/app"
mv "$app" "$home/app"
echo "$want" > "$stamp"
echo "install-registry: ${home#"$PWD"/}/app/registry.jar ($(ls "$home/app/lib" | wc -l) jars)" >&2
