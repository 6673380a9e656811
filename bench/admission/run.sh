#!/usr/bin/env bash
# Cost of the admission drop: one thread sends OPTIONS as fast as it can from 127.0.0.200 (outside every zone of
# the default config) to the SBC for SECONDS, then prints packets sent, packets the SBC counted as dropped at
# admission, and the SIP I/O thread's CPU time per dropped packet.
#
#   bench/admission/run.sh [SECONDS]
set -eu
SECONDS_TO_RUN=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
# The SBC drains on a first SIGTERM (calls the load left would hold it for drain-timeout); a second stops it at once.
stop_pid() { kill "$1" 2>/dev/null || return 0; sleep 0.2; kill "$1" 2>/dev/null || true; }
trap 'for p in $(jobs -p); do stop_pid "$p"; done; rm -rf "$work"' EXIT
sed -e "s#data-dir: ../data#data-dir: $work/data#" -e 's#port: 9090#port: 39091#' "$top/config/sbc.yaml" > "$work/sbc.yaml"
java -Xms512m -Xmx512m -jar "$top/sbc-core/target/sbc.jar" run --config "$work/sbc.yaml" > "$work/sbc.log" 2>&1 &
sbc=$!
for _ in $(seq 1 100); do grep -q "SBC running" "$work/sbc.log" && break; sleep 0.2; done
io=$(for t in /proc/$sbc/task/*; do [ "$(cat "$t/comm")" = "sbc-sip-io-1-1" ] && basename "$t"; done | head -1)
dropped() { curl -s http://127.0.0.1:39091/metrics | awk '/^sbc_transport_admission_dropped_total\{transport="udp"\}/ {print $2}'; }
ticks() { awk '{print $14 + $15}' "/proc/$sbc/task/$io/stat"; }
d0=$(dropped); t0=$(ticks)
sent=$(java "$here/UdpBlaster.java" 127.0.0.200 127.0.0.1 5060 "$SECONDS_TO_RUN")
sleep 1
d1=$(dropped); t1=$(ticks)
awk -v s="$sent" -v a="$d0" -v b="$d1" -v x="$t0" -v y="$t1" -v hz="$(getconf CLK_TCK)" -v secs="$SECONDS_TO_RUN" \
  'BEGIN { d = b - a; printf "sent %d, dropped at admission %d (%.0f/s), I/O thread CPU %.2f s = %.2f us per drop\n", s, d, d / secs, (y - x) / hz, (y - x) / hz * 1e6 / (d > 0 ? d : 1) }'
