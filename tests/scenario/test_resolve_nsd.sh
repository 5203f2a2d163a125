# test_resolve_nsd.sh -- `btcseed resolve` against a real authoritative DNS
# server (NSD) on loopback, serving seed names made up for the test.
# Runs inside a loopback-only network namespace (in_netns.sh). $BTCSEED is
# the btcseed binary.
set -euo pipefail

: "${BTCSEED:?set BTCSEED to the btcseed binary}"
NSD=/usr/sbin/nsd
PORT=5353
DEAD_PORT=5354 # nothing listens here
dir=$(mktemp -d)
nsd_pid=

cleanup() {
  if [ -n "$nsd_pid" ]; then
    kill "$nsd_pid" 2>/dev/null || true
    wait "$nsd_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$dir"/out "$dir"/err "$dir"/nsd.log; do
    [ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }
  done
  exit 1
}

# --- the zone: two seeds sharing some addresses, x9 names, a name without
# addresses, a big answer that does not fit in UDP (c-ares retries on TCP).
{
  cat <<'EOF'
$ORIGIN seeds.test.
$TTL 60
@        IN SOA ns.seeds.test. hostmaster.seeds.test. 1 3600 600 86400 60
@        IN NS  ns.seeds.test.
ns       IN A   127.0.0.1
alpha    IN A    1.2.3.4
alpha    IN A    5.6.7.8
alpha    IN AAAA 2001:db8::1
alpha    IN AAAA 2a01:4f8:c17:1a41::2
beta     IN A    5.6.7.8
beta     IN A    10.11.12.13
beta     IN AAAA 2001:db8::1
beta     IN AAAA 2600:1f18::99
x9.alpha IN A    44.44.44.44
x9.alpha IN AAAA 2001:470:1::9
x9.beta  IN A    55.55.55.55
v4only   IN A    7.7.7.7
noaddr   IN TXT  "no addresses here"
EOF
  for i in $(seq 1 60); do echo "big      IN A    100.100.$i.1"; done
} >"$dir/seeds.test.zone"

cat >"$dir/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$PORT
    ip-address: ::1@$PORT
    port: $PORT
    username: ""
    chroot: ""
    zonesdir: "$dir"
    pidfile: "$dir/nsd.pid"
    xfrdfile: "$dir/xfrd.state"
    zonelistfile: "$dir/zone.list"
    database: ""
    logfile: "$dir/nsd.log"
    server-count: 1
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: "seeds.test."
    zonefile: "seeds.test.zone"
EOF

"$NSD" -d -c "$dir/nsd.conf" >"$dir/nsd.out" 2>&1 &
nsd_pid=$!
for _ in $(seq 1 50); do
  if dig +short +tries=1 +time=1 -p "$PORT" @127.0.0.1 alpha.seeds.test A >/dev/null 2>&1 &&
     [ -n "$(dig +short +tries=1 +time=1 -p "$PORT" @127.0.0.1 alpha.seeds.test A)" ]; then
    break
  fi
  kill -0 "$nsd_pid" 2>/dev/null || { cat "$dir/nsd.out" >&2; fail "nsd exited"; }
  sleep 0.2
done
[ -n "$(dig +short -p "$PORT" @127.0.0.1 alpha.seeds.test A)" ] || fail "nsd does not answer"

# run EXPECTED_RC ARGS... -- runs btcseed resolve, output in $dir/out, $dir/err
run() {
  local want=$1 rc=0
  shift
  "$BTCSEED" resolve --timeout 5 "$@" >"$dir/out" 2>"$dir/err" || rc=$?
  [ "$rc" = "$want" ] || fail "resolve $* exited $rc, want $want"
}

# addresses (first column), sorted, must equal the arguments
expect_addresses() {
  local got want
  got=$(awk '{print $1}' "$dir/out" | sort)
  want=$(printf '%s\n' "$@" | sort)
  [ "$got" = "$want" ] || fail "addresses: got [$got], want [$want]"
}

# LINE must appear exactly in the output
expect_line() {
  grep -qxF -- "$1" "$dir/out" || fail "missing line '$1'"
}

RES=127.0.0.1:$PORT

echo "== two seeds: every address once, IPv4 and IPv6"
run 0 --resolver "$RES" --seed alpha.seeds.test --seed beta.seeds.test
expect_addresses 1.2.3.4:8333 5.6.7.8:8333 10.11.12.13:8333 \
  '[2001:db8::1]:8333' '[2a01:4f8:c17:1a41::2]:8333' '[2600:1f18::99]:8333'
