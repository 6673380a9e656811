#!/usr/bin/env bash
# Runs the RTP load generator against the media relay in-process. See README.md and RtpLoadGenerator.java.
#   bench/rtp-load/run.sh [FIRST_N] [STEP] [MAX_N] [SECONDS] [rtp|srtp]
# SBC_TARGET names the Maven build folder (default "target"), for trees where several people build at once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
target=${SBC_TARGET:-target}
cd "$top"
mvn -B -q -DskipTests -Dsbc.target="$target" install -pl sbc-media
classpath_file=$(mktemp)
trap 'rm -f "$classpath_file"' EXIT
mvn -B -q dependency:build-classpath -pl sbc-media -Dsbc.target="$target" -Dmdep.outputFile="$classpath_file" \
    -Dmdep.includeScope=runtime
cp="$top/sbc-media/$target/classes:$(cat "$classpath_file")"
java -Xms512m -Xmx512m -cp "$cp" "$here/RtpLoadGenerator.java" "$@"
