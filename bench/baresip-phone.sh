#!/usr/bin/env bash
# Interop check with a real softphone: baresip (Debian package baresip) registers through the SBC as remote phone
# 1001 with digest authentication, takes a call from the PBX side and places one to the PBX, over UDP, TCP or TLS.
#
#   baresip 127.0.0.50:5070  --udp|tcp|tls-->  SBC 127.0.0.1:5060 (TLS 5061)  --udp-->  bench/fake-pbx.py 127.0.0.3:5060
#
# The SBC runs the shipped config/sbc.yaml with its data dir, management port and admin token changed by sed in a
# temporary folder; a fresh SBC, PBX and phone for each transport. Checked and printed for each transport:
#   1. baresip's registration (401 challenge, then 200 OK from the SBC);
#   2. the PBX's registration table: the SBC registered 1001 with itself as contact (sip:1001@127.0.0.1:5060),
#      from its own address, and the PBX never sees the phone's address;
#   3. the SBC's binding (GET /admin/registrations): the phone's own flow (source address and transport), the
#      one its REGISTER arrived on;
#   4. the PBX calls 1001 (INVITE sip:1001@127.0.0.1:5060 to the SBC): the SBC reaches the phone over that flow,
#      baresip answers at once (answermode=auto), the PBX hangs up with BYE after 2 s;
#   5. the phone calls the PBX (sip:200@sbc.local; 407 challenge first, From user 1001), the PBX answers and hangs
#      up after 2 s.
# Then PASS or FAIL per transport; exit code 0 only when every transport passes. The logs of a failed transport
# (baresip's SIP trace, the PBX's SIP trace, the SBC log) are kept and their folder named.
#
#   bench/baresip-phone.sh [udp|tcp|tls|all]        (default all)
#
# Environment: SBC_JAR (default sbc-core/target/sbc.jar); KEEP=1 keeps the logs of passing transports too.
#
# Notes on baresip 1.0.0 (with libre 1.1.0), as Debian ships it:
# - it dials when told through its ctrl_tcp module (the command `-e "/dial ..."` would run, but only at start-up,
#   before the registration), here once it has registered and the PBX's call to it has ended;
# - it does not bind its outgoing TCP and TLS connections to sip_listen, and binds its RTP sockets to 0.0.0.0, so
#   the kernel would send both from 127.0.0.1, the SBC's own address (and the SBC rightly drops RTP from an address
#   that neither the SDP, 127.0.0.50, nor the signalling announced); with a C compiler at hand a small LD_PRELOAD
#   shim binds them to the phone's address 127.0.0.50, as on a phone with a host of its own;
# - net_interface puts its SDP address on 127.0.0.50 too (by default it would offer the address of eth0);
# - the SBC's TLS certificate (self-signed, made at its first start) is the phone's CA via sip_cafile; but libre
#   1.1 does not check the server's certificate at all (it registers with an unrelated CA file just as well), and
#   baresip 1.0 has no sip_verify_server, so the TLS run proves the transport, not the certificate check;
# - it knows only MD5 digests and gives up (ENOSYS, "Function not implemented") at a challenge of any other
#   algorithm, wherever that stands among the challenges: the SBC is set to security.digest-algorithms: [MD5],
#   which is what an operator with such phones does.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
jar=${SBC_JAR:-$top/sbc-core/target/sbc.jar}
case "${1:-all}" in
    udp|tcp|tls) transports=("$1") ;;
    all) transports=(udp tcp tls) ;;
    *) echo "usage: $0 [udp|tcp|tls|all]" >&2; exit 2 ;;
esac
for tool in baresip python3 curl java ss; do
    command -v "$tool" > /dev/null || { echo "$tool is not installed" >&2; exit 2; }
done
[ -f "$jar" ] || { echo "$jar not found: build with mvn -B -q -DskipTests -o package" >&2; exit 2; }

PHONE_IP=127.0.0.50
PHONE_PORT=5070
MGMT_PORT=9093
TOKEN=baresip-phone-bench-$RANDOM$RANDOM$RANDOM
PASSWORD=demo-1001-change-me
work=$(mktemp -d /tmp/baresip-phone.XXXXXX)
keep_work=0
pids=()

