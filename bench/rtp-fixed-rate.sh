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
# THREADS=1 also prints every SBC thread that ran or waited for its core 5 ms or more over the same 6 s (schedstat:
# time on the core, time waiting for it, times it was given the core): what else takes the media thread's core.
# DROPS_ELSEWHERE=1 runs, for the whole time, a process that drops 50 datagrams every half second at a loopback socket
# nobody reads, as any overflowing socket of the namespace would (the SBC's listeners' drop count must not cost more).
# SBC_JAVA_OPTS: more JVM options for the SBC (a GC log, a compiler log), as run-sbc-media.sh takes them.
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
taskset -c 1 java -Xms1g -Xmx1g -XX:+UseParallelGC ${SBC_JAVA_OPTS:-} -jar "$JAR" run --config "$OUT/sbc.yaml" \
  > "$OUT/sbc.log" 2>&1 &
SBC=$!
trap 'kill $SBC 2>/dev/null; wait $SBC 2>/dev/null' EXIT
for _ in $(seq 1 100); do grep -q "SBC running" "$OUT/sbc.log" && break; sleep 0.2; done
grep -q "SBC running" "$OUT/sbc.log" || { tail -5 "$OUT/sbc.log"; exit 1; }
grep -o "media relay: .*" "$OUT/sbc.log"
python3 "$SHARED/tools/sbc-media-calls.py" 127.0.0.1:35060 127.0.0.2:35060 127.0.0.3:35060 2000 30000 30002 \
    "$OUT/ports.map" 2>&1 | tail -1
MEDIA_TID=$(for t in /proc/$SBC/task/*; do if [ "$(cat "$t/comm")" = sbc-media-1 ]; then basename "$t"; fi; done)
if [ -n "${DROPS_ELSEWHERE:-}" ]; then
  python3 - <<'PY' &
import socket, time
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
sink.bind(("127.0.0.1", 0))
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 3600
while time.time() < end:
    for _ in range(50):
        sender.sendto(b"x" * 200, sink.getsockname())
    time.sleep(0.5)
PY
  DROPPER=$!
  trap 'kill $SBC $DROPPER 2>/dev/null; wait $SBC 2>/dev/null' EXIT
fi
# Every thread of the SBC: TID, name, and its schedstat (ns on the core, ns waiting for it, times given it).
threads() { for t in /proc/$SBC/task/*; do echo "$(basename "$t") $(tr ' ' _ < "$t/comm") $(cat "$t/schedstat")"; done \
    2>/dev/null | sort; }
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
  threads > "$OUT/threads.before"
  before=$(awk '{print $1}' "/proc/$SBC/task/$MEDIA_TID/schedstat")
  sleep 6
  after=$(awk '{print $1}' "/proc/$SBC/task/$MEDIA_TID/schedstat")
  threads > "$OUT/threads.after"
  wait $GEN
  if [ -n "$PERF" ]; then
    kill -INT "$PERF"; wait "$PERF" || true
    awk -F, '/sendto/ {s = $2} /io_uring_enter/ {e = $2}
        /task-clock/ && $2 > 0 {printf "  second %d: media thread %.0f%%, sendto %s, io_uring_enter %s\n", ++n, $2 / 10, s, e}' \
        "$OUT/perf.csv"
  fi
  echo "streams=$n media_thread_core=$(( (after - before) / 60000000 ))% $(sed -n 's/^RESULT //p' "$OUT/gen.out" \
      | grep -oE '(tx_pps|loss_pct|lat_p50_us|lat_p99_us|lat_p999_us|gen_max_lag_ms|rx_foreign)=[^ ]*' | tr '\n' ' ')"
  if [ -n "${THREADS:-}" ]; then
    join "$OUT/threads.before" "$OUT/threads.after" | awk '{ run = ($7 - $3) / 1e6; wait = ($8 - $4) / 1e6
        if (run >= 5 || wait >= 5) printf "  %-16s on its core %7.1f ms, waiting %6.1f ms, given it %d times\n",
            $2, run, wait, $9 - $5 }'
  fi
done