expect_line "1.2.3.4:8333  alpha.seeds.test"
expect_line "[2a01:4f8:c17:1a41::2]:8333  alpha.seeds.test"
expect_line "10.11.12.13:8333  beta.seeds.test"
expect_line "[2600:1f18::99]:8333  beta.seeds.test"
# shared addresses name one of the two seeds
grep -qE '^5\.6\.7\.8:8333  (alpha|beta)\.seeds\.test$' "$dir/out" || fail "5.6.7.8 line"
[ ! -s "$dir/err" ] || fail "warnings where none were expected"

echo "== positional seeds, the chain's port"
run 0 --resolver "$RES" --chain testnet3 alpha.seeds.test
expect_addresses 1.2.3.4:18333 5.6.7.8:18333 '[2001:db8::1]:18333' '[2a01:4f8:c17:1a41::2]:18333'

echo "== seeds and resolver from a --config file; command-line --seed wins"
printf 'resolver = %s\nseed = alpha.seeds.test\nseed = beta.seeds.test\n' "$RES" >"$dir/resolve.conf"
run 0 --config "$dir/resolve.conf"
[ "$(wc -l <"$dir/out")" = 6 ] || fail "want the 6 addresses of alpha and beta"
run 0 --config "$dir/resolve.conf" --seed v4only.seeds.test
expect_addresses 7.7.7.7:8333

echo "== --services 9 asks x9.<seed>"
run 0 --resolver "$RES" --services 9 --seed alpha.seeds.test --seed beta.seeds.test
expect_addresses 44.44.44.44:8333 '[2001:470:1::9]:8333' 55.55.55.55:8333
expect_line "44.44.44.44:8333  alpha.seeds.test"
expect_line "55.55.55.55:8333  beta.seeds.test"

echo "== a seed with only A records is fine"
run 0 --resolver "$RES" --seed v4only.seeds.test
expect_addresses 7.7.7.7:8333

echo "== 60 records: the truncated UDP answer is retried over TCP"
run 0 --resolver "$RES" --seed big.seeds.test
[ "$(wc -l <"$dir/out")" = 60 ] || fail "want 60 addresses, got $(wc -l <"$dir/out")"
expect_line "100.100.60.1:8333  big.seeds.test"

echo "== the resolver on IPv6 loopback"
run 0 --resolver "[::1]:$PORT" --seed beta.seeds.test
expect_addresses 5.6.7.8:8333 10.11.12.13:8333 '[2001:db8::1]:8333' '[2600:1f18::99]:8333'

echo "== one failing seed: warning, the others still printed, exit 0"
run 0 --resolver "$RES" --seed alpha.seeds.test --seed missing.seeds.test
expect_addresses 1.2.3.4:8333 5.6.7.8:8333 '[2001:db8::1]:8333' '[2a01:4f8:c17:1a41::2]:8333'
grep -q 'warn.*missing\.seeds\.test' "$dir/err" || fail "no warning for missing.seeds.test"
grep -q 'alpha' "$dir/err" && fail "warning about a good seed"

echo "== every seed failing: exit 1, one warning each"
run 1 --resolver "$RES" --seed missing.seeds.test --seed noaddr.seeds.test
[ ! -s "$dir/out" ] || fail "addresses printed although every seed failed"
grep -q "warn.*missing\.seeds\.test" "$dir/err" || fail "no warning for missing"
grep -q "warn.*noaddr\.seeds\.test: no addresses" "$dir/err" || fail "no warning for noaddr"
run 1 --resolver "$RES" --services 9 --seed v4only.seeds.test # no x9.v4only
grep -q "warn.*v4only\.seeds\.test" "$dir/err" || fail "no warning for x9.v4only"

echo "== no nameserver listening: exit 1 without waiting for the timeout"
start=$(date +%s)
run 1 --resolver "127.0.0.1:$DEAD_PORT" --seed alpha.seeds.test
[ $(($(date +%s) - start)) -le 6 ] || fail "took too long"
grep -q 'warn.*alpha\.seeds\.test' "$dir/err" || fail "no warning"

echo "== bad command lines: exit 2"
run 2 --resolver "not-an-ip:53" --seed alpha.seeds.test
run 2 --services xyz --seed alpha.seeds.test
run 2 --chain nosuchchain
run 2 --chain regtest --resolver "$RES"
run 2 --bogus-flag

kill -0 "$nsd_pid" || fail "nsd died during the test"
echo "ok"
