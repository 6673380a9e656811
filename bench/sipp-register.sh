#!/usr/bin/env bash
# Registration through the SBC, driven by SIPp on loopback: phones registering with digest authentication
# (REGISTER, 401, REGISTER with credentials, 200 -- src-test-fixtures/src/main/resources/sipp/register-uac.xml),
# the SBC registering each address-of-record once at a SIPp PBX registrar (register-pbx.xml), then the same phones
# again (refreshes, which the SBC must absorb), then the heap the bindings take.
#
#   bench/sipp-register.sh [RATES] [USERS] [OVERLOAD]    e.g. bench/sipp-register.sh "1000 2000 4000 8000" 10000
#
# USERS can go up to about 44,000: the daemon refuses a configuration file over 3,145,728 code points (the YAML
# parser's limit), and each generated account takes a 71-character line.
#
# Generates USERS accounts (bench00001...; HA1 = md5(user:realm:password) made with md5sum) into a temporary copy of
# bench/sipp-register.yaml and an injection file for SIPp. For each rate in RATES a fresh daemon
# (sbc-core/target/sbc.jar, copied first so a concurrent build cannot swap it) and a fresh SIPp PBX are started, and:
#   first   USERS first registrations at RATE/s (each: 401 + authenticated REGISTER, the SBC registers the AOR at
#           the PBX before answering 200)
#   refresh the same USERS again at RATE/s (each: 401 + authenticated REGISTER, answered by the SBC alone)
#   memory  after the transactions have ended (Timer J, 32 s): live heap (jcmd GC.class_histogram runs a full GC)
#           before the first pass, with USERS bindings, and after removing every binding through the admin API
#           (the SBC then de-registers each AOR at the PBX)
#   again   the first registrations once more, on the now warm JVM (pass 1 includes JIT warm-up)
#   refresh2  the refreshes once more, warm
#   overload  with OVERLOAD (registrations/s): 20 s of registrations offered at that rate, beyond what the SBC
#           carries (a re-registration avalanche); a phone refused with 503 stops there, counted as failed
#   probe   5 s after the overload, 5 s at RATE: back to full service when none fails
# Printed per pass: registrations ok / attempted, SIPp's failed count, the achieved rate, the SBC's CPU time
# (utime+stime from /proc) per registration and per REGISTER transaction (two per registration), the REGISTERs
# the PBX answered so far (SIPp counts a retransmitted one again), and every non-zero registrar / security /
# relay-drop / shed counter from /metrics, and the datagrams the kernel dropped for a full receive buffer
# (system-wide, from /proc/net/snmp: every socket on the machine). "machine % busy" is from /proc/stat, which samples ticks: it under-reads
# bursty low loads and is meant as a saturation indicator only.
#
# SIPp 3.6 answers only the first WWW-Authenticate header and knows only MD5: the bench config challenges with MD5
# first (security.digest-algorithms: [MD5, SHA-256]). All phones come from SIPp's one address, as from an office
# NAT (zone "phones" is an office zone), each Contact naming a private address. Topology:
#   SIPp phones 127.0.0.10:35060 -> SBC 127.0.0.1:35060 -> SIPp PBX 127.0.0.3:35060
# Load goes to loopback only; every pass is bounded by -m (calls) and a timeout. SBC_BENCH_KEEP=1 keeps the
# temporary folder (configs, SIPp statistics and error logs, SBC logs, class histograms) and prints its path.
set -euo pipefail
RATES=${1:-1000}
USERS=${2:-10000}
OVERLOAD=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
scenarios="$top/src-test-fixtures/src/main/resources/sipp"
. "$here/sipp-bench.sh"
clk=$(getconf CLK_TCK)
realm=bench.local
token=bench-admin-token-0001
mgmt=http://127.0.0.1:39090

# ---- accounts: the SBC's users list (HA1 only) and SIPp's injection file (user;password;auth keyword)
echo "generating $USERS accounts ..."
accounts "$USERS" 'bench%05d' "$realm"

