#!/usr/bin/env bash
# The media relay at fixed packet rates, with the product owner's RTP generator in its own process:
#   bench/rtp-fixed-rate.sh SHARED_BENCH_DIR STREAMS... [-- CONFIG]
# SHARED_BENCH_DIR: the product owner's bench (../shared/bench; its rtp-relay.sh builds tools/rtpgen into out/bin,
# run it once first). Starts the SBC as that bench's run-sbc-media.sh does (pinned to CPU 1, 1 GB heap, ParallelGC,
# on bench/sipp-cps-media.yaml or CONFIG), sets up 2,000 calls through its signalling with the bench's call set-up
# tool, then per STREAMS (50 packets/s each, at most 4,000) runs the generator (pinned to CPU 0) for 10 s and prints
# the generator's loss and latency, the packets of an earlier run it received (rx_foreign: what the relay still held
# queued), and the media thread's share of its core, exact from its schedstat over 6 s.
# A search in 5 s steps (run-sbc-media.sh) is the stricter stick; this shows the relay at one rate, warm.
# PER_SECOND=1 also prints, per second of each run, the media thread's share of its core and its sendto and
# io_uring_enter system calls (perf stat; a sendto is a packet that found no free send slot).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
SHARED="$(cd "$1" && pwd)"; shift
STREAMS=(); CONFIG="$HERE/sipp-cps-media.yaml"
while [ $# -gt 0 ]; do
  case "$1" in --) CONFIG=$2; shift 2 ;; *) STREAMS+=("$1"); shift ;; esac
done
JAR="$HERE/../sbc-core/target/sbc.jar"
[ -x "$SHARED/out/bin/rtpgen" ] || { echo "no $SHARED/out/bin/rtpgen: run $SHARED/rtp-relay.sh --direct once" >&2; exit 1; }
[ -f "$JAR" ] || { echo "build the SBC first: mvn -B -q -DskipTests package" >&2; exit 1; }
OUT=$(mktemp -d)
{ sed -e "s#^data-dir: .*#data-dir: $OUT/data#" "$CONFIG"; printf '  timeout: 1h\n'; } > "$OUT/sbc.yaml"
taskset -c 1 java -Xms1g -Xmx1g -XX:+UseParallelGC -jar "$JAR" run --config "$OUT/sbc.yaml" > "$OUT/sbc.log" 2>&1 &
SBC=$!
trap 'kill $SBC 2>/dev/null; wait $SBC 2>/dev/null' EXIT
for _ in $(seq 1 100); do grep -q "SBC running" "$OUT/sbc.log" && break; sleep 0.2; done
grep -q "SBC running" "$OUT/sbc.log" || { tail -5 "$OUT/sbc.log"; exit 1; }
grep -o "media relay: .*" "$OUT/sbc.log"
python3 "$SHARED/tools/sbc-media-calls.py" 127.0.0.1:35060 127.0.0.2:35060 127.0.0.3:35060 2000 30000 30002 \
    "$OUT/ports.map" 2>&1 | tail -1
MEDIA_TID=$(for t in /proc/$SBC/task/*; do if [ "$(cat "$t/comm")" = sbc-media-1 ]; then basename "$t"; fi; done)
for n in "${STREAMS[@]}"; do
  head -n "$n" "$OUT/ports.map" > "$OUT/map"
  "$SHARED/out/bin/rtpgen" -d 127.0.0.1 -m "$OUT/map" -a 30000 -b 30002 -t 10 -w 1 -g 500 -c 0 > "$OUT/gen.out" 2>&1 &
  GEN=$!
  PERF=""
  if [ -n "${PER_SECOND:-}" ]; then
    perf stat -x, -I 1000 -o "$OUT/perf.csv" -t "$MEDIA_TID" \
        -e syscalls:sys_enter_sendto,syscalls:sys_enter_io_uring_enter,task-clock &
    PERF=$!
  fi
  sleep 2
  before=$(awk '{print $1}' "/proc/$SBC/task/$MEDIA_TID/schedstat")
  sleep 6
  after=$(awk '{print $1}' "/proc/$SBC/task/$MEDIA_TID/schedstat")
  wait $GEN
  if [ -n "$PERF" ]; then
    kill -INT "$PERF"; wait "$PERF" || true
    awk -F, '/sendto/ {s = $2} /io_uring_enter/ {e = $2}
        /task-clock/ && $2 > 0 {printf "  second %d: media thread %.0f%%, sendto %s, io_uring_enter %s\n", ++n, $2 / 10, s, e}' \
        "$OUT/perf.csv"
  fi
  echo "streams=$n media_thread_core=$(( (after - before) / 60000000 ))% $(sed -n 's/^RESULT //p' "$OUT/gen.out" \
      | grep -oE '(tx_pps|loss_pct|lat_p50_us|lat_p99_us|lat_p999_us|gen_max_lag_ms|rx_foreign)=[^ ]*' | tr '\n' ' ')"
done
