# simnet: a real peer implementation (Debian's litecoind, a Bitcoin Core 0.21
# derivative with the same regtest magic) connects out to simnet nodes with
# `addnode ... onetry`, completes the handshake (getpeerinfo shows each node's
# version fields as the manifest has them) and receives their getaddr answer.
set -eu
work=$(mktemp -d)
rpc=(litecoin-cli -regtest -datadir="$work/ltc" -rpcport=19445 -rpcuser=u -rpcpassword=p)
pid=
cleanup() {
    [ -f "$work/ltc/pid" ] && kill "$(cat "$work/ltc/pid")" 2>/dev/null || true
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    sleep 0.5
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BTCSEED_SIMNET" --chain regtest --nodes 500 --dead 100 --seed 4 \
  --manifest "$work/m.json" >"$work/stdout" &
pid=$!
for _ in $(seq 100); do grep -q '^ready$' "$work/stdout" && break; sleep 0.1; done
grep -q '^ready$' "$work/stdout" || fail "simnet not ready"

mkdir -p "$work/ltc"
litecoind -regtest -datadir="$work/ltc" -connect=0 -dnsseed=0 -listen=0 -discover=0 \
    -listenonion=0 -upnp=0 -rpcport=19445 -rpcuser=u -rpcpassword=p -daemon \
    -pid="$work/ltc/pid" >/dev/null
for _ in $(seq 100); do "${rpc[@]}" getblockcount >/dev/null 2>&1 && break; sleep 0.1; done
"${rpc[@]}" getblockcount >/dev/null || fail "litecoind did not start"

# Three good nodes (one of them with a split answer) and an old-protocol one.
/usr/bin/python3 - "$work/m.json" > "$work/picked" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
good = [n for n in m["nodes"] if n["good"]]
picked = good[:2] + [n for n in good if n["answer_parts"] > 1][:1]
picked += [n for n in m["nodes"] if n["behaviour"] == "honest" and n["version"] < 70016][:1]
for n in picked:
    print(n["addr"], n["version"], n["services"], n["height"], n["user_agent"])
EOF
[ "$(wc -l < "$work/picked")" = 4 ] || fail "could not pick 4 nodes: $(cat "$work/picked")"
while read -r addr _; do "${rpc[@]}" addnode "$addr" onetry; done < "$work/picked"

# getpeerinfo, until every picked node is connected with its version received
# and its addresses arrived.
ok=0
for _ in $(seq 100); do
  "${rpc[@]}" getpeerinfo > "$work/peers.json"
  if /usr/bin/python3 - "$work/peers.json" "$work/picked" <<'EOF'
import json, sys
peers = {p["addr"]: p for p in json.load(open(sys.argv[1]))}
for line in open(sys.argv[2]):
    addr, version, services, height, agent = line.split(maxsplit=4)
    p = peers.get(addr)
    if not p or p["version"] == 0:
        sys.exit(1)
    assert p["version"] == int(version), (addr, p["version"], version)
    assert int(p["services"], 16) == int(services), (addr, p["services"], services)
    assert p["startingheight"] == int(height), (addr, p["startingheight"], height)
    assert p["subver"] == agent.strip(), (addr, p["subver"], agent)
    got = p["bytesrecv_per_msg"]
    if got.get("addr", 0) + got.get("addrv2", 0) < 1000:
        sys.exit(1)  # the answer has not arrived yet
    assert "verack" in got and "version" in got, got
    if int(version) >= 70016:
        assert "sendaddrv2" in got and "wtxidrelay" in got, got
print("litecoind:", ", ".join("%s %s %d bytes of addresses" % (
    a, p["subver"], p["bytesrecv_per_msg"].get("addr", 0) + p["bytesrecv_per_msg"].get("addrv2", 0))
    for a, p in peers.items()))
EOF
  then ok=1; break; fi
  sleep 0.2
done
[ "$ok" = 1 ] || fail "litecoind did not handshake with every node: $(cat "$work/peers.json")"

kill "$pid"
wait "$pid" || fail "simnet exit status $? after SIGTERM"
pid=
echo ok
