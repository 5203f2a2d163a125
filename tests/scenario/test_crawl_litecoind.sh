# Crawl a real peer: Debian's litecoind (a Bitcoin Core 0.21 derivative,
# same P2P protocol and regtest magic) in regtest, inside this test's
# loopback-only network namespace. The crawler must complete the handshake
# and record the node's real version fields; without --allow-net it must not
# dial loopback at all.
set -eu
work=$(mktemp -d)
port=18444 # regtest's default port, so the node can be good
rpc=(litecoin-cli -regtest -datadir="$work/ltc" -rpcport=19445 -rpcuser=u -rpcpassword=p)
cleanup() {
    [ -f "$work/ltc/pid" ] && kill "$(cat "$work/ltc/pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$work/ltc"
litecoind -regtest -datadir="$work/ltc" -connect=0 -dnsseed=0 -discover=0 -listenonion=0 \
    -upnp=0 -listen=1 -bind=127.0.0.1:$port -rpcport=19445 -rpcuser=u -rpcpassword=p \
    -daemon -pid="$work/ltc/pid" >/dev/null
for _ in $(seq 100); do "${rpc[@]}" getblockcount >/dev/null 2>&1 && break; sleep 0.1; done
"${rpc[@]}" getblockcount >/dev/null || fail "litecoind did not start"

# 1. Production default: loopback is not routable, so it is never dialed.
out=$("$BTCSEED" crawl --chain regtest --db "$work/a.db" --no-seeds --once \
      --connect 127.0.0.1:$port 2>&1)
echo "$out" | grep -q "known      0" || fail "loopback was kept without --allow-net: $out"
echo "$out" | grep -q "visits     0" || fail "loopback was dialed without --allow-net: $out"
[ "$("${rpc[@]}" getconnectioncount)" = 0 ] || fail "litecoind saw a connection"

# 2. Allowed: handshake, and the real version fields land in the database.
"$BTCSEED" crawl --chain regtest --db "$work/b.db" --no-seeds --once --allow-net 127.0.0.0/8 \
    --connect 127.0.0.1:$port --quiet 0.5 --addr-timeout 2 --dump "$work/dump.txt" --json "$work/snap.json" > "$work/out" 2>&1 ||
    fail "crawl failed: $(cat "$work/out")"
grep -q "reachable  1" "$work/out" || fail "not reached: $(cat "$work/out")"
row=$(sqlite3 -separator ' ' "$work/b.db" \
      "select protocol, services, user_agent, height, tries, successes, good from nodes")
info=$("${rpc[@]}" getnetworkinfo)
proto=$(echo "$info" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["protocolversion"])')
agent=$(echo "$info" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["subversion"])')
services=$(echo "$info" | /usr/bin/python3 -c 'import json,sys; print(int(json.load(sys.stdin)["localservices"], 16))')
height=$("${rpc[@]}" getblockcount)
expected="$proto $services $agent $height 1 1 1"
[ "$row" = "$expected" ] || fail "database has '$row', node says '$expected'"
echo "recorded: $row"

# 3. The exports written at exit show the node.
grep -Eq "^127.0.0.1:$port +1 " "$work/dump.txt" || fail "dump: $(cat "$work/dump.txt")"
/usr/bin/python3 - "$work/snap.json" "$agent" <<'PY' || fail "json snapshot"
import json, sys
snap = json.load(open(sys.argv[1]))
node = snap["nodes"]["127.0.0.1:18444"]
assert node[1] == sys.argv[2], node
PY
echo "PASS"
