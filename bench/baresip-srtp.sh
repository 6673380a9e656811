#!/usr/bin/env bash
# Interop check with a real SRTP user agent: baresip (Debian package baresip) calls through the SBC with SRTP
# (SDES, AES_CM_128_HMAC_SHA1_80) on the trunk side, while the PBX side is SIPp's UAS on plain RTP echoing the
# audio back. Prints baresip's audio bit rates (sent/received: both near 64000 when audio flows both ways) and the
# SBC's media counters. Everything runs on loopback and stops after SECONDS (default 10).
#
#   bench/baresip-srtp.sh [SECONDS]
set -euo pipefail
SECONDS_TO_TALK=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
work=$(mktemp -d)
# The SBC drains on a first SIGTERM (calls the load left would hold it for drain-timeout); a second stops it at once.
stop_pid() { kill "$1" 2>/dev/null || return 0; sleep 0.2; kill "$1" 2>/dev/null || true; }
trap 'for p in $(jobs -p); do stop_pid "$p"; done; rm -rf "$work"' EXIT

sed -e "s#data-dir: ../data#data-dir: $work/data#" -e '0,/srtp: off/s//srtp: required/' -e 's#port: 9090#port: 9091#' \
    "$top/config/sbc.yaml" > "$work/sbc.yaml"
mkdir -p "$work/baresip"
cat > "$work/baresip/config" <<CONFIG
poll_method		epoll
sip_listen		127.0.0.2:5062
audio_source		ausine,440
ausrc_srate		48000
ausrc_channels		2
auplay_srate		48000
rtcp_mux		no
module_path		/usr/lib/baresip/modules
module			g711.so
module			ausine.so
module			srtp.so
module			sndfile.so
module_app		account.so
module_app		menu.so
CONFIG
echo '<sip:caller@127.0.0.2:5062;transport=udp>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU' \
    > "$work/baresip/accounts"

java -jar "$top/sbc-core/target/sbc.jar" run --config "$work/sbc.yaml" > "$work/sbc.log" 2>&1 &
for _ in $(seq 1 100); do grep -q "SBC running" "$work/sbc.log" && break; sleep 0.2; done
# exec: the background job is timeout itself, which passes the trap's TERM on to SIPp.
(cd "$work" && exec timeout $((SECONDS_TO_TALK + 30)) sipp -sn uas -i 127.0.0.3 -p 5060 -m 1 -rtp_echo -nostdin \
    > /dev/null 2>&1) &
sleep 0.5
(cd "$work/baresip" && timeout $((SECONDS_TO_TALK + 20)) baresip -f "$work/baresip" \
    -e "/dial sip:5551234@127.0.0.1:5060" -t "$SECONDS_TO_TALK" > "$work/baresip.log" 2>&1) || true
grep -E "SRTP is Enabled|Call established" "$work/baresip.log" || true
grep -oE "audio=[0-9]+/[0-9]+ \(bit/s\)" "$work/baresip.log" | tail -1 | sed 's#^#baresip sent/received: #'
curl -s http://127.0.0.1:9091/metrics | grep -E "^sbc_media_(packets|bytes)" | grep -v " 0.0$"
