#!/usr/bin/env bash
# Calls per second through the SBC, driven by SIPp on loopback (built-in uac/uas scenarios: INVITE, 100, 180,
# 200, ACK, BYE, 200 -- 7 messages per call per side, 13 relayed by the SBC counting its own 100 Trying).
#
#   bench/sipp-cps.sh [RATE] [SECONDS] [RUNS]        e.g. bench/sipp-cps.sh 2000 20 3
#   SBC_BENCH_CONFIG=sipp-cps-media.yaml bench/sipp-cps.sh ...   the same with media anchored
#
# Starts the daemon from sbc-core/target/sbc.jar on bench/sipp-cps.yaml (SBC 127.0.0.1:35060, trunk SIPp
# 127.0.0.2:35060, PBX SIPp 127.0.0.3:35060), runs SIPp for SECONDS at RATE calls/s RUNS times, and prints per run:
# calls attempted, succeeded, failed, achieved rate, and the SBC's CPU time per call (utime+stime from /proc), then
# that CPU time split by thread group (relay shards, SIP I/O, GC, JIT compilers, CDR writer...).
# Load goes to loopback only and every run is bounded by -m (calls) and a timeout.
set -euo pipefail
RATE=${1:-1000}
SECONDS_PER_RUN=${2:-20}
RUNS=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
jar="$top/sbc-core/target/sbc.jar"
[ -f "$jar" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
work=$(mktemp -d)
# The SBC drains on a first SIGTERM (calls the load left would hold it for drain-timeout); a second stops it at once.
stop_pid() { kill "$1" 2>/dev/null || return 0; sleep 0.2; kill "$1" 2>/dev/null || true; }
trap 'for p in $(jobs -p); do stop_pid "$p"; done; rm -rf "$work"' EXIT
calls=$((RATE * SECONDS_PER_RUN))
clk=$(getconf CLK_TCK)

java -Xms1g -Xmx1g -XX:+UseParallelGC ${SBC_JAVA_OPTS:-} -jar "$jar" run --config "$here/${SBC_BENCH_CONFIG:-sipp-cps.yaml}" > "$work/sbc.log" 2>&1 &
sbc=$!
for _ in $(seq 1 100); do grep -q "SBC running" "$work/sbc.log" && break; sleep 0.2; done
grep -q "SBC running" "$work/sbc.log" || { cat "$work/sbc.log"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$sbc/stat"; }
# CPU ticks per thread group: the thread's name without its trailing number (sbc-relay-3-1 and -3-2 are one group).
thread_ticks() {
  for t in /proc/"$sbc"/task/*; do
    printf '%s %s\n' "$(tr ' ' '_' < "$t/comm")" "$(awk '{print $14 + $15}' "$t/stat")"
  done 2>/dev/null | awk '{ n = $1; sub(/[-#_]?[0-9]+$/, "", n); sub(/[-#_]?[0-9]+$/, "", n); t[n] += $2 }
                          END { for (n in t) print n, t[n] }' | sort
}

echo "rate=$RATE/s seconds=$SECONDS_PER_RUN calls/run=$calls"
printf '%-4s %9s %9s %7s %10s %12s\n' run attempted ok failed calls/s cpu_us/call
for run in $(seq 1 "$RUNS"); do
  rm -f "$work"/*.csv
  # exec: the background job is timeout itself, which passes a TERM on to SIPp, so the PID stops it.
  (cd "$work" && exec timeout -k 5 $((SECONDS_PER_RUN * 3 + 30)) sipp -sn uas -i 127.0.0.3 -p 35060 -buff_size 4194304 \
      -nostdin > /dev/null 2>&1) &
  uas=$!
  sleep 0.3
  thread_ticks > "$work/threads.before"
  before=$(cpu_ticks); start=$(date +%s.%N)
  (cd "$work" && timeout -k 5 $((SECONDS_PER_RUN * 3 + 30)) sipp -sn uac 127.0.0.1:35060 -i 127.0.0.2 -p 35060 \
      -s 5551234 -r "$RATE" -m "$calls" -l $((RATE * 4)) -buff_size 4194304 -nostdin \
      -trace_stat -stf uac.csv -fd 1 > /dev/null 2>&1) || true
  end=$(date +%s.%N); after=$(cpu_ticks)
  thread_ticks > "$work/threads.after"
  kill "$uas" 2>/dev/null || true
  wait "$uas" 2>/dev/null || true
  sleep 1
  stats=$(tail -n 1 "$work/uac.csv")
  ok=$(echo "$stats" | awk -F';' '{print $16}')
  failed=$(echo "$stats" | awk -F';' '{print $18}')
  attempted=$(echo "$stats" | awk -F';' '{print $13}')
  awk -v r="$run" -v a="$attempted" -v o="$ok" -v f="$failed" -v s="$start" -v e="$end" \
      -v b="$before" -v t="$after" -v hz="$clk" \
      'BEGIN { d = e - s; printf "%-4s %9d %9d %7d %10.0f %12.1f\n", r, a, o, f, o / d, (t - b) / hz * 1e6 / (o > 0 ? o : 1) }'
  # Where the CPU went, per thread group (groups under 1 us per call left out).
  join -a 2 "$work/threads.before" "$work/threads.after" | awk -v o="${ok:-0}" -v hz="$clk" '
      { d = (NF == 3 ? $3 - $2 : $2) / hz * 1e6 / (o > 0 ? o : 1); if (d >= 1) printf "     %s %.0f us", $1, d }
      END { print "" }'
done
