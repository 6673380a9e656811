#!/usr/bin/env bash
# The datagram floor under the product owner's RTP generator, as the media relay is measured:
#   bench/rtp-floor/run.sh RTP_RELAY_SH [PAIRS] [rtp-relay.sh options]
# RTP_RELAY_SH: the shared generator's script (../shared/bench/rtp-relay.sh). The forwarder runs pinned to CPU 1,
# as run-sbc-media.sh pins the SBC (the generator pins itself to CPU 0). Default 1,500 pairs (3,000 streams).
# FORWARDER=jdk (default: JdkDatagramForwarder, the JDK selector) or io_uring (IoUringDatagramForwarder, on the
# Netty in the SBC's jar: build it first).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RELAY_SH=$1; PAIRS=${2:-1500}; shift; [ $# -gt 0 ] && shift
case "${FORWARDER:-jdk}" in
  jdk) SOURCE=JdkDatagramForwarder.java; CP=() ;;
  io_uring) SOURCE=IoUringDatagramForwarder.java; CP=(-cp "$HERE/../../sbc-core/target/sbc.jar")
    [ -f "$HERE/../../sbc-core/target/sbc.jar" ] || { echo "build the SBC first: mvn -B -q -DskipTests package" >&2; exit 1; } ;;
  *) echo "FORWARDER must be jdk or io_uring" >&2; exit 1 ;;
esac
OUT=$(mktemp -d)
taskset -c 1 java -Xms256m -Xmx256m -XX:+UseParallelGC "${CP[@]}" "$HERE/$SOURCE" "$PAIRS" 40000 \
    "$OUT/ports.map" > "$OUT/forwarder.log" 2>&1 &
FWD=$!
trap 'kill $FWD 2>/dev/null; wait $FWD 2>/dev/null' EXIT
for _ in $(seq 1 600); do grep -q ready "$OUT/forwarder.log" && break; kill -0 $FWD || break; sleep 0.1; done
grep -q ready "$OUT/forwarder.log" || { cat "$OUT/forwarder.log"; exit 1; }
"$RELAY_SH" --ports-file "$OUT/ports.map" --sut-pid "$FWD" --label "${FORWARDER:-jdk}-floor" "$@"
