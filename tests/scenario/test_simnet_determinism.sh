# simnet: the same flags give the same network byte for byte (manifest), a
# different seed another one; bad flags exit 2; nothing binds outside loopback.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

run() { # run OUT FLAGS...: start, wait for ready, stop with SIGTERM, expect exit 0
  out=$1; shift
  "$BTCSEED_SIMNET" --manifest "$out" "$@" >"$tmp/stdout" &
  pid=$!
  for _ in $(seq 100); do grep -q '^ready$' "$tmp/stdout" && break; sleep 0.1; done
  grep -q '^ready$' "$tmp/stdout" || fail "no ready line ($*)"
  kill -TERM "$pid"
  wait "$pid" || fail "exit status $? after SIGTERM ($*)"
}

flags="--nodes 2000 --dead 0.4 --silent 50 --slow 5% --churn 100 --hostile 110 --ipv6 200
       --ipv6-prefix 2001:db8:2::/64 --latency 20"
# shellcheck disable=SC2086
run "$tmp/a.json" --seed 42 $flags
# shellcheck disable=SC2086
run "$tmp/b.json" --seed 42 $flags --procs 1
# shellcheck disable=SC2086
run "$tmp/c.json" --seed 43 $flags
cmp -s "$tmp/a.json" "$tmp/b.json" || fail "same seed, different manifests"
cmp -s "$tmp/a.json" "$tmp/c.json" && fail "different seeds, same manifest"
/usr/bin/python3 - "$tmp/a.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
c = m["counts"]
assert len(m["nodes"]) == 2000 and c["dead"] == 800 and c["silent"] == 50, c
assert c["slow"] == 100 and c["churn"] == 100 and m["ipv6_nodes"] == 200, c
assert sum(c[k] for k in c if k not in ("honest", "dead", "silent", "slow", "churn")) == 110
assert c["honest"] == 2000 - 800 - 50 - 100 - 100 - 110
assert all(n["churn"]["period_s"] > 0 for n in m["nodes"] if n["behaviour"] == "churn")
assert all(10 <= n["latency_ms"] <= 30 for n in m["nodes"] if n["behaviour"] != "slow")
EOF

# Usage errors exit 2 with a message; --help exits 0.
"$BTCSEED_SIMNET" --help | grep -q -- '--hostile-kinds' || fail "--help"
for bad in "--nodes 0" "--nodes x" "--dead 2.5" "--bogus" "--chain nope" \
           "--nodes 10 --dead 11" "--hostile-kinds honest --hostile 1" "--ipv6 5" \
           "--ipv6 5 --ipv6-prefix 2001:db8::/96" "--port 8333 --alt-port 8333"; do
  # shellcheck disable=SC2086
  if "$BTCSEED_SIMNET" $bad >/dev/null 2>"$tmp/err"; then fail "accepted: $bad"; fi
  code=0; "$BTCSEED_SIMNET" $bad >/dev/null 2>&1 || code=$?
  [ "$code" = 2 ] || fail "exit $code, not 2, for: $bad"
  [ -s "$tmp/err" ] || fail "no message for: $bad"
done

# The seed zone is served on loopback only.
ip addr add 192.0.2.1/24 dev lo
if "$BTCSEED_SIMNET" --nodes 10 --dns 192.0.2.1:5353 >"$tmp/stdout" 2>"$tmp/err"; then
  fail "listened for DNS outside loopback"
fi
grep -q 'outside loopback' "$tmp/err" || fail "no refusal message: $(cat "$tmp/err")"
grep -q ready "$tmp/stdout" && fail "printed ready while refusing"
echo ok
