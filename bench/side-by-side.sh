#!/usr/bin/env bash
# The same SIPp call load through the SBC and through Kamailio (Debian's package, bench/kamailio/kamailio.cfg), one
# system after the other in one run, and one table comparing them.
#
#   bench/side-by-side.sh [--quick] [--rates "1000 2000 3000"] [--only sbc|kamailio] [--sbc-worker-threads N]
#
#   --quick   one fixed rate (the first of --rates, default 1000) and short steps: a smoke run of a few minutes
#   --rates   the fixed rates at which CPU per call is measured (20 s each)
#   --only    measure one of the two systems
#   --sbc-worker-threads  the SBC's sip.worker-threads instead of bench/sipp-cps.yaml's (0: the relay on the I/O
#             thread)
#
# Per system: a warm-up run (not reported), then
#   fixed rates    CPU per call: the system's utime+stime from /proc (for Kamailio its main process and all its
#                  children) over the run, divided by successful calls
#   search         6 s steps doubling from 1000 calls/s until one fails, then bisected; a step passes when fewer
#                  than 0.1 % of its calls did not succeed (failed or unfinished) and it achieved >= 95 % of the rate
#   sustained      a 20 s confirmation at the best step's rate, backing off 15 % up to twice
#   overload       20 s at twice the sustained rate: calls completed within those 20 s per second, and the calls
#                  not completed 15 s later; 5 s after the 20 s, a 5 s probe at the sustained rate from a second UAC
#                  port must pass as a search step does ("back to full service"). SIPp places no new call after
#                  the 20 s (told so on its control socket) and finishes those in progress: a SIPp short of CPU
#                  falls behind its schedule and would otherwise go on placing the overload's calls into the probe
#                  (it did: 184,000 calls over 34 s). The calls it did place are what was offered. Also counted:
#                  the datagrams the kernel dropped at each full receive queue over the 20 s and the 5 s after, the
#                  caller's, the system's and the callee's: where past saturation the load broke, generators included;
#                  and each one's CPU over the 20 s, as a share of one core, with the caller's retransmissions: on
#                  two cores the generators and the system take their CPU from each other.
#   calls left     the SBC's active dialogs after the overload, read each second until none is left (at most
#                  200 s after it): answered calls whose BYE an overload dropped, which the SBC asks after a loss,
#                  and ringing calls whose final response it dropped, which Timer C ends (181 s, RFC 3261 §16.6).
#                  Kamailio's stateful proxy keeps transactions, not dialogs: "-"
#   latency        INVITE to 200 OK at the UAC, p50/p99, from SIPp's per-call -trace_rtt file (whole milliseconds)
# Topology as bench/sipp-cps.sh, on ports of its own so that it can run while sipp-cps.sh does: SIPp UAC
# 127.0.0.2:36060, SIPp UAS 127.0.0.3:36060 (SIPp's built-in scenarios), the SBC on 127.0.0.1:36060 (a copy of
# bench/sipp-cps.yaml with only its ports and data-dir changed), Kamailio on 127.0.0.1:36070. Loopback only; every
# SIPp run is bounded by -m (calls) and timeouts; the script stops only the processes it started, by PID.
#
# As root it installs kamailio with apt-get if missing, and raises net.core.rmem_max to the 8 MB receive buffer
# both systems ask for (it says so, and puts the old value back at exit unless someone changed it meanwhile).
# The table goes to stdout, progress to stderr; raw data (SIPp statistics and RTT files, logs, one result file per
# system) stays in a temporary folder whose path is printed.
set -euo pipefail

quick=0
rates=""
only=""
sbc_workers=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --rates) rates=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --sbc-worker-threads) sbc_workers=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$only" in ""|sbc|kamailio) ;; *) echo "--only takes sbc or kamailio" >&2; exit 2 ;; esac
case "$sbc_workers" in ""|[0-9]|[0-9][0-9]) ;; *) echo "--sbc-worker-threads takes 0-64" >&2; exit 2 ;; esac

