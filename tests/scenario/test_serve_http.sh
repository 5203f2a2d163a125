# `btcseed serve --http`: the status page, API and metrics beside the DNS
# server of a separate crawl, with the DNS server's counters in /metrics.
set -eu
work=$(mktemp -d)
pids=
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$BTCSEED_SIMNET" --seed 9 --nodes 600 --dead 100 --procs 1 --dns 127.0.0.1:5353 > "$work/sim.out" &
pids="$pids $!"
for _ in $(seq 100); do grep -q ready "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
"$BTCSEED" crawl --once --db "$work/n.db" --seed seed1.sim.test --resolver 127.0.0.1:5353 \
  --allow-net 127.0.0.0/8 --only-allowed --addr-timeout 1 --quiet 0.3 --no-progress >/dev/null 2>&1 \
  || fail "crawl"
good=$(sqlite3 "$work/n.db" "select count(*) from nodes where good")
[ "$good" -gt 0 ] || fail "no good node to serve"

"$BTCSEED" serve --db "$work/n.db" --zone seed.test --ns ns.example.net --mbox h.example.net \
  --listen 127.0.0.1:5300 --http 127.0.0.1:8090 2> "$work/serve.log" &
pids="$pids $!"
for _ in $(seq 50); do curl -s http://127.0.0.1:8090/ >/dev/null 2>&1 && break; sleep 0.1; done
for _ in 1 2 3 4 5; do dig +short @127.0.0.1 -p 5300 seed.test A > "$work/a.txt"; done
[ -s "$work/a.txt" ] || fail "no A answer"
summary=$(curl -sf http://127.0.0.1:8090/api/v1/summary) || fail "no summary: $(cat "$work/serve.log")"
echo "$summary" | /usr/bin/python3 -c "import json,sys; s=json.load(sys.stdin); assert s['totals']['good'] == $good, s['totals']" \
  || fail "summary disagrees with the database ($good good)"
curl -sf http://127.0.0.1:8090/metrics > "$work/metrics" || fail "no /metrics"
grep -Eq '^btcseed_dns_queries_total\{[^}]*\} [1-9]' "$work/metrics" \
  || fail "DNS counters missing from /metrics: $(grep dns "$work/metrics" | head)"
curl -sf http://127.0.0.1:8090/ | grep -q "<svg" || fail "no chart on the page"
echo "PASS: serve --http: $good good nodes in the API, DNS queries in /metrics"
