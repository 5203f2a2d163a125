#!/bin/bash
# test_probe_litecoind -- `btcseed probe` against a real peer: Debian's
# litecoind (a Bitcoin Core 0.21 derivative, same P2P protocol, regtest magic
# fabfb5da) on loopback, plus the ways a probe must fail: a closed port, a
# listener that never speaks, one that speaks another protocol, bad flags.
#
# Runs inside a network namespace with only loopback (in_netns.sh): the
# addresses put into litecoind's address book are never dialed (-connect=0,
# and there is no route anyway).
set -euo pipefail
: "${BTCSEED:?path of the btcseed binary}"

src=${BTCSEED_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=../../scripts/lib_litecoind.sh
. "$src/scripts/lib_litecoind.sh"

work=$(mktemp -d)
pids=()
cleanup() {
    if [ -n "$LTC_PID" ]; then pids+=("$LTC_PID"); fi
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

P2P_PORT=28444
RPC_PORT=28445
start_litecoind() { ltc_start "$work/litecoin" $P2P_PORT $RPC_PORT || fail "litecoind did not start"; }
cli() { ltc_cli "$@"; }

# ---- a real peer ------------------------------------------------------------
start_litecoind
# Routable-looking addresses (litecoind refuses loopback and reserved ones).
added=(23.19.48.94 45.112.214.18 62.210.17.33 81.24.217.16 91.144.92.27
       104.243.77.102 142.37.60.147 176.74.37.31 185.110.160.120 203.15.109.10
       46.4.120.7 88.99.10.20 95.216.3.4 136.243.8.9 144.76.1.2 148.251.0.3
       159.69.4.5 178.63.6.7 188.40.8.9 213.239.10.11)
added6=(2a01:4f8:831:6b1::2b 2a01:4f8:c1e:57a::27 2a01:4f8:eef:7d3::6c 2a01:4f8:a1:f65::ac)
expected=$work/expected
ltc_add_addresses 18444 "${added[@]}" "${added6[@]}" || fail "addpeeraddress"
printf '%s:18444\n' "${added[@]}" >"$expected"
printf '[%s]:18444\n' "${added6[@]}" >>"$expected"
# The getaddr answer is cached per node: restart so it is built from this book.
ltc_stop
start_litecoind
subversion=$(cli getnetworkinfo | sed -n 's/.*"subversion": "\(.*\)".*/\1/p')
[ -n "$subversion" ] || fail "no subversion from getnetworkinfo"

# litecoind sends the getaddr answer on its address timer (Poisson, 30 s mean):
# the probe gets a long wait, and is cut short with SIGINT once addresses came.
out=$work/probe.out
err=$work/probe.err
"$BTCSEED" probe 127.0.0.1:$P2P_PORT --chain regtest --wait 280 --timeout 20 >"$out" 2>"$err" &
probe_pid=$!
pids+=("$probe_pid")
for _ in $(seq 2700); do
    grep -q '^received addr' "$out" && break
    kill -0 "$probe_pid" 2>/dev/null || break
    sleep 0.1
done
sleep 1 # the rest of the same answer, if split
kill -INT "$probe_pid" 2>/dev/null || true
rc=0
wait "$probe_pid" || rc=$?
cat "$out"
[ "$rc" = 0 ] || { cat "$err" >&2; fail "probe exited $rc"; }
grep -qx 'received version' "$out" || fail "no 'received version'"
grep -qx 'received verack' "$out" || fail "no 'received verack'"
grep -qx 'received sendaddrv2' "$out" || fail "no 'received sendaddrv2'"
grep -qx 'received ping' "$out" || fail "no 'received ping'"
grep -qxF "  user agent  $subversion" "$out" || fail "user agent $subversion not printed"
grep -qx '  version     70016' "$out" || fail "peer version not printed"
grep -q '^  services    0000000001000409 (NETWORK|WITNESS|NETWORK_LIMITED|bit24)$' "$out" ||
    fail "peer services not printed"
grep -qx '  relay       true' "$out" || fail "relay not printed"
# It asked for addrv2 and must have got them that way.
grep -q '^received addrv2 ([0-9]* address' "$out" || fail "no addrv2 answer"
printed=$work/printed
sed -n 's/^  \([^ ]*\)  services 0000000000000009  time .*/\1/p' "$out" | sort -u >"$printed"
n=$(wc -l <"$printed")
book=$(cli getnodeaddresses 0 | grep -c '"address"')
# Core answers getaddr with 23% of its address book (MAX_PCT_ADDR_TO_SEND).
[ "$n" -eq $((book * 23 / 100)) ] || fail "$n addresses printed, want 23% of $book"
[ "$n" -ge 1 ] || fail "no address printed"
while read -r a; do
    grep -qxF "$a" "$expected" || fail "printed $a, which was never added"
done <"$printed"
echo "ok: $n of the $book added addresses received"

# A second probe lets its wait run out by itself.
"$BTCSEED" probe 127.0.0.1:$P2P_PORT --chain regtest --wait 2 >"$out" 2>"$err" ||
    fail "short probe exited $?"
grep -qx 'received verack' "$out" || fail "short probe: no verack"
grep -q '^wait over: ' "$out" || fail "short probe: wait did not end by itself"
[ ! -s "$err" ] || fail "short probe wrote to stderr: $(cat "$err")"

# The wrong chain: litecoind's regtest magic is not mainnet's.
rc=0
"$BTCSEED" probe 127.0.0.1:$P2P_PORT --chain main --timeout 5 >"$out" 2>"$err" || rc=$?
[ "$rc" = 1 ] || fail "wrong chain: exit $rc, want 1"
ltc_stop

# ---- failures ---------------------------------------------------------------
one_line_exit() { # WANT_RC PATTERN COMMAND... : exit code and one stderr line matching
    local want=$1 pattern=$2 rc=0
    shift 2
    "$@" >"$out" 2>"$err" || rc=$?
    [ "$rc" = "$want" ] || fail "$*: exit $rc, want $want ($(cat "$err"))"
    [ "$(wc -l <"$err")" = 1 ] || fail "$*: want one line on stderr, got: $(cat "$err")"
    grep -q -- "$pattern" "$err" || fail "$*: stderr '$(cat "$err")' lacks '$pattern'"
    echo "ok: $(cat "$err")"
}

# Nobody listens on the port.
one_line_exit 1 'refused' "$BTCSEED" probe 127.0.0.1:$P2P_PORT --chain regtest

# A listener that accepts and never says a word; another that answers HTTP.
/usr/bin/python3 - "$work/ports" <<'EOF' &
import socket, sys, threading
def serve(sock, reply):
    held = []
    while True:
        c, _ = sock.accept()
        held.append(c)
        if reply:
            c.recv(4096)
            c.sendall(reply)
socks = []
for reply in (b"", b"HTTP/1.1 400 Bad Request\r\n\r\n"):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    socks.append(s)
    threading.Thread(target=serve, args=(s, reply), daemon=True).start()
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(" ".join(str(s.getsockname()[1]) for s in socks) + "\n")
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
threading.Event().wait()
EOF
pids+=($!)
for _ in $(seq 100); do [ -s "$work/ports" ] && break; sleep 0.1; done
read -r silent_port http_port <"$work/ports"
one_line_exit 1 "timed out waiting for the peer's version" \
    "$BTCSEED" probe 127.0.0.1:"$silent_port" --chain regtest --timeout 2
one_line_exit 1 'protocol violation: wrong magic' \
    "$BTCSEED" probe 127.0.0.1:"$http_port" --chain regtest --timeout 5

# Flag errors: one line, exit 2, nothing dialed.
one_line_exit 2 'wants 1..' "$BTCSEED" probe 127.0.0.1 --wait 0
one_line_exit 2 'unknown chain' "$BTCSEED" probe 127.0.0.1 --chain nosuch
one_line_exit 2 'not an address' "$BTCSEED" probe 'no address here'
one_line_exit 2 'exactly one' "$BTCSEED" probe
one_line_exit 2 'bad option' "$BTCSEED" probe 127.0.0.1 --nosuch
echo "all probe scenarios passed"