if [ "$quick" = 1 ]; then
  rates=${rates%% *}; rates=${rates:-1000}
  warmup_secs=3; fixed_secs=5; step_secs=3; confirm_secs=5; overload_secs=5; bisect_steps=2
else
  rates=${rates:-1000 2000 3000}
  warmup_secs=10; fixed_secs=20; step_secs=6; confirm_secs=20; overload_secs=20; bisect_steps=4
fi
search_start=1000
search_ceiling=32000
recovery_gap_secs=5
probe_secs=5
# Timer B/F/H = 64*T1 = 32 s: a failed (overloaded) step leaves transactions behind for that long, in Kamailio's
# shared memory and in the SBC's heap; the next step waits them out rather than pay for them.
transaction_secs=35
sip_port=36060  # every SIPp and the SBC; bench/sipp-cps.sh uses 35060, its management 39090 (ours 39190)
receive_buffer=8388608  # bench/sipp-cps.yaml sip.udp-receive-buffer-bytes

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$(mktemp -d /tmp/side-by-side.XXXXXX)
clk=$(getconf CLK_TCK)
log() { echo "[$(date +%T)] $*" >&2; }

pids=()
rmem_set=""
rmem_old=""
# The SBC drains on a first SIGTERM (calls the load left would hold it for drain-timeout); a second stops it at once.
stop_pid() { kill "$1" 2>/dev/null || return 0; sleep 0.2; kill "$1" 2>/dev/null || true; }
cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
  wait 2>/dev/null || true
  if [ -n "$rmem_set" ] && [ "$(sysctl -n net.core.rmem_max)" = "$rmem_set" ]; then
    sysctl -q -w net.core.rmem_max="$rmem_old" || true
  fi
  echo "raw data: $out" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- prerequisites
if [ "$only" != kamailio ] && [ ! -f "$top/sbc-core/target/sbc.jar" ]; then
  log "building sbc.jar"
  (cd "$top" && mvn -B -q -DskipTests package)
fi
if [ "$only" != sbc ] && ! command -v kamailio > /dev/null; then
  [ "$(id -u)" = 0 ] || { echo "kamailio is not installed (apt-get install kamailio)" >&2; exit 2; }
  log "installing kamailio"
  DEBIAN_FRONTEND=noninteractive apt-get install -y kamailio > "$out/apt.log" 2>&1
fi
command -v sipp > /dev/null || { echo "sipp is not installed (apt-get install sip-tester)" >&2; exit 2; }
rmem_old=$(sysctl -n net.core.rmem_max)
if [ "$rmem_old" -lt "$receive_buffer" ]; then
  if [ "$(id -u)" = 0 ]; then
    sysctl -q -w net.core.rmem_max="$receive_buffer"
    rmem_set=$receive_buffer
    log "set net.core.rmem_max=$receive_buffer (was $rmem_old) so that SO_RCVBUF can reach $receive_buffer bytes"
  else
    log "net.core.rmem_max is $rmem_old: both systems get at most that receive buffer (run as root to raise it)"
  fi
fi
if [ "$only" != kamailio ]; then
  cp "$top/sbc-core/target/sbc.jar" "$out/sbc.jar"  # a concurrent build must not swap the jar mid-run
fi

# ---- measuring
tree_ticks() {  # utime+stime of PID and all its descendants, in clock ticks
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
    { pid = $1; rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " "); parent[pid] = f[2]; ticks[pid] = f[12] + f[13] }
    END {
      mine[root] = 1
      do { grew = 0; for (p in parent) if (!(p in mine) && (parent[p] in mine)) { mine[p] = 1; grew = 1 } } while (grew)
      for (p in mine) sum += ticks[p]
      print sum + 0
    }'
}

wait_idle() {  # until the system under test uses < 10 % of a core for 2 s in a row (at most 40 s)
  local quiet=0 before after
  for _ in $(seq 1 40); do
    before=$(tree_ticks "$sut"); sleep 1; after=$(tree_ticks "$sut")
    if [ $((after - before)) -lt $((clk / 10)) ]; then quiet=$((quiet + 1)); else quiet=0; fi
    [ "$quiet" -ge 2 ] && return 0
  done
  log "  $name still busy after 40 s"
}

