#!/bin/bash
# `btcseed serve` without root: user nobody holding CAP_NET_BIND_SERVICE and
# nothing else (setpriv, as systemd's AmbientCapabilities= would start it)
# binds port 53 and answers; every thread's effective set is that one
# capability. The database belongs to root, beside a writer that keeps it
# open, as `btcseed crawl` does in a real deployment.
. "$(dirname "$0")/dns_common.sh"
make_db 200 30
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)
# CAP_NET_BIND_SERVICE is capability 10.
BIND_ONLY=0000000000000400
[ "$(stat -c %U:%a "$WORK" "$WORK/nodes.db" | tr '\n' ' ')" = "root:755 root:644 " ] ||
  fail "database setup: $(stat -c '%n %U %a' "$WORK" "$WORK/nodes.db")"

# setpriv execs btcseed, so $! is the server's pid.
bind_only=(setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups
  --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service
  --bounding-set=-all,+net_bind_service)
serve_args=(serve --db "$WORK/nodes.db" --zone "$ZONE" --ns ns.example.net
  --mbox hostmaster@example.org --listen 127.0.0.1:53 --threads 2 --reload 1)

# Control: the same user without the capability cannot bind port 53.
if timeout 5 setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups --inh-caps=-all \
  --bounding-set=-all "$BTCSEED" "${serve_args[@]}" > "$WORK/nocap.log" 2>&1; then
  fail "serve as nobody without CAP_NET_BIND_SERVICE did not fail"
fi
grep -q "127.0.0.1:53: Permission denied" "$WORK/nocap.log" || fail "no word of port 53 when the bind failed: $(cat "$WORK/nocap.log")"
pass "without the capability, nobody cannot bind port 53: $(head -1 "$WORK/nocap.log")"

"${bind_only[@]}" "$BTCSEED" "${serve_args[@]}" > "$WORK/caps.log" 2>&1 &
pid=$!
SERVE_PIDS+=($pid)
for _ in $(seq 50); do
  dig +time=1 +tries=1 @127.0.0.1 -p 53 "$ZONE" SOA > /dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || fail "serve with CAP_NET_BIND_SERVICE exited"
  sleep 0.1
done
dig +time=1 +tries=1 @127.0.0.1 "$ZONE" SOA | grep -q "status: NOERROR" ||
  fail "serve with CAP_NET_BIND_SERVICE does not answer on port 53"

check_threads $pid "$nobody_uid" $BIND_ONLY CapEff CapPrm CapBnd CapAmb
gid=$(awk '/^Gid:/ {print $2, $3, $4, $5}' /proc/$pid/status)
[ "$gid" = "$nobody_gid $nobody_gid $nobody_gid $nobody_gid" ] || fail "gid $gid"
pass "all $THREADS threads run as uid $nobody_uid with CapEff/CapPrm/CapBnd/CapAmb = cap_net_bind_service only"

# Nobody cannot create the database's -wal/-shm files: serve says why and
# keeps answering (NODATA), then picks the nodes up once a writer has the
# database open (what `btcseed crawl` beside it does).
grep -q "without its -wal and -shm files" "$WORK/caps.log" ||
  fail "no explanation why the database could not be opened: $(cat "$WORK/caps.log")"
out=$(dig +norecurse @127.0.0.1 "$ZONE" A)
echo "$out" | grep -q "status: NOERROR" || fail "A before the writer: $out"
mkfifo "$WORK/writer.in"
sqlite3 "$WORK/nodes.db" < "$WORK/writer.in" > /dev/null &
SERVE_PIDS+=($!)
exec 3> "$WORK/writer.in"
echo 'SELECT COUNT(*) FROM nodes;' >&3
for _ in $(seq 50); do
  [ -n "$(dig +short @127.0.0.1 "$ZONE" A)" ] && break
  sleep 0.1
done
[ "$(stat -c %U "$WORK/nodes.db-shm")" = root ] || fail "-shm not made by the writer"

for proto in +notcp +tcp; do
  for type in A AAAA; do
    addrs=$(dig $proto +norecurse @127.0.0.1 -p 53 +short "$ZONE" $type)
    [ "$(echo "$addrs" | grep -c .)" -ge 10 ] || fail "$type $proto on port 53: '$addrs'"
    for a in $addrs; do good_addr "$a" || fail "$type $proto: $a is not a good node"; done
  done
done
pass "dig on port 53 (UDP and TCP): A and AAAA answers, all good nodes"
exec 3>&-

kill $pid
wait $pid || fail "serve did not exit cleanly on SIGTERM"
echo "all capability checks passed"
