#!/usr/bin/env bash
# Soak: the daemon under mixed, hostile, long load, watched every minute for growth.
#
#   bench/soak.sh [--minutes N]          default 60; e.g. nice -n 10 bench/soak.sh --minutes 10
#
# Starts the daemon from sbc-core/target/sbc.jar (copied first so a concurrent build cannot swap it; build with
# mvn -B -o -q package -DskipTests) on bench/soak/sbc.yaml with 1,000 generated accounts (soak0001...) and drives,
# all over loopback with SIPp, for N minutes:
#   phones   1,000 phones at 127.0.0.10 registering with digest and refreshing (each about every 50 s; the SBC
#            grants 96-120 s), the SBC registering each AOR once at the PBX    bench/soak/../register-uac.xml
#   calls    100 new calls/s in all, every call's media anchored by the SBC, a fifth of them with 3 s of RTP each
#            way (media-uac.xml; the callee echoes):
#              trunk -> PBX   50/s signalling only (SIPp's built-in uac), 15/s with RTP
#              PBX -> trunk   10/s signalling only, 5/s with RTP (to national numbers, through the toll-fraud guard)
#              PBX -> phone   10/s to the registered accounts in turn (pbx-to-phone.xml, 1 s), answered by the
#                             phones' SIPp (its out-of-call scenario)
#              phone -> PBX   10/s with digest (phone-call.xml, 1 s)
#   callees  SIPp at 127.0.0.3 (the PBX: registrar and callee) and at 127.0.0.2 (the trunk), both callee.xml
#   hostile  every 150 s: a password guesser at 127.0.0.67 (REGISTERs with wrong passwords, 5/s for 30 s: banned
#            after 10 failures), then an OPTIONS flood from 127.0.0.66 (500/s for 20 s: over its packet budget,
#            banned for flooding); bans last 1 min without escalation, so the ban table returns to 0
# and prints one line a minute: live heap after a full GC (jcmd GC.class_histogram), RSS, threads, file
# descriptors, UDP and TCP sockets of the SBC (ss), and from the SBC's /metrics the transaction, dialog, binding,
# media session and ban gauges. Then the load stops and the table goes on until every gauge is back at its idle
# value (at most 4 minutes: bindings expire within 2 min).
#
# Verdict (exit 0 only if all pass):
#   flat     from the end of the warm-up (minute 10, or the first third of a shorter run) to the last loaded
#            minute, the live heap, RSS, threads, fds and every table grow by at most 5 % (tables that are near 0
#            may also rise by 2 entries: a ban or two coming and going)
#   idle     after the load: transactions, dialogs, bindings, media sessions, bans and connections at 0, and
#            threads no more than at the end of the warm-up (file descriptors and UDP sockets stay at the media
#            port pairs the SBC keeps bound and ready, a pool, and are judged by the flat criterion)
#   log      no ERROR line in the SBC's log
# SBC_BENCH_KEEP=1 keeps the working folder (config, SBC log, SIPp statistics and error logs) and prints its path.
# Every SIPp run is bounded by a timeout; only processes this script started are stopped, by their PID.
set -euo pipefail
MINUTES=60
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) MINUTES=$2; shift 2 ;;
    *) echo "usage: $0 [--minutes N]" >&2; exit 2 ;;
  esac