settle() {  # settle pass|fail: after a run, wait until the system is idle, and after a failed run until its
            # transactions have ended too
  if [ "$1" = fail ]; then
    log "  waiting ${transaction_secs} s for the failed run's transactions to end"
    sleep "$transaction_secs"
  fi
  wait_idle
}

start_uas() {  # a fresh SIPp UAS for one load run, in folder $1
  (cd "$1" && exec timeout -k 5 300 sipp -sn uas -i 127.0.0.3 -p "$sip_port" -buff_size 4194304 -nostdin > uas.out 2>&1) &
  uas=$!; pids+=("$uas")
  sleep 0.3
}

stop_uas() {
  kill "$uas" 2>/dev/null || true
  wait "$uas" 2>/dev/null || true
}

# run_uac DIR RATE SECS [UAC_PORT [stop]]: RATE calls/s for SECS seconds from a SIPp UAC on 127.0.0.2; prints
#   attempted ok failed elapsed_s cpu_ticks retransmissions p50_ms p99_ms ok_within_SECS
# SIPp stops on its own after RATE*SECS calls, or is stopped SECS+15 s after it started, the unfinished calls then
# counting as not ok. -l is the whole call count: an overloaded system must not throttle the offered load. With
# "stop", SIPp places no new call after SECS (its control socket's soft quit, "q") and the calls it placed are the
# attempted ones.
# Proxies with two workers reorder 180 and 200 now and then; a late 180 must not fail the call
# (-default_behaviors without abortunexp), whereas lost or refused messages still do. The caller is
# bench/sipp-uac.xml, SIPp's uac call flow plus what RFC 3261 asks of a caller refused with 503: ACK it and stop
# (SIPp's built-in scenario, without abortunexp, ignores the 503 and retransmits its INVITE until Timer B).
run_uac() {
  local dir=$1 rate=$2 secs=$3 uac_port=${4:-$sip_port} stop=${5:-} calls before after start end uac_run
  local control_port=$((uac_port + 20000))
  calls=$((rate * secs))
  before=$(tree_ticks "$sut"); start=$(date +%s.%N)
  (cd "$dir" && exec timeout -k 5 $((secs + 15)) sipp -sf "$here/sipp-uac.xml" "127.0.0.1:$port" -i 127.0.0.2 -p "$uac_port" -s 5551234 \
      -r "$rate" -m "$calls" -l "$calls" -buff_size 4194304 -nostdin -cp "$control_port" \
      -default_behaviors all,-abortunexp -trace_stat -stf uac.csv -fd 1 -trace_rtt -rtt_freq 100 \
      > uac.out 2>&1) &
  uac_run=$!
  if [ "$stop" = stop ]; then
    sleep "$secs"
    printf q > "/dev/udp/127.0.0.1/$control_port" 2>/dev/null || true
  fi
  wait "$uac_run" || true
  end=$(date +%s.%N); after=$(tree_ticks "$sut")
  local stats ok failed retrans ok_within percentiles
  stats=$(tail -n 1 "$dir/uac.csv")
  if [ "$stop" = stop ]; then
    calls=$(echo "$stats" | awk -F';' '{print $13 + 0}')
  fi
  ok=$(echo "$stats" | awk -F';' '{print $16}')
  failed=$(echo "$stats" | awk -F';' '{print $18}')
  retrans=$(echo "$stats" | awk -F';' '{print $58}')
  # Successful calls by the end of the offered load: the last per-second row (-fd 1) at or before SECS.
  ok_within=$(awk -F';' -v secs="$secs" 'NR > 1 { split($5, t, ":"); if (t[1] * 3600 + t[2] * 60 + t[3] <= secs) n = $16 }
      END { print n + 0 }' "$dir/uac.csv")
  # SIPp names the file after the scenario; a run without one (no call answered) must still print its line, also
  # when run in the background, where set -e applies.
  percentiles=$({ tail -q -n +2 "$dir"/*_rtt.csv 2>/dev/null || true; } | cut -d';' -f2 | sort -n | awk '
    { v[NR] = $1 }
    END { if (NR == 0) { print "- -"; exit } i50 = int(NR * 0.50); i99 = int(NR * 0.99);
          if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1; print v[i50], v[i99] }')
  echo "$calls ${ok:-0} ${failed:-0} $(echo "$end - $start" | bc) $((after - before)) ${retrans:-0} $percentiles $ok_within"
}

# record LABEL RATE SECS LINE: keeps run_uac's LINE in $result, shows it on stderr, prints pass or fail
record() {
  local label=$1 rate=$2 secs=$3 line=$4
  echo "$label $rate $secs $line" >> "$result"
  echo "$line" | awk -v rate="$rate" -v label="$label" -v hz="$clk" '{
    achieved = $2 / $4; bad = ($1 - $2) / $1 * 100
    printf "  %-12s %6d/s: %7d/%-7d ok, %5.2f %% not ok, %6.0f/s, %4.0f us CPU/call, %d retrans, p50/p99 %s/%s ms\n",
      label, rate, $2, $1, bad, achieved, ($2 > 0 ? $5 / hz * 1e6 / $2 : 0), $6, $7, $8 > "/dev/stderr"
    print (bad < 0.1 && achieved >= 0.95 * rate) ? "pass" : "fail" }'
}

# load LABEL RATE SECS: one load run with its own UAS, recorded; prints pass or fail
load() {
  local label=$1 rate=$2 secs=$3 dir
  dir="$out/$name/$label"; mkdir -p "$dir"
  start_uas "$dir"
  local line
  line=$(run_uac "$dir" "$rate" "$secs")
  stop_uas
  record "$label" "$rate" "$secs" "$line"
}

# overload_and_probe RATE: twice RATE for $overload_secs, then, 5 s after that load ended, a probe at RATE from a
# second UAC port while the overload's UAC may still be retransmitting its unfinished calls, as callers would.
overload_and_probe() {
  local rate=$1 overload_uac line verdict system_drops_before before after
  mkdir -p "$out/$name/overload" "$out/$name/probe"
  start_uas "$out/$name/overload"
  system_drops_before=$(socket_drops 127.0.0.1 "$port")
  overload_end=$(( $(date +%s) + overload_secs ))
  run_uac "$out/$name/overload" $((rate * 2)) "$overload_secs" "$sip_port" stop > "$out/$name/overload/line" &
  overload_uac=$!; pids+=("$overload_uac")
  # The caller is a descendant of the backgrounded run_uac; it starts within this first measurement, from 0 ticks.
  before="$(tree_ticks "$sut") $(tree_ticks "$overload_uac") $(tree_ticks "$uas")"
  sleep "$overload_secs"
  after="$(tree_ticks "$sut") $(tree_ticks "$overload_uac") $(tree_ticks "$uas")"
  echo "cpu_share $before $after" >> "$result"
  sleep "$recovery_gap_secs"
  # Before the probe's caller opens its socket; the overload's caller and callee are still running, their sockets
  # counted from zero.
  echo "drops $(socket_drops 127.0.0.2 "$sip_port") $(( $(socket_drops 127.0.0.1 "$port") - system_drops_before ))" \
      "$(socket_drops 127.0.0.3 "$sip_port")" >> "$result"
  line=$(run_uac "$out/$name/probe" "$rate" "$probe_secs" $((sip_port + 2)))
  wait "$overload_uac" || true
  stop_uas
  record overload $((rate * 2)) "$overload_secs" "$(cat "$out/$name/overload/line")" > /dev/null
  verdict=$(record probe "$rate" "$probe_secs" "$line")
  echo "recovered $verdict" >> "$result"
}

# sbc_dialogs_left: the calls the overload left up in the SBC (answered calls whose BYE never arrived: it asks them
# after a loss, zones[].keepalive; ringing calls whose final response never arrived: Timer C, 181 s, cancels them),
# its active dialogs read each second until none is left or 200 s after the overload's end; "dialogs_left COUNT
# SECONDS" (SECONDS after the overload's end) in the result.
sbc_dialogs_left() {
  local left
  while :; do
    left=$(curl -s http://127.0.0.1:39190/metrics | awk '/^sbc_relay_dialogs_active / { print int($2) }')
    if [ "${left:-1}" -eq 0 ] || [ "$(date +%s)" -ge $((overload_end + 200)) ]; then break; fi
    sleep 1
  done
  echo "dialogs_left ${left:-unknown} $(( $(date +%s) - overload_end ))" >> "$result"
}

# socket_drops ADDRESS PORT: datagrams the kernel dropped because the UDP socket bound there had a full receive queue,
# since the socket was opened (/proc/net/udp's last column; addresses in the kernel's byte order); 0 if none is bound
socket_drops() {
  local hex
  hex=$(printf '%02X%02X%02X%02X:%04X' $(echo "$1" | awk -F. '{print $4, $3, $2, $1}') "$2")
  awk -v local="$hex" '$2 == local { d += $NF } END { print d + 0 }' /proc/net/udp
}

# ---- the systems under test
ports_free() {  # the SIPp and system addresses; another benchmark on this machine may hold them for a while
  local busy
  for _ in $(seq 1 60); do
    busy=$(ss -lun | awk -v sut="127.0.0.1:$port" -v p="$sip_port" '$4 == sut || $4 == "127.0.0.2:" p || $4 == "127.0.0.3:" p {print $4}')
    [ -z "$busy" ] && return 0
    sleep 2
  done
  echo "still in use after 120 s: $busy (another benchmark?)" >&2; exit 1
}

start_sbc() {
  port=$sip_port
  ports_free
  sed -e "s/port: 35060/port: $sip_port/g" -e "s/port: 39090/port: 39190/" -e "s|^data-dir: .*|data-dir: $out/sbc/data|" \
      -e "${sbc_workers:+s/^  worker-threads: .*/  worker-threads: $sbc_workers/}" \
      "$here/sipp-cps.yaml" > "$out/sbc/sbc.yaml"
  (exec java -Xms1g -Xmx1g -XX:+UseParallelGC ${SBC_JAVA_OPTS:-} -jar "$out/sbc.jar" run \
      --config "$out/sbc/sbc.yaml" > "$out/sbc/sbc.log" 2>&1) &
  sut=$!; pids+=("$sut")
  for _ in $(seq 1 100); do grep -q "SBC running" "$out/sbc/sbc.log" && return 0; sleep 0.2; done
  cat "$out/sbc/sbc.log" >&2; exit 1
}

start_kamailio() {
  port=36070
  ports_free
  # -DD -E: stay in the foreground (our child, whose PID we keep) and log to stderr. tlsf allocators: Debian builds
  # Kamailio with memory debugging, which makes the default qm allocator several times dearer per call, and with fm
  # Kamailio got slower with every call it had carried (after 130,000 calls a 1,000/s step cost 784 µs of CPU per
  # call and the next 3,103, against 316 fresh; with tlsf 271 and 280: docs/performance.md).
  (exec kamailio -f "$here/kamailio/kamailio.cfg" -DD -E -m 1024 -M 16 -x tlsf -X tlsf -w "$out/kamailio" \
      > "$out/kamailio/kamailio.log" 2>&1) &
  sut=$!; pids+=("$sut")
  for _ in $(seq 1 50); do
    # Filtered by ss itself: grep -q leaving early would end a long listing with SIGPIPE, failing under pipefail.
    ss -lun "sport = :$port" | grep -q "127.0.0.1:$port " && return 0
    kill -0 "$sut" 2>/dev/null || break
    sleep 0.2
  done
  cat "$out/kamailio/kamailio.log" >&2; exit 1
}

stop_sut() {
  stop_pid "$sut"
  wait "$sut" 2>/dev/null || true
}

measure() {  # measure sbc|kamailio: every step for one system, results in $out/NAME/result
  name=$1
  mkdir -p "$out/$name"
  result="$out/$name/result"; : > "$result"
  "start_$name"
  ss -lumn "src 127.0.0.1:$port" | awk 'match($0, /rb[0-9]+/) { print "rcvbuf", substr($0, RSTART + 2, RLENGTH - 2) }' >> "$result"
  log "$name (PID $sut) on 127.0.0.1:$port, $(awk '/^rcvbuf/ {print $2}' "$result") bytes of receive buffer"

  settle "$(load warmup "${rates%% *}" "$warmup_secs")"
  for rate in $rates; do settle "$(load "fixed-$rate" "$rate" "$fixed_secs")"; done

  # Search: double until a step fails, then bisect between the best pass and the first fail.
  local pass=0 fail=0 rate=$search_start verdict
  while [ "$rate" -le "$search_ceiling" ]; do
    verdict=$(load "step-$rate" "$rate" "$step_secs"); settle "$verdict"
    if [ "$verdict" = pass ]; then pass=$rate; rate=$((rate * 2)); else fail=$rate; break; fi
  done
  if [ "$fail" -gt 0 ]; then
    for _ in $(seq 1 "$bisect_steps"); do
      rate=$(( (pass + fail) / 200 * 100 ))
      [ "$rate" -le "$pass" ] && break
      verdict=$(load "step-$rate" "$rate" "$step_secs"); settle "$verdict"
      if [ "$verdict" = pass ]; then pass=$rate; else fail=$rate; fi
    done
  fi
  echo "best_step $pass" >> "$result"

  local sustained=0
  rate=$pass
  for _ in 1 2 3; do
    [ "$rate" -gt 0 ] || break
    verdict=$(load "confirm-$rate" "$rate" "$confirm_secs"); settle "$verdict"
    if [ "$verdict" = pass ]; then sustained=$rate; break; fi
    rate=$(( rate * 85 / 100 / 100 * 100 ))
  done
  echo "sustained $sustained" >> "$result"

  if [ "$sustained" -gt 0 ]; then overload_and_probe "$sustained"; fi
  if [ "$name" = sbc ]; then
    if [ "$sustained" -gt 0 ]; then sbc_dialogs_left; fi
    # Which of the SBC's two shedding signals refused the excess (relay queue age or the I/O thread's backlog).
    curl -s http://127.0.0.1:39190/metrics | grep '^sbc_transport_shed_total{.*transport="udp"' \
        > "$out/sbc/shed.txt" || true
    echo "sbc shed on the I/O thread over the whole run: $(sed 's/^sbc_transport_shed_total//' "$out/sbc/shed.txt" \
        | tr '\n' ' ')" >&2
  fi
  stop_sut
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "raw data in $out; $(nproc) cores, load average $load_before"
systems="sbc kamailio"
[ -n "$only" ] && systems=$only
for system in $systems; do
  measure "$system"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the table: one column per system
table() {
  local files=()
  for system in $systems; do files+=("$out/$system/result"); done
  awk -v hz="$clk" -v systems="$systems" -v fixed="$fixed_secs" -v confirm="$confirm_secs" \
      -v over="$overload_secs" -v step="$step_secs" -v gap="$recovery_gap_secs" '
    function us(ticks, ok) { return ok > 0 ? sprintf("%.0f us", ticks / hz * 1e6 / ok) : "-" }
    function pct(n, ok) { return sprintf("%.2f %%", (n - ok) / n * 100) }
    FNR == 1 { s++ }
    $1 == "rcvbuf" || $1 == "best_step" || $1 == "sustained" || $1 == "recovered" { v[s, $1] = $2; next }
    $1 == "drops" { v[s, "drops"] = $2 " / " $3 " / " $4; next }
    $1 == "dialogs_left" { v[s, "left"] = $2 " after " $3 " s"; next }
    $1 == "cpu_share" {
      v[s, "cpu_share"] = sprintf("%.0f / %.0f / %.0f %%", ($5 - $2) / hz / over * 100, ($6 - $3) / hz / over * 100,
          ($7 - $4) / hz / over * 100)
      next
    }
    {
      label = $1; rate = $2; calls = $4; ok = $5; elapsed = $7; ticks = $8
      v[s, label, "cpu"] = us(ticks, ok)
      v[s, label, "ok"] = sprintf("%d / %d", ok, calls)
      v[s, label, "bad"] = pct(calls, ok)
      v[s, label, "rate"] = sprintf("%.0f/s", ok / elapsed)
      v[s, label, "lat"] = $10 " / " $11 " ms"
      v[s, label, "offered"] = rate
      v[s, label, "placed"] = sprintf("%.0f/s", calls / $3)
      v[s, label, "goodput"] = sprintf("%.0f/s", $12 / $3)
      v[s, label, "retrans"] = $9
    }
    function row(title, key,   i, line) {
      line = sprintf("%-46s", title)
      for (i = 1; i <= n; i++) line = line sprintf(" %22s", ((i, key) in v) ? v[i, key] : "-")
      print line
    }
    function row3(title, label, key,   i, line) {
      line = sprintf("%-46s", title)
      for (i = 1; i <= n; i++) line = line sprintf(" %22s", ((i, label, key) in v) ? v[i, label, key] : "-")
      print line
    }
    END {
      n = split(systems, name, " ")
      line = sprintf("%-46s", ""); for (i = 1; i <= n; i++) line = line sprintf(" %22s", name[i]); print line
      m = split(ENVIRON["FIXED_RATES"], fr, " ")
      for (j = 1; j <= m; j++) {
        l = "fixed-" fr[j]
        row3("CPU per call at " fr[j] "/s (" fixed " s)", l, "cpu")
        row3("  calls ok / attempted", l, "ok")
        row3("  set-up latency p50 / p99", l, "lat")
      }
      for (i = 1; i <= n; i++) {
        b = v[i, "best_step"]; c = "confirm-" v[i, "sustained"]
        v[i, "best_fmt"] = b > 0 ? b "/s (" v[i, "step-" b, "rate"] ")" : "none"
        v[i, "sus_fmt"] = v[i, "sustained"] > 0 ? v[i, "sustained"] "/s" : "none confirmed"
        v[i, "sus_ok"] = v[i, c, "ok"]; v[i, "sus_cpu"] = v[i, c, "cpu"]; v[i, "sus_lat"] = v[i, c, "lat"]
      }
      row("best " step " s step (< 0.1 % not ok)", "best_fmt")
      row("sustained rate (" confirm " s confirmation)", "sus_fmt")
      row("  calls ok / attempted", "sus_ok")
      row("  CPU per call", "sus_cpu")
      row("  set-up latency p50 / p99", "sus_lat")
      row3("offered at 2x sustained (" over " s)", "overload", "offered")
      row3("  calls SIPp placed in it, per second", "overload", "placed")
      row3("  goodput (calls ok within it, per second)", "overload", "goodput")
      row3("  calls not ok 15 s after it", "overload", "bad")
      row3("  set-up latency p50 / p99", "overload", "lat")
      row("  dropped at full queues: caller/system/callee", "drops")
      row("  CPU of a core in it: system/caller/callee", "cpu_share")
      row3("  retransmissions by the caller", "overload", "retrans")
      for (i = 1; i <= n; i++) v[i, "rec_fmt"] = v[i, "recovered"] == "pass" ? "yes" : (v[i, "recovered"] == "" ? "-" : "no")
      row("back to full service " gap " s after", "rec_fmt")
      row3("  probe at sustained rate: not ok", "probe", "bad")
      row("calls left up after it (SBC: active dialogs)", "left")
      row("UDP receive buffer (ss rb: twice SO_RCVBUF)", "rcvbuf")
    }' "${files[@]}"
}
echo "side by side, $(nproc) cores shared with the SIPp UAC and UAS; load average $load_before before, $load_after after"
if [ -f "$out/sbc/sbc.yaml" ]; then
  echo "SBC threads: $(grep -E '^  (io|worker)-threads:' "$out/sbc/sbc.yaml" | tr -s ' ' | tr '\n' ' ')"
fi
FIXED_RATES=$rates table
