# Crawl an onion node through a real SOCKS5 proxy: Debian's microsocks on
# loopback, with the .onion name mapped to a local litecoind by an /etc/hosts
# bind-mounted in a private mount namespace (the proxy resolves the name, as
# Tor would; we must send the name, never resolve it ourselves).
set -eu
work=$(mktemp -d)
port=18444
rpc=(litecoin-cli -regtest -datadir="$work/ltc" -rpcport=19445 -rpcuser=u -rpcpassword=p)
proxy_pid=
cleanup() {
    [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
    [ -f "$work/ltc/pid" ] && kill "$(cat "$work/ltc/pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A valid v3 onion name: base32(pubkey | checksum | version 3).
onion=$(/usr/bin/python3 -c '
import base64, hashlib
pub = bytes(range(32))
chk = hashlib.sha3_256(b".onion checksum" + pub + b"\x03").digest()[:2]
print(base64.b32encode(pub + chk + b"\x03").decode().lower() + ".onion")')

mkdir -p "$work/ltc"
litecoind -regtest -datadir="$work/ltc" -connect=0 -dnsseed=0 -discover=0 -listenonion=0 \
    -upnp=0 -listen=1 -bind=127.0.0.1:$port -rpcport=19445 -rpcuser=u -rpcpassword=p \
    -daemon -pid="$work/ltc/pid" >/dev/null
for _ in $(seq 100); do "${rpc[@]}" getblockcount >/dev/null 2>&1 && break; sleep 0.1; done

printf '127.0.0.1 localhost\n127.0.0.1 %s\n' "$onion" > "$work/hosts"
unshare -m sh -c "mount --bind '$work/hosts' /etc/hosts && exec microsocks -i 127.0.0.1 -p 19050" \
    > "$work/proxy.log" 2>&1 &
proxy_pid=$!
sleep 0.5

# Without a proxy the onion address is kept but never dialed.
"$BTCSEED" crawl --chain regtest --db "$work/a.db" --no-seeds --once \
    --connect "$onion:$port" > "$work/out" 2>&1 || fail "$(cat "$work/out")"
grep -q "visits     0" "$work/out" || fail "onion dialed without a proxy: $(cat "$work/out")"

"$BTCSEED" crawl --chain regtest --db "$work/b.db" --no-seeds --once \
    --onion-proxy 127.0.0.1:19050 --connect "$onion:$port" --quiet 0.5 --addr-timeout 2 \
    > "$work/out" 2>&1 || fail "$(cat "$work/out")"
grep -q "reachable  1" "$work/out" || fail "onion node not reached: $(cat "$work/out")"
row=$(sqlite3 -separator ' ' "$work/b.db" "select addr_text, user_agent, successes from nodes")
[ "$row" = "$onion:$port /LitecoinCore:0.21.2.1/ 1" ] || fail "database row: $row"

# A proxy that cannot reach the target: refused, recorded as a failure.
kill "$(cat "$work/ltc/pid")"; rm -f "$work/ltc/pid"; sleep 1
"$BTCSEED" crawl --chain regtest --db "$work/b.db" --no-seeds --once \
    --onion-proxy 127.0.0.1:19050 --connect "$onion:$port" > "$work/out" 2>&1 || fail "$(cat "$work/out")"
grep -q "refused 1" "$work/out" || fail "expected a refusal: $(cat "$work/out")"
row=$(sqlite3 -separator ' ' "$work/b.db" "select tries, successes from nodes")
[ "$row" = "2 1" ] || fail "database after failure: $row"
echo "PASS: $onion crawled through SOCKS5"