config() {  # config DATA_DIR > FILE: the bench YAML with its users and data-dir filled in, and an admin token
  awk -v dir="$1" -v token="$token" 'FNR == NR { users = users $0 "\n"; next }
      /^  users: \[\]/ { printf "  users:\n%s", users; next }
      /^data-dir:/ { print "data-dir: " dir; next }
      /^management:/ { print; print "  token: " token; next }
      { print }' "$work/users.yaml" "$here/sipp-register.yaml"
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
udp_drops() { awk '/^Udp:/ { if (seen) { print $6; exit } seen = 1 }' /proc/net/snmp; }  # RcvbufErrors
machine() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }  # busy and idle ticks, all cores
counters() {  # the non-zero registrar, security and relay-drop counters
  curl -s "$mgmt/metrics" | grep -E '^sbc_(registrar|security|relay_dropped|transport_shed)' | grep -vE ' 0\.0$' \
    | sed 's/^/    /' || true
}
live_heap() {  # live bytes after a full GC (the class histogram collects first); keeps the histogram in $2
  jcmd "$1" GC.class_histogram > "$2"
  awk '/^Total/ {print $3}' "$2"
}
pbx_registers() {  # REGISTERs the SIPp PBX answered so far (its successful calls, from its statistics file)
  sleep 2.2; tail -n 1 "$1" | awk -F';' '{print $16}'
}

run_pass() {  # run_pass NAME [RATE CALLS]: one SIPp pass (by default over every account at $rate), and its line
  local pass=$1 rate=${2:-$rate} calls=${3:-$USERS} before after start end stats attempted ok failed registers m0 m1
  local drops0 limit
  limit=$((calls / rate * 3 + 60))
  before=$(ticks "$sbc"); m0=$(machine); drops0=$(udp_drops); start=$(date +%s.%N)
  (cd "$run" && timeout $((limit + 30)) sipp -sf "$scenarios/register-uac.xml" 127.0.0.1:35060 \
      -i 127.0.0.10 -p 35060 -inf "$work/users.csv" -r "$rate" -m "$calls" -l $((rate * 4)) \
      -timeout "${limit}s" -buff_size 4194304 -nostdin -trace_stat -stf "$pass.csv" -fd 1 \
      -trace_err -error_file "$pass-errors.log" > "$pass.out" 2>&1) || true
  end=$(date +%s.%N); after=$(ticks "$sbc"); m1=$(machine)
  stats=$(tail -n 1 "$run/$pass.csv")
  attempted=$(echo "$stats" | awk -F';' '{print $13}')
  ok=$(echo "$stats" | awk -F';' '{print $16}')
  failed=$(echo "$stats" | awk -F';' '{print $18}')
  registers=$(pbx_registers "$run/pbx.csv")
  awk -v p="$pass" -v a="$attempted" -v o="$ok" -v f="$failed" -v s="$start" -v e="$end" -v b="$before" \
      -v t="$after" -v hz="$clk" -v r="$registers" \
      'BEGIN { d = e - s; n = (o > 0 ? o : 1); us = (t - b) / hz * 1e6 / n;
               printf "%-8s %5d/%-5d %7d %8.0f %11.1f %16.1f %15d\n", p, o, a, f, o / d, us, us / 2, r }'
  awk -v m="$m0 $m1" -v s="$start" -v e="$end" -v b="$before" -v t="$after" -v hz="$clk" \
      -v d="$(( $(udp_drops) - drops0 ))" \
      'BEGIN { split(m, x, " "); busy = x[3] - x[1]; idle = x[4] - x[2];
               printf "         (SBC %.2f cores, machine %.0f%% busy, %d datagrams dropped by the kernel)\n",
                 (t - b) / hz / (e - s), 100 * busy / (busy + idle), d }'
  counters
  if [ "${failed:-0}" != 0 ] && [ -f "$run/$pass-errors.log" ]; then
    echo "    SIPp errors (first 3):"; grep -m 3 -E "Aborting|unexpected|timeout" "$run/$pass-errors.log" \
      | cut -c1-200 | sed 's/^/      /' || true
  fi
}

