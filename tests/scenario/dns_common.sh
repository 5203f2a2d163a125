# dns_common.sh -- sourced by the DNS scenario tests: a database filled
# through the nodedb API, a `btcseed serve` on loopback, and helpers.
set -euo pipefail
: "${BTCSEED:?}" "${BTCSEED_BUILD:?}"
ZONE=seed.example.org
WORK=$(mktemp -d)
chmod 755 "$WORK"
SERVE_PIDS=()
cleanup() {
  for p in "${SERVE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$WORK"/*.log; do [ -f "$f" ] && sed 's/^/  log: /' "$f" >&2; done; exit 1; }
pass() { echo "ok: $*"; }

# make_db GOOD [IPV6_PERCENT [BAD]]: $WORK/nodes.db and $WORK/manifest.txt
make_db() {
  "$BTCSEED_BUILD/dns_mkdb" "$WORK/nodes.db" "$@" > "$WORK/manifest.txt"
}

# start_serve NAME IP PORT [EXTRA ARGS...]: starts serve and waits for it to answer.
start_serve() {
  local name=$1 ip=$2 port=$3
  shift 3
  local listen="$ip:$port"
  case "$ip" in *:*) listen="[$ip]:$port" ;; esac
  "$BTCSEED" serve --db "$WORK/nodes.db" --zone "${SERVE_ZONE:-$ZONE}" --ns "${SERVE_NS:-ns.example.net}" \
    --mbox "${SERVE_MBOX:-hostmaster@example.org}" --listen "$listen" --threads 2 "$@" \
    > "$WORK/$name.log" 2>&1 &
  SERVE_PIDS+=($!)
  for _ in $(seq 100); do
    if dig +time=1 +tries=1 @"$ip" -p "$port" "${SERVE_ZONE:-$ZONE}" SOA > /dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  fail "serve $name did not come up"
}

# good_addr ADDR: true if ADDR is a good node of the manifest.
good_addr() { grep -q "^$1 [0-9a-f]* 1\$" "$WORK/manifest.txt"; }

# check_threads PID UID CAP_HEX SET...: every thread of PID (main, UDP, TCP:
# capabilities are per thread) runs as UID with each capability SET (CapEff,
# CapBnd...) equal to CAP_HEX. Sets THREADS to how many were checked.
check_threads() {
  local pid=$1 uid=$2 want=$3 status set v
  shift 3
  THREADS=0
  for status in /proc/$pid/task/*/status; do
    THREADS=$((THREADS + 1))
    v=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "$status")
    [ "$v" = "$uid $uid $uid $uid" ] || fail "$status: uid $v (want $uid)"
    for set in "$@"; do
      v=$(awk -v s="$set:" '$1 == s {print $2}' "$status")
      [ "$v" = "$want" ] || fail "$status: $set $v (want $want)"
    done
  done
  [ $THREADS -ge 4 ] || fail "only $THREADS threads of $pid (want main, 2 UDP, TCP)"
}

# unbound_server_conf LISTEN_PORT QUERY_PORT VERBOSITY: the `server:` part of
# an unbound.conf for a resolver on 127.0.0.1@LISTEN_PORT, in the foreground,
# logging to $WORK/unbound.log, that may query servers on loopback (on
# QUERY_PORT when it learns their addresses from the DNS).
unbound_server_conf() {
  cat <<CONF
server:
  interface: 127.0.0.1@$1
  port: $2
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$WORK"
  pidfile: ""
  use-syslog: no
  logfile: "$WORK/unbound.log"
  verbosity: $3
  do-ip6: no
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
CONF
}
