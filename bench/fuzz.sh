#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read untrusted input (Jazzer, JUnit @FuzzTest), one target at a time.
#
#   bench/fuzz.sh [--duration 5m] [TARGET...]      e.g. bench/fuzz.sh --duration 1h gate framer
#
# Targets: gate (gate, then the relay's SipMessageView and SipMessageWriter), framer (the TCP stream framer fed in
# fragments), sdp (SDP parsing and rewriting), digest (digest credentials and the authenticator); default: all.
# Each target runs niced until a timeout of the duration plus two minutes (the build and the Jazzer agent's start
# come first) stops it; the @FuzzTest maxDuration, 1h, is the longest run. Inputs that crash are written the moment
# they are found and the corpus as it grows, so the stop loses nothing. The gate and framer corpora are seeded
# with the RFC 4475 vectors from shared/rfc4475 (never copied into the repository). A finding is written by Jazzer
# as crash-*/timeout-* under the target's src/test/resources/.../<Class>Inputs/<method>/ folder, with the stack
# trace in the output: fix it and commit the input, which `mvn verify` then replays on every build (regression
# mode). The corpus grown by a run stays in
# <module>/.cifuzz-corpus/ (ignored by git) and is reused by the next run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
duration=5m
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(gate framer sdp digest)

# module, test class, method
declare -A where=(
  [gate]="sbc-transport org.edgesbc.transport.SipMessagePathFuzzTest gateThenView"
  [framer]="sbc-transport org.edgesbc.transport.SipMessagePathFuzzTest streamFramer"
  [sdp]="sbc-core org.edgesbc.core.sdp.SdpFuzzTest parseAndRewrite"
  [digest]="sbc-policy org.edgesbc.policy.auth.DigestFuzzTest credentials"
)
seconds() {
  case "$1" in
    *h) echo $(( ${1%h} * 3600 )) ;; *m) echo $(( ${1%m} * 60 )) ;; *s) echo "${1%s}" ;; *) echo "$1" ;;
  esac
}
limit=$(( $(seconds "$duration") + 120 ))
rfc4475=${RFC4475_DIR:-$top/../shared/rfc4475}
# The heap is capped so that the JVM's own growth stays under libFuzzer's 2 GB resident-size limit, which it
# would otherwise report as an out-of-memory "crash" of whatever input ran at that moment.

for target in "${targets[@]}"; do
  [ -n "${where[$target]:-}" ] || { echo "unknown target $target (gate, framer, sdp, digest)" >&2; exit 2; }
  read -r module class method <<< "${where[$target]}"
  corpus="$top/$module/.cifuzz-corpus/$class/$method"
  mkdir -p "$corpus"
  if [ "$target" = gate ] || [ "$target" = framer ]; then
    [ -f "$rfc4475/wsinv.msg" ] || { echo "no RFC 4475 vectors in $rfc4475 (set RFC4475_DIR)" >&2; exit 2; }
    for vector in "$rfc4475"/*.msg; do cp "$vector" "$corpus/rfc4475-$(basename "$vector" .msg)"; done
  fi
  echo "== $target: $class#$method for $duration"
  log="$top/$module/target/fuzz-$target.log"
  mkdir -p "$(dirname "$log")"
  set +e
  (cd "$top" && JAZZER_FUZZ=1 timeout "$limit" nice -n 10 mvn -B -o -q -pl "$module" -am test \
      -Dtest="$class#$method" -Dsurefire.failIfNoSpecifiedTests=false \
      -Dtest.jvm.args="-Xmx1g -Dio.netty.leakDetection.level=paranoid") > "$log" 2>&1
  status=$?
  set -e
  grep -aE '^#[0-9]+.*(DONE|cov:)' "$log" | tail -1 || true
  grep -aE 'Done [0-9]+ runs|== Java Exception|crash-|timeout-' "$log" | head -5 || true
  # 124: stopped by the timeout, the normal end of a run.
  echo "   exit $status, full output: $log"
done
