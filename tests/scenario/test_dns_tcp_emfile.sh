#!/bin/bash
# Out of file descriptors (in `btcseed run` the crawler may hold nearly all
# of them): the DNS TCP thread cannot accept, pauses accepting instead of
# spinning on the still-readable listener, logs it once in a while rather
# than per attempt, and serves again once descriptors are free.
. "$(dirname "$0")/dns_common.sh"
make_db 50 30
PORT=5397
prlimit --nofile=64:64 "$BTCSEED" serve --db "$WORK/nodes.db" --zone "$ZONE" \
  --ns ns.example.net --mbox hostmaster@example.org --listen 127.0.0.1:$PORT --threads 2 \
  --tcp-max 1000 --tcp-idle 60 > "$WORK/emfile.log" 2>&1 &
pid=$!
SERVE_PIDS+=($pid)
for _ in $(seq 100); do
  dig +time=1 +tries=1 @127.0.0.1 -p $PORT "$ZONE" SOA > /dev/null 2>&1 && break
  sleep 0.1
done

# Hold 100 connections: the server runs out of descriptors part-way.
mkfifo "$WORK/hold"
/usr/bin/python3 - "$PORT" "$WORK/hold" <<'PY' &
import socket, sys
port, hold = int(sys.argv[1]), sys.argv[2]
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
open(hold).read()  # until the test closes the fifo
PY
holder=$!
SERVE_PIDS+=($holder)
exec 3> "$WORK/hold"
sleep 1
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }
before=$(cpu)
sleep 2
used=$(( $(cpu) - before ))
ticks=$(getconf CLK_TCK)
[ "$(ls /proc/$pid/fd | wc -l)" -ge 60 ] || fail "the server never ran out of descriptors"
[ "$used" -lt $((ticks / 2)) ] ||
  fail "serve used $used/$ticks s of CPU in 2 s while out of descriptors (busy loop)"
pass "out of descriptors: $used/$ticks s of CPU in 2 s"
warnings=$(grep -c "accept" "$WORK/emfile.log" || true)
[ "$warnings" -le 5 ] || fail "$warnings accept warnings in 3 s: $(grep accept "$WORK/emfile.log" | sort | uniq -c | head -3)"
pass "$warnings accept warning(s) logged"

exec 3>&-
wait $holder || true
out=""
for _ in $(seq 30); do
  out=$(dig +tcp +time=1 +tries=1 @127.0.0.1 -p $PORT "$ZONE" SOA 2>&1) && break
  sleep 0.2
done
echo "$out" | grep -q "status: NOERROR" || fail "TCP does not answer once descriptors are free: $out"
pass "TCP answers again once descriptors are free"
kill $pid
wait $pid || fail "serve did not exit cleanly on SIGTERM"
