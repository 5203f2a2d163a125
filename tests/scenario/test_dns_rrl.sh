#!/bin/bash
# Response rate limiting: a flood from one /24 is mostly dropped (some
# responses slip out truncated), while a client in another prefix keeps
# getting every answer; a slipped client retries over TCP and gets through.
. "$(dirname "$0")/dns_common.sh"
make_db 200 30
start_serve main 127.0.0.1 5341 --rrl-rate 50 --rrl-slip 4
/usr/bin/python3 - <<'PY' || fail "rate limiting"
import select, socket, threading, time
import dns.message, dns.query, dns.flags

q = dns.message.make_query("seed.example.org.", "A").to_wire()
got = {"answers": 0, "tc": 0}
flood = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flood.bind(("127.0.0.1", 0))
stop = time.time() + 2.0

def receive():
    while True:
        if not select.select([flood], [], [], 0.3)[0]:
            if time.time() > stop:
                return
            continue
        data = flood.recv(2048)
        if data[2] & 0x02:
            got["tc"] += 1
        else:
            got["answers"] += 1

t = threading.Thread(target=receive)
t.start()
sent = 0
other_ok = 0
while time.time() < stop:
    for _ in range(500):
        flood.sendto(q, ("127.0.0.1", 5341))
        sent += 1
    # Another prefix (127.0.1.0/24) asks now and then: always answered in full.
    try:
        r = dns.query.udp(dns.message.make_query("seed.example.org.", "A"), "127.0.0.1",
                          port=5341, source="127.0.1.9", timeout=2)
    except Exception as e:
        raise SystemExit("other client: %r after %d sent, %s" % (e, sent, got))
    assert not r.flags & dns.flags.TC and r.answer, "other client limited"
    other_ok += 1
    time.sleep(0.1)  # ~10 queries per second: well under its own budget
t.join()
print("flood sent %d, answered %d, slipped (TC) %d; other client %d/%d answered"
      % (sent, got["answers"], got["tc"], other_ok, other_ok))
assert sent > 2000, sent
assert got["answers"] <= 50 * 3 + 10, got      # the budget: 50/s over ~2-3 s windows
assert got["tc"] > 0, got
assert got["answers"] + got["tc"] < sent / 2, got
# A slipped (TC) client falls back to TCP, which is never limited.
r = dns.query.tcp(dns.message.make_query("seed.example.org.", "A"), "127.0.0.1", port=5341,
                  source="127.0.0.1", timeout=2)
assert r.answer
PY
pass "flood limited, other prefix unaffected, TCP fallback works"
kill -TERM "${SERVE_PIDS[0]}"
wait "${SERVE_PIDS[0]}" || true
SERVE_PIDS=()
grep -q "ratelimit [1-9][0-9]* slipped [1-9]" "$WORK/main.log" || fail "no rate-limit counts in the log"
pass "drop and slip counts logged: $(grep -o 'ratelimit [0-9]* slipped [0-9]*' "$WORK/main.log" | tail -1)"