done
[ "$MINUTES" -ge 3 ] || { echo "--minutes must be at least 3" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
scenarios="$top/src-test-fixtures/src/main/resources/sipp"
for tool in sipp jcmd ss curl md5sum; do
  command -v "$tool" > /dev/null || { echo "$tool is needed" >&2; exit 2; }
done
. "$here/sipp-bench.sh"
realm=soak.local
metrics=http://127.0.0.1:49090/metrics
seconds=$((MINUTES * 60))
warmup=$(( MINUTES >= 30 ? 10 : MINUTES / 3 ))

# ---- accounts: the SBC's users (HA1 only), SIPp's injection file, and one with wrong passwords for the guesser
accounts 1000 'soak%04d' "$realm"
sed 's/password=pw-/password=wrong-/' "$work/users.csv" > "$work/guesses.csv"
awk -v dir="$work/data" 'FNR == NR { users = users $0 "\n"; next }
    /^  users: \[\]/ { printf "  users:\n%s", users; next }
    /^data-dir:/ { print "data-dir: " dir; next }
    { print }' "$work/users.yaml" "$here/soak/sbc.yaml" > "$work/sbc.yaml"
# One second of mu-law silence (0xFF) for SIPp's rtp_stream.
head -c 8000 /dev/zero | tr '\0' '\377' > "$work/silence.ulaw"

java -Xms512m -Xmx512m -XX:+UseParallelGC ${SBC_JAVA_OPTS:-} -jar "$work/sbc.jar" run --config "$work/sbc.yaml" \
    > "$work/sbc.log" 2>&1 &
sbc=$!; pids+=("$sbc")
for _ in $(seq 1 150); do grep -q "SBC running" "$work/sbc.log" && break; sleep 0.2; done
grep -q "SBC running" "$work/sbc.log" || { cat "$work/sbc.log"; exit 1; }

gauge() { awk -v m="$1" '$1 == m { v = $2 } END { printf "%d", v }' "$work/metrics.txt"; }
sample() {  # one line of the table
  local label=$1 heap rss threads fds udp tcp
  heap=$(jcmd "$sbc" GC.class_histogram | awk '/^Total/ { printf "%.1f", $3 / 1048576 }')
  rss=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$sbc/status")
  threads=$(awk '/^Threads/ { print $2 }' "/proc/$sbc/status")
  fds=$(ls "/proc/$sbc/fd" | wc -l)
  udp=$(ss -H -uanp 2>/dev/null | grep -c "pid=$sbc," || true)
  tcp=$(ss -H -tanp 2>/dev/null | grep -c "pid=$sbc," || true)
  curl -s "$metrics" > "$work/metrics.txt"
  printf '%-6s %8s %6s %7s %5s %5s %4s %6s %7s %8s %6s %5s %5s\n' "$label" "$heap" "$rss" "$threads" "$fds" \
    "$udp" "$tcp" "$(gauge sbc_relay_transactions_active)" "$(gauge sbc_relay_dialogs_active)" \
    "$(gauge sbc_registrar_bindings_active)" "$(gauge sbc_media_sessions_active)" \
    "$(gauge sbc_security_bans_active)" "$(gauge sbc_transport_connections)" | tee -a "$work/table.txt"
}

# SIPp runs in the working folder (statistics, error logs, the RTP file); exec makes the PID timeout's own.
sipp_bg() {  # sipp_bg NAME LIMIT_SECONDS ARGS...: a bounded SIPp in the background, its PID in $last
  local name=$1 limit=$2; shift 2
  (cd "$work" && exec timeout -k 5 "$limit" sipp "$@" -buff_size 4194304 -nostdin -trace_err \
      -error_file "$name-errors.log" -trace_stat -stf "$name.csv" -fd 10 > "$name.out" 2>&1) &
  last=$!; pids+=("$last")
}

echo "soak: $MINUTES min of load (warm-up $warmup min), then the drain; $(nproc) cores shared with SIPp"
printf '%-6s %8s %6s %7s %5s %5s %4s %6s %7s %8s %6s %5s %5s\n' minute heap_MiB rss_MiB threads fds udp tcp \
  trans dialogs bindings media bans conns | tee "$work/table.txt"
sample idle

# Each SIPp could go on a minute past the last loaded sample; the script stops them there.
load=$((seconds + 120))
sipp_bg pbx $((seconds + 420)) -sf "$here/soak/callee.xml" -i 127.0.0.3 -p 45060 -mi 127.0.0.3 -mp 46000 -rtp_echo \
  -deadcall_wait 0
pbx=$last
sipp_bg carrier "$load" -sf "$here/soak/callee.xml" -i 127.0.0.2 -p 45060 -mi 127.0.0.2 -mp 46100 -rtp_echo \
  -deadcall_wait 0
carrier=$last
sleep 0.5
# Phones: the accounts in a loop, 20/s (each phone every 50 s), for the whole run; the PBX's calls to them reach
# this SIPp over the flow they registered from and are answered by its out-of-call scenario.
sipp_bg phones "$load" -sf "$scenarios/register-uac.xml" 127.0.0.1:45060 -i 127.0.0.10 -p 45070 \
  -oocsf "$here/soak/callee.xml" -inf "$work/users.csv" -r 20 -m $(((seconds + 60) * 20)) -l 800
phones=$last
sleep 10
sipp_bg trunk "$load" -sn uac 127.0.0.1:45060 -i 127.0.0.2 -p 45062 -s 2000 -r 50 -m $(((seconds + 60) * 50)) -l 500
trunk=$last
sipp_bg media "$load" -sf "$here/soak/media-uac.xml" 127.0.0.1:45060 -i 127.0.0.2 -p 45061 -s 2000 -mi 127.0.0.2 \
  -r 15 -m $(((seconds + 60) * 15)) -l 300
media=$last
sipp_bg outbound "$load" -sn uac 127.0.0.1:45060 -i 127.0.0.3 -p 45062 -s 030123456 -r 10 \
  -m $(((seconds + 60) * 10)) -l 100
outbound=$last
sipp_bg outmedia "$load" -sf "$here/soak/media-uac.xml" 127.0.0.1:45060 -i 127.0.0.3 -p 45061 -s 030123457 \
  -mi 127.0.0.3 -mp 46200 -r 5 -m $(((seconds + 60) * 5)) -l 100
outmedia=$last
sipp_bg ring "$load" -sf "$here/soak/pbx-to-phone.xml" 127.0.0.1:45060 -i 127.0.0.3 -p 45063 -mi 127.0.0.3 \
  -mp 46300 -inf "$work/users.csv" -r 10 -m $(((seconds + 60) * 10)) -l 200
ring=$last
sipp_bg calls "$load" -sf "$here/soak/phone-call.xml" 127.0.0.1:45060 -i 127.0.0.10 -p 45071 -mi 127.0.0.10 \
  -mp 47000 -inf "$work/users.csv" -r 10 -m $(((seconds + 60) * 10)) -l 200
calls=$last

hostile() {  # the guesser and the flood, every 150 s while the load runs
  local end=$(( $(date +%s) + seconds - 60 )) child
  # Each step runs in the background and is waited for, so that a TERM from the cleanup stops it at once.
  trap '[ -n "${child:-}" ] && kill "$child" 2>/dev/null; exit 0' TERM
  while [ "$(date +%s)" -lt "$end" ]; do
    (cd "$work" && exec timeout -k 5 40 sipp -sf "$scenarios/register-uac.xml" 127.0.0.1:45060 -i 127.0.0.67 \
        -p 45080 -inf "$work/guesses.csv" -r 5 -m 150 -timeout 35s -recv_timeout 2000 -nostdin > guesser.out 2>&1) &
    child=$!; wait "$child" || true
    (cd "$work" && exec timeout -k 5 30 sipp -sf "$here/soak/options-flood.xml" 127.0.0.1:45060 -i 127.0.0.66 \
        -p 45081 -r 500 -m 10000 -timeout 20s -nostdin > flood.out 2>&1) &
    child=$!; wait "$child" || true
    sleep 100 &
    child=$!; wait "$child" || true
  done
}
hostile &
pids+=("$!")

start=$(date +%s)
for minute in $(seq 1 "$MINUTES"); do
  sleep $(( start + minute * 60 - $(date +%s) > 0 ? start + minute * 60 - $(date +%s) : 0 ))
  sample "$minute"
done
for p in "$trunk" "$media" "$outbound" "$outmedia" "$ring" "$calls" "$phones" "$carrier"; do stop_pid "$p"; wait "$p" 2>/dev/null || true; done
loaded_lines=$((MINUTES + 2))

# Drain: calls end at once, transactions within Timer J (32 s), bindings at their expiry (at most 2 min), bans
# after a minute. The PBX stays up to answer the SBC's de-registrations.
for minute in 1 2 3 4; do
  sleep 60
  sample "+$minute"
  awk 'END { exit !($8 == 0 && $9 == 0 && $10 == 0 && $11 == 0 && $12 == 0 && $13 == 0) }' "$work/table.txt" && break
done

echo
echo "SIPp calls (created, successful, failed; the PBX counts each REGISTER and each call it answered, the carrier"
echo "each call it answered; the phones' count is their registrations alone):"
for name in phones trunk media outbound outmedia ring calls pbx carrier; do
  printf '  %-7s %s\n' "$name" "$(tail -n 1 "$work/$name.csv" 2>/dev/null | awk -F';' '{print $13, $16, $18}')"
done
echo "security decisions:"
curl -s "$metrics" | grep -E '^sbc_security_decisions_total' | grep -vE ' 0\.0$' | sed 's/^/  /' || true

verdict=0
echo
echo "verdict:"
# Columns 2..13 of the table; the baseline is the warm-up's last minute, the growth judged at the last loaded one.
awk -v base=$((warmup + 2)) -v last="$loaded_lines" '
  NR == base { for (i = 2; i <= 13; i++) b[i] = $i }
  NR == last { for (i = 2; i <= 13; i++) l[i] = $i }
  NR == 1 { for (i = 2; i <= 13; i++) name[i] = $i }
  END {
    bad = 0
    for (i = 2; i <= 13; i++) {
      if (name[i] == "tcp" || name[i] == "conns") continue
      growth = b[i] > 0 ? (l[i] - b[i]) / b[i] * 100 : 0
      ok = l[i] <= b[i] * 1.05 || l[i] - b[i] <= 2
      printf "  flat  %-9s %10s -> %-10s %+6.1f %%  %s\n", name[i], b[i], l[i], growth, ok ? "ok" : "GROWING"
      if (!ok) bad = 1
    }
    exit bad
  }' "$work/table.txt" || verdict=1
# Columns 8-13: transactions, dialogs, bindings, media sessions, bans, connections; 4: threads, which may not
# exceed those at the end of the warm-up (the JVM adds compiler threads on demand, so the count before any load is
# lower than an idle count after it).
if awk -v base=$((warmup + 2)) 'NR == base { threads = $4 }
    END { exit !($8 == 0 && $9 == 0 && $10 == 0 && $11 == 0 && $12 == 0 && $13 == 0 && $4 <= threads) }' \
    "$work/table.txt"; then
  echo "  idle  every gauge back at its idle value: ok"
else
  echo "  idle  NOT back at idle: $(tail -n 1 "$work/table.txt")"; verdict=1
fi
errors=$(grep -c ' ERROR ' "$work/sbc.log" || true)
if [ "$errors" = 0 ]; then echo "  log   no ERROR line: ok"
else echo "  log   $errors ERROR lines, first:"; grep -m 3 ' ERROR ' "$work/sbc.log" | cut -c1-240 | sed 's/^/    /'; verdict=1
fi
stop_pid "$pbx"
echo "soak $( [ $verdict = 0 ] && echo PASSED || echo FAILED )"
exit $verdict