echo "users=$USERS rates=$RATES (the SBC and both SIPps share $(nproc) cores)"
for rate in $RATES; do
  run="$work/r$rate"; mkdir -p "$run"
  config "$run/data" > "$run/sbc.yaml"
  java -Xms1g -Xmx1g -XX:+UseParallelGC ${SBC_JAVA_OPTS:-} -jar "$work/sbc.jar" run --config "$run/sbc.yaml" \
      > "$run/sbc.log" 2>&1 &
  sbc=$!; pids+=("$sbc")
  for _ in $(seq 1 150); do grep -q "SBC running" "$run/sbc.log" && break; sleep 0.2; done
  grep -q "SBC running" "$run/sbc.log" || { cat "$run/sbc.log"; exit 1; }
  # The PBX outlives the passes: four over every account, the memory pauses and the overload and its probe.
  (cd "$run" && exec timeout $(((USERS / rate * 3 + 60) * 4 + 180)) sipp -sf "$scenarios/register-pbx.xml" -i 127.0.0.3 -p 35060 \
      -deadcall_wait 0 -buff_size 4194304 -nostdin -trace_stat -stf pbx.csv -fd 1 > pbx.out 2>&1) &
  pbx=$!; pids+=("$pbx")
  sleep 0.5
  heap_empty=$(live_heap "$sbc" "$run/histo-empty.txt")

  echo
  echo "== rate $rate/s, $USERS users"
  printf '%-8s %11s %7s %8s %11s %16s %15s\n' pass ok/tried failed regs/s cpu_us/reg cpu_us/REGISTER pbx_REGs_total
  for pass in first refresh; do run_pass "$pass"; done

  # Memory: wait for the transactions of the last pass to end (Timer J = 64*T1 = 32 s), then measure.
  sleep 35
  bindings=$(curl -s "$mgmt/metrics" | awk '/^sbc_registrar_bindings_active / {print int($2)}')
  heap_full=$(live_heap "$sbc" "$run/histo-full.txt")
  # Remove every binding through the admin API (the SBC then de-registers each AOR at the PBX), so that the
  # difference leaves out what the first pass warmed up for good (caches, pools, JIT-era objects).
  tail -n +2 "$work/users.csv" | cut -d';' -f1 \
    | awk -v m="$mgmt" '{ print "url = \"" m "/admin/registrations?aor=" $1 "\""; print "output = \"/dev/null\"" }' \
    > "$run/delete.curl"
  curl -s -X DELETE -H "Authorization: Bearer $token" -K "$run/delete.curl"
  sleep 8
  left=$(curl -s "$mgmt/metrics" | awk '/^sbc_registrar_bindings_active / {print int($2)}')
  heap_removed=$(live_heap "$sbc" "$run/histo-removed.txt")
  awk -v e="$heap_empty" -v f="$heap_full" -v r="$heap_removed" -v n="$bindings" -v l="$left" \
      'BEGIN { printf "memory   live heap: %d B before, %d B with %d bindings, %d B after removing them (%d left)\n",
                 e, f, n, r, l;
               printf "         per binding: %.0f B (with - before), %.0f B (with - after removal)\n",
                 (f - e) / (n > 0 ? n : 1), (f - r) / (n > 0 ? n : 1) }'
  echo "         largest growth by class (with bindings - after removal), bytes per binding:"
  awk -v n="$bindings" 'FNR == NR && $1 ~ /:$/ { removed[$4] = $3; next }
      $1 ~ /:$/ { d = $3 - removed[$4]; if (d > 0) print d / n, $4 }' \
      "$run/histo-removed.txt" "$run/histo-full.txt" | sort -rn | head -n 12 \
      | awk '{ printf "           %7.1f  %s\n", $1, $2 }'
  echo "    after removal:"; counters
  # The same first registrations again, now with a warm JVM (the bindings and the AORs' registrations at the PBX
  # were removed, so each one is relayed to the PBX again).
  run_pass again
  run_pass refresh2
  if [ -n "$OVERLOAD" ]; then
    run_pass overload "$OVERLOAD" $((OVERLOAD * 20))
    sleep 5
    run_pass probe "$rate" $((rate * 5))
  fi

  stop_pid "$pbx"; stop_pid "$sbc"
  wait "$pbx" 2>/dev/null || true; wait "$sbc" 2>/dev/null || true
done
