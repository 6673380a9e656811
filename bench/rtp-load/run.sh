#!/usr/bin/env bash
# Runs the RTP load generator against the media relay in-process. See README.md and RtpLoadGenerator.java.
#   bench/rtp-load/run.sh [FIRST_N] [STEP] [MAX_N] [SECONDS] [rtp|srtp]
# SBC_TARGET names the Maven build folder (default "target"), for trees where several people build at once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
target=${SBC_TARGET:-target}
cd "$top"
# The daemon's jar carries the relay and its dependencies; packaging it installs nothing into the local repository.
mvn -B -q -DskipTests -Dsbc.target="$target" package -pl sbc-core -am
cp="$top/sbc-core/$target/sbc.jar"
java -Xms512m -Xmx512m -cp "$cp" "$here/RtpLoadGenerator.java" "$@"
