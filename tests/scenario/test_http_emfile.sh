# Out of file descriptors, the status server pauses accepting for a second
# instead of spinning on its still-readable listener, warns once in a while,
# and serves again once descriptors are free.
set -eu
work=$(mktemp -d)
pids=
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$BTCSEED" crawl --once --no-seeds --db "$work/n.db" --no-progress > /dev/null 2>&1 || fail "db"
prlimit --nofile=64:64 "$BTCSEED" status --db "$work/n.db" --http 127.0.0.1:8091 \
  > "$work/status.log" 2>&1 &
pid=$!
pids="$pids $pid"
for _ in $(seq 50); do curl -s http://127.0.0.1:8091/metrics > /dev/null 2>&1 && break; sleep 0.1; done

mkfifo "$work/hold"
/usr/bin/python3 - "$work/hold" <<'PY' &
import socket, sys
conns = [socket.create_connection(("127.0.0.1", 8091)) for _ in range(100)]
open(sys.argv[1]).read()  # until the test closes the fifo
PY
holder=$!
pids="$pids $holder"
exec 3> "$work/hold"
sleep 1
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }
before=$(cpu)
sleep 2
used=$(( $(cpu) - before ))
ticks=$(getconf CLK_TCK)
[ "$(ls /proc/$pid/fd | wc -l)" -ge 60 ] || fail "the server never ran out of descriptors"
[ "$used" -lt $((ticks / 2)) ] || fail "status used $used/$ticks s of CPU in 2 s (busy loop)"
warnings=$(grep -c "accept" "$work/status.log" || true)
[ "$warnings" -le 5 ] || fail "$warnings accept warnings: $(head -c 500 "$work/status.log")"
exec 3>&-
wait $holder || true
for _ in $(seq 30); do curl -sf http://127.0.0.1:8091/metrics > /dev/null && break; sleep 0.3; done
curl -sf http://127.0.0.1:8091/metrics | grep -q btcseed_build_info || fail "no answer once descriptors are free"
echo "PASS: out of descriptors: $used/$ticks s of CPU in 2 s, $warnings warning(s); serves again after"
