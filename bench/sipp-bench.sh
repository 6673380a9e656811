# Sourced by the SIPp benches (sipp-register.sh, soak.sh), after they set $top: a temporary working folder with a
# copy of the daemon's jar (so a concurrent build cannot swap it), the PIDs the bench starts, and their stop on exit.
# SBC_BENCH_KEEP=1 keeps the folder (configs, logs, SIPp statistics) and prints its path.
[ -f "$top/sbc-core/target/sbc.jar" ] || { echo "build first: mvn -B -o -q package -DskipTests" >&2; exit 2; }
work=$(mktemp -d)
pids=()
# The SBC drains on a first SIGTERM (calls the load left would hold it for drain-timeout); a second stops it at once.
stop_pid() { kill "$1" 2>/dev/null || return 0; sleep 0.2; kill "$1" 2>/dev/null || true; }
cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
  wait 2>/dev/null || true
  if [ -n "${SBC_BENCH_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cp "$top/sbc-core/target/sbc.jar" "$work/sbc.jar"

accounts() {  # accounts COUNT NAME_FORMAT REALM: SIPp's injection file users.csv and the SBC's users.yaml in $work
  # users.csv, one phone a line: user;password;the [authentication ...] keyword written out (see register-uac.xml).
  {
    echo SEQUENTIAL
    for i in $(seq 1 "$1"); do
      u=$(printf "$2" "$i"); p="pw-$u-$RANDOM"
      echo "$u;$p;[authentication username=$u password=$p]"
    done
  } > "$work/users.csv"
  # users.yaml: the matching security.users entries, HA1 only (md5(user:realm:password)).
  tail -n +2 "$work/users.csv" | while IFS=';' read -r u p _; do
    printf '    - {user: "%s", ha1-md5: %s}\n' "$u" "$(printf '%s' "$u:$3:$p" | md5sum | cut -d' ' -f1)"
  done > "$work/users.yaml"
}