# The SBC drains on a first SIGTERM (calls the load left would hold it for drain-timeout); a second stops it at once.
stop_all() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2> /dev/null || true
    done
    sleep 0.2
    for pid in "${pids[@]}"; do
        kill "$pid" 2> /dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2> /dev/null || true
    done
    pids=()
}
trap 'stop_all; [ "$keep_work" = 1 ] || rm -rf "$work"' EXIT

# The shim that binds baresip's outgoing TCP/TLS connections to the phone's address (see the notes above).
preload=""
if command -v gcc > /dev/null; then
    cat > "$work/bindsource.c" << 'C'
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* bind() of an IPv4 socket to the wildcard address binds it to $BIND_SOURCE_IP instead (same port). */
int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real_bind)(int, const struct sockaddr *, socklen_t);
    if (!real_bind) {
        real_bind = (int (*)(int, const struct sockaddr *, socklen_t)) dlsym(RTLD_NEXT, "bind");
    }
    const char *source = getenv("BIND_SOURCE_IP");
    if (source && addr && addr->sa_family == AF_INET && len >= (socklen_t) sizeof(struct sockaddr_in)
            && ((const struct sockaddr_in *) addr)->sin_addr.s_addr == htonl(INADDR_ANY)) {
        struct sockaddr_in local = *(const struct sockaddr_in *) addr;
        if (inet_pton(AF_INET, source, &local.sin_addr) == 1) {
            return real_bind(fd, (struct sockaddr *) &local, sizeof local);
        }
    }
    return real_bind(fd, addr, len);
}

/* connect() of an unbound IPv4 stream socket first binds it to $BIND_SOURCE_IP, port chosen by the kernel. */
int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real_connect)(int, const struct sockaddr *, socklen_t);
    if (!real_connect) {
        real_connect = (int (*)(int, const struct sockaddr *, socklen_t)) dlsym(RTLD_NEXT, "connect");
    }
    const char *source = getenv("BIND_SOURCE_IP");
    int type = 0;
    socklen_t type_len = sizeof type;
    if (source && addr && addr->sa_family == AF_INET
            && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) == 0 && type == SOCK_STREAM) {
        struct sockaddr_in local;
        socklen_t local_len = sizeof local;
        if (getsockname(fd, (struct sockaddr *) &local, &local_len) == 0 && local.sin_port == 0) {
            memset(&local, 0, sizeof local);
            local.sin_family = AF_INET;
            if (inet_pton(AF_INET, source, &local.sin_addr) == 1) {
                bind(fd, (struct sockaddr *) &local, sizeof local);  /* the bind() above */
            }
        }
    }
    return real_connect(fd, addr, len);
}
C
    if gcc -shared -fPIC -O2 -o "$work/bindsource.so" "$work/bindsource.c" -ldl 2> "$work/bindsource.err"; then
        preload=$work/bindsource.so
    fi
fi
[ -n "$preload" ] || echo "note: no C compiler: baresip's TCP/TLS connections and RTP come from 127.0.0.1 (see the notes)"

# wait_for FILE REGEX SECONDS: whether REGEX (grep -E) shows up in FILE within SECONDS.
wait_for() {
    local deadline=$((SECONDS + $3))
    while [ $SECONDS -le $deadline ]; do
        grep -aqE "$2" "$1" 2> /dev/null && return 0
        sleep 0.2
    done
    return 1
}

# wait_count FILE REGEX N SECONDS: whether N lines match REGEX in FILE within SECONDS.
wait_count() {
    local deadline=$((SECONDS + $4))
    while [ $SECONDS -le $deadline ]; do
        [ "$(grep -acE "$2" "$1" 2> /dev/null)" -ge "$3" ] && return 0
        sleep 0.2
    done
    return 1
}

