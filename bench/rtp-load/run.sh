#!/usr/bin/env bash
# Runs the RTP load generator against the media relay in-process. See RtpLoadGenerator.java for what it measures.
#   bench/rtp-load/run.sh [FIRST_N] [STEP] [MAX_N] [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top"
mvn -B -q -DskipTests install -pl sbc-media -am
mvn -B -q dependency:build-classpath -pl sbc-media -Dmdep.outputFile="$here/.classpath" -Dmdep.includeScope=runtime
cp="$top/sbc-media/target/classes:$(cat "$here/.classpath")"
exec java -Xms512m -Xmx512m -cp "$cp" "$here/RtpLoadGenerator.java" "$@"
