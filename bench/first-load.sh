#!/usr/bin/env bash
# What a freshly started SBC's first load costs: the warm-up's own line, then SIPp's built-in uas and uac (as
# bench/sipp-cps.sh runs them) for SECONDS at RATE calls/s, and over that load the SBC's CPU per call, the optimizing
# compiler's (C2) share of it and the methods the JIT compiled.
#
#   bench/first-load.sh [RATE] [SECONDS] [JAR]        e.g. bench/first-load.sh 1000 10
#
# JAR defaults to sbc-core/target/sbc.jar; two jars measured in turn compare two builds' warm-ups. The SBC runs on
# bench/sipp-cps.yaml (127.0.0.1:35060, trunk SIPp 127.0.0.2, PBX SIPp 127.0.0.3) with a data folder of its own and
# -XX:+PrintCompilation (its log counts the compilations). Loopback only; SIPp is bounded by -m and a timeout; the
# script stops only the processes it started, by PID.
set -euo pipefail
RATE=${1:-1000}
SECONDS_OF_LOAD=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
jar=${3:-$top/sbc-core/target/sbc.jar}
[ -f "$jar" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
work=$(mktemp -d)
stop_pid() { kill "$1" 2>/dev/null || return 0; sleep 0.2; kill "$1" 2>/dev/null || true; }
trap 'for p in $(jobs -p); do stop_pid "$p"; done; rm -rf "$work"' EXIT
calls=$((RATE * SECONDS_OF_LOAD))

sed -e "s|^data-dir: .*|data-dir: $work/data|" "$here/sipp-cps.yaml" > "$work/sbc.yaml"
launched=$(date +%s%N)
java -Xms1g -Xmx1g -XX:+UseParallelGC -XX:+PrintCompilation ${SBC_JAVA_OPTS:-} -jar "$jar" run \
    --config "$work/sbc.yaml" > "$work/sbc.log" 2>&1 &
sbc=$!
for _ in $(seq 1 300); do grep -q "SBC running" "$work/sbc.log" && break; sleep 0.2; done
grep -q "SBC running" "$work/sbc.log" || { tail -20 "$work/sbc.log"; exit 1; }
running=$(date +%s%N)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$sbc/stat"; }
c2_ticks() {
  for t in /proc/"$sbc"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in "C2 CompilerThre"*) awk '{print $14 + $15}' "$t/stat" ;; esac
  done 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}
clk=$(getconf CLK_TCK)
lines_before=$(wc -l < "$work/sbc.log"); c2_before=$(c2_ticks); cpu_before=$(cpu_ticks)
(cd "$work" && exec timeout -k 5 $((SECONDS_OF_LOAD * 3 + 30)) sipp -sn uas -i 127.0.0.3 -p 35060 \
    -buff_size 4194304 -nostdin > /dev/null 2>&1) &
uas=$!
sleep 0.3
(cd "$work" && timeout -k 5 $((SECONDS_OF_LOAD * 3 + 30)) sipp -sn uac 127.0.0.1:35060 -i 127.0.0.2 -p 35060 \
    -s 5551234 -r "$RATE" -m "$calls" -l $((RATE * 4)) -buff_size 4194304 -nostdin -trace_stat -stf uac.csv \
    > /dev/null 2>&1) || true
lines_after=$(wc -l < "$work/sbc.log"); c2_after=$(c2_ticks); cpu_after=$(cpu_ticks)
stop_pid "$uas"

ok=$(tail -n 1 "$work/uac.csv" | awk -F';' '{print $16 + 0}')
failed=$(tail -n 1 "$work/uac.csv" | awk -F';' '{print $18 + 0}')
echo "launch to \"SBC running\" (polled every 0.2 s): $(( (running - launched) / 1000000 )) ms;" \
    "$(grep -o 'message path warmed up.*' "$work/sbc.log" || echo "no warm-up (warm-up-calls: 0?)")"
echo "first $calls calls at $RATE/s: $ok ok, $failed failed;" \
    "SBC CPU $(( ok > 0 ? (cpu_after - cpu_before) * 1000000 / clk / ok : 0 )) us per call," \
    "of it C2 $(( ok > 0 ? (c2_after - c2_before) * 1000000 / clk / ok : 0 )) us;" \
    "$(sed -n "$((lines_before + 1)),\$p" "$work/sbc.log" | grep -cE '^ *[0-9]+ +[0-9]+ ') compilations"
