#!/usr/bin/env bash
# Resolve Apache Kafka (broker, KRaft storage tool, MirrorMaker 2) and its runtime jars from
# Maven Central into .cache/kafka/<version>/libs (git-ignored) for tests/kafka/, reusing the
# cache: a second run is a no-op. The version is scripts/kafka/pom.xml's kafka.version unless
# KAFKA_VERSION is set. Needs Java 17+ (to run the jars) and Maven (to resolve them).
# With CI=true a missing Java (or Maven, when the jars are not cached yet) is an error;
# locally it is a warning and the Kafka integration tests skip.
set -euo pipefail
cd "$(dirname "$0")/.."
pom=scripts/kafka/pom.xml
version=${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")}
root=$PWD/.cache/kafka
libs=$root/$version/libs
stamp=$root/$version/.complete
want=$( (cat "$pom"; echo "$version") | sha256sum | cut -d' ' -f1)

missing() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "install-kafka: $1 is required for the Kafka integration tests (CI=true)" >&2
    exit 1
  fi
  echo "install-kafka: $1 not found; the Kafka integration tests will be skipped" >&2
  exit 0
}

# Java runs the brokers: needed even when the jars are cached.
command -v java >/dev/null 2>&1 || missing "Java 17+"
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
[[ -n $java_major && $java_major -ge 17 ]] || missing "Java 17+ (found ${java_major:-unknown})"

if [[ -f $stamp && $(cat "$stamp") == "$want" && -d $libs ]]; then
  exit 0
fi
command -v mvn >/dev/null 2>&1 || missing "Maven"

echo "install-kafka: resolving Apache Kafka $version jars from Maven Central (first run only)" >&2
mkdir -p "$root/$version"
tmp=$(mktemp -d "$root/$version/.libs.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp" "$tmp.log"' EXIT
if ! mvn -q -B -Dstyle.color=never -f "$pom" -Dkafka.version="$version" \
    -Dmaven.repo.local="$root/m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
  cat "$tmp.log" >&2
  echo "install-kafka: resolving the jars failed (is Maven Central reachable?)" >&2
  exit 1
fi
ls "$tmp"/kafka_2.13-"$version".jar "$tmp"/connect-mirror-"$version".jar >/dev/null
rm -rf "$libs"
mv "$tmp" "$libs"
echo "$want" > "$stamp"
echo "install-kafka: $(ls "$libs" | wc -l) jars in ${libs#"$PWD"/}" >&2