# ctrl PORT COMMAND [PARAMS]: one command to baresip's ctrl_tcp module (a JSON netstring).
ctrl() {
    python3 - "$PHONE_IP" "$@" << 'PY'
import json, socket, sys
host, port, command = sys.argv[1], int(sys.argv[2]), sys.argv[3]
params = sys.argv[4] if len(sys.argv) > 4 else ""
data = json.dumps({"command": command, "params": params, "token": command}).encode()
with socket.create_connection((host, port), timeout=3) as s:
    s.sendall(b"%d:%s," % (len(data), data))
    try:
        s.recv(4096)
    except OSError:
        pass
PY
}

# trace_line LOG TRANSPORT REGEX: the "TP src -> dst" line libre's SIP trace (-s) prints above the first message
# whose start line matches REGEX.
trace_line() {
    sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -aE -B1 "$3" | grep -aE "^$2 [0-9.]+:[0-9]+ -> " | head -1
}

# port_busy PROTO PORT: whether something on this machine listens on PORT already.
port_busy() {
    if [ "$1" = udp ]; then ss -Hlun "sport = :$2" 2> /dev/null | grep -q .; else ss -Hltn "sport = :$2" 2> /dev/null | grep -q .; fi
}

run_transport() {
    local tp=$1 dir=$work/$1 sbc_port=5060 ok=1 ctrl_port TP
    TP=$(echo "$tp" | tr a-z A-Z)
    ctrl_port=$((4480 + RANDOM % 400))
    [ "$tp" = tls ] && sbc_port=5061
    mkdir -p "$dir/baresip"
    echo "=== $tp: baresip $PHONE_IP:$PHONE_PORT --$tp--> SBC 127.0.0.1:$sbc_port --udp--> PBX 127.0.0.3:5060"

    local busy=""
    port_busy udp 5060 && busy+=" udp/5060"
    port_busy tcp 5060 && busy+=" tcp/5060"
    port_busy tcp 5061 && busy+=" tcp/5061"
    port_busy tcp $MGMT_PORT && busy+=" tcp/$MGMT_PORT"
    if [ -n "$busy" ]; then
        echo "$tp: FAIL: ports already in use on this machine:$busy (another SBC or test running?)"
        return 1
    fi

    sed -e "s#data-dir: ../data#data-dir: $work/data#" -e "s#port: 9090#port: $MGMT_PORT#" \
        -e "s#token: null#token: $TOKEN#" -e "s#digest-algorithms: \[SHA-256, MD5\]#digest-algorithms: [MD5]#" \
        "$top/config/sbc.yaml" > "$dir/sbc.yaml"
    java -jar "$jar" run --config "$dir/sbc.yaml" > "$dir/sbc.log" 2>&1 &
    pids+=($!)
    if ! wait_for "$dir/sbc.log" "SBC running" 30; then
        echo "$tp: FAIL: the SBC did not start"; tail -20 "$dir/sbc.log"
        finish_transport "$tp" "$dir" "" 0
        return 1
    fi

    python3 "$here/fake-pbx.py" --duration 60 --hidden "$PHONE_IP" --trace > "$dir/pbx.out" 2> "$dir/pbx-trace.log" &
    pids+=($!)
    if ! wait_for "$dir/pbx.out" "listening" 5; then
        echo "$tp: FAIL: the fake PBX did not start"; cat "$dir/pbx.out" "$dir/pbx-trace.log"
        finish_transport "$tp" "$dir" "" 0
        return 1
    fi

    local tls_line=""
    [ "$tp" = tls ] && tls_line="sip_cafile		$work/data/tls/sbc-cert.pem"
    cat > "$dir/baresip/config" << CONFIG
poll_method		epoll
sip_listen		$PHONE_IP:$PHONE_PORT
net_interface		$PHONE_IP
$tls_line
audio_source		ausine,440
audio_player		aufile,/dev/null
ausrc_srate		48000
ausrc_channels		2
auplay_srate		48000
rtcp_mux		no
module_path		/usr/lib/baresip/modules
module			g711.so
module			ausine.so
module			aufile.so
module_app		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		$PHONE_IP:$ctrl_port
CONFIG
    echo "<sip:1001@sbc.local;transport=$tp>;auth_pass=$PASSWORD;outbound=\"sip:127.0.0.1:$sbc_port;transport=$tp\";regint=60;answermode=auto;audio_codecs=PCMU" \
        > "$dir/baresip/accounts"
    # -s: SIP trace, -v: verbose; -t: a bound on the run time in case the quit command never arrives.
    (cd "$dir/baresip" && exec env ${preload:+LD_PRELOAD=$preload BIND_SOURCE_IP=$PHONE_IP} \
        baresip -f "$dir/baresip" -v -s -t 50 > "$dir/baresip.log" 2>&1) &
    pids+=($!)

    # 1. Registration, answered by the SBC.
    wait_for "$dir/baresip.log" "\{0/$TP/v4\} [0-9]{3}|reg: .*(Register|failed)" 15
    local reg
    reg=$(sed 's/\x1b\[[0-9;]*m//g' "$dir/baresip.log" | grep -aE "\{0/$TP/v4\} [0-9]{3}|reg: .*(Register|failed)" | head -1)
    echo "baresip registration: ${reg:-no answer}"
    if ! grep -q " 200 OK" <<< "$reg"; then
        ok=0
        local challenge
        challenge=$(grep -aE "^(WWW|Proxy)-Authenticate:" "$dir/baresip.log" | sed 's/nonce="[^"]*"/nonce="..."/' |
            awk '!seen[$0]++')
        [ -n "$challenge" ] && echo "  the SBC's challenge was:" && echo "$challenge" | sed 's/^/    /'
        if grep -q "Function not implemented" <<< "$reg" && grep -qiE "algorithm=\"?(SHA|[^M\"])" <<< "$challenge"; then
            echo "  baresip 1.0 (libre 1.1) knows only MD5 digests and gives up (ENOSYS) at any challenge of another"
            echo "  algorithm, wherever it stands among the challenges; it needs a challenge offering MD5 alone"
        fi
    fi

    # 2. The SBC registered the AOR at the PBX itself, with itself as contact.
    wait_for "$dir/pbx.out" "PBX registration table: 1001 -> " 5
    local table
    table=$(grep -m1 "PBX registration table: 1001 -> " "$dir/pbx.out")
    echo "${table:-PBX registration table: (no REGISTER from the SBC)}"
    if ! grep -qE "1001 -> <sip:1001@127\.0\.0\.1(:5060)?[;>].* from 127\.0\.0\.1:[0-9]+" <<< "$table"; then
        ok=0; echo "  FAIL: the PBX's binding does not point at the SBC (127.0.0.1:5060)"
    fi

    # 3. The SBC's binding is the phone's flow: where the phone's REGISTER came from, over this transport.
    local flow binding
    flow=$(trace_line "$dir/baresip.log" "$TP" "^REGISTER " | awk '{print $2}')
    binding=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$MGMT_PORT/admin/registrations" |
        python3 -c '
import json, sys
try:
    regs = json.load(sys.stdin)["registrations"]
except Exception as e:
    print("admin API: unreadable answer (%s)" % e); sys.exit()
if not regs:
    print("admin API: no binding")
for r in regs:
    print("admin API binding: aor=%s source=%s transport=%s contact=%s zone=%s"
          % (r["aor"], r["source"], r["transport"], r["contact"], r["zone"]))')
    echo "$binding"
    echo "  (baresip's REGISTER went out from ${flow:-?})"
    if ! grep -qE "aor=[^ ]*1001[^ ]* source=${flow:-none} transport=$tp " <<< "$binding" || [ "${flow%:*}" != "$PHONE_IP" ]; then
        ok=0; echo "  FAIL: expected the binding of 1001 to be the phone's own flow $PHONE_IP:<port> over $tp"
    fi

    if ! grep -q " 200 OK" <<< "$reg"; then
        echo "PBX: call to 1001: skipped, the phone is not registered"
        echo "PBX: call from 1001: skipped, the phone is not registered"
        finish_transport "$tp" "$dir" "$ctrl_port" 0
        return $?
    fi

    # 4. The PBX calls 1001 at the SBC; the SBC sends the INVITE over the phone's flow; baresip answers.
    if wait_for "$dir/pbx.out" "PBX: call to 1001 (answered|failed)|call to 1001 not placed|INVITE to .* timed out" 15; then
        grep -m1 -E "PBX: call to 1001 (answered|failed)|not placed|timed out" "$dir/pbx.out"
    else
        echo "PBX: call to 1001: no final answer"
    fi
    local inbound
    inbound=$(trace_line "$dir/baresip.log" "$TP" "^INVITE sip:1001")
    echo "  (the SBC's INVITE reached baresip as: ${inbound:-not at all})"
    if [ -n "$flow" ] && ! grep -qE " -> $flow\$" <<< "$inbound"; then
        ok=0; echo "  FAIL: the INVITE did not come over the flow the phone registered on ($flow)"
    fi
    if ! grep -q "PBX: call to 1001 answered (200)" "$dir/pbx.out"; then
        ok=0
    elif wait_for "$dir/pbx.out" "BYE to 1001 answered" 10; then
        grep -m1 "BYE to 1001 answered" "$dir/pbx.out" | sed 's/^/  /'
        grep -q "BYE to 1001 answered (200" "$dir/pbx.out" || ok=0
    else
        ok=0; echo "  FAIL: the PBX's BYE got no answer"
    fi

    # 5. The phone calls the PBX, after its registration and the end of the PBX's call.
    ctrl "$ctrl_port" dial "sip:200@sbc.local" 2> /dev/null || echo "  (the dial command could not be sent)"
    if wait_for "$dir/pbx.out" "PBX: call from " 15; then
        grep -m1 "PBX: call from " "$dir/pbx.out"
    else
        local failure
        failure=$(sed 's/\x1b\[[0-9;]*m//g' "$dir/baresip.log" | grep -aE "session closed|call: .*failed" | tail -1)
        echo "PBX: no call from 1001${failure:+ (baresip: $failure)}"
    fi
    if ! grep -q "PBX: call from 1001 answered" "$dir/pbx.out"; then
        ok=0
    elif wait_count "$dir/pbx.out" "BYE (to|from) 1001 answered" 2 10; then
        grep -E "BYE (to|from) 1001 answered" "$dir/pbx.out" | sed -n 2p | sed 's/^/  /'
        [ "$(grep -cE "BYE (to|from) 1001 answered \(200" "$dir/pbx.out")" -ge 2 ] || ok=0
    else
        ok=0; echo "  FAIL: the call from 1001 did not end with an answered BYE"
    fi
    sed 's/\x1b\[[0-9;]*m//g' "$dir/baresip.log" | grep -aE "Call established" | sed 's/^/  baresip: /'
    # Not part of the verdict: the SBC's media counters of both calls.
    curl -s "http://127.0.0.1:$MGMT_PORT/metrics" | grep -E "^sbc_media_(packets|bytes)" | grep -v " 0.0$" | sed 's/^/  SBC: /'
    finish_transport "$tp" "$dir" "$ctrl_port" $ok
}

# finish_transport TRANSPORT DIR CTRL_PORT OK: stops baresip, the PBX and the SBC, prints the verdict.
finish_transport() {
    local tp=$1 dir=$2 ok=$4
    [ -n "$3" ] && { ctrl "$3" quit 2> /dev/null || true; sleep 1; }
    stop_all
    # Not part of the verdict, but worth knowing: what the PBX should never have seen.
    grep -s "PBX: warning" "$dir/pbx.out" | sed 's/^/  /'
    grep -s "PBX: stopping" "$dir/pbx.out" | sed 's/^/  /'
    if [ "$ok" = 1 ]; then
        echo "$tp: PASS"
        return 0
    fi
    echo "$tp: FAIL (logs: $dir/baresip.log with baresip's SIP trace, $dir/pbx-trace.log, $dir/sbc.log)"
    keep_work=1
    return 1
}

failed=0
for tp in "${transports[@]}"; do
    run_transport "$tp" || failed=1
done
[ "${KEEP:-0}" = 1 ] && keep_work=1
[ "$keep_work" = 1 ] && echo "logs kept in $work"
if [ $failed = 0 ]; then
    echo "baresip interop: PASS (${transports[*]})"
else
    echo "baresip interop: FAIL"
fi
exit $failed
