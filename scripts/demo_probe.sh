#!/bin/bash
# demo_probe.sh -- watch btcseed talk to a real Bitcoin-protocol node, with nothing
# leaving the machine: in a private network namespace that has only a
# loopback interface, start Debian's litecoind in regtest (same P2P protocol
# as Bitcoin Core 0.21), give it a few addresses to gossip, and run
# `btcseed probe` against it. Needs root (for the namespace); run after
# scripts/build.sh. (scripts/demo.sh is the main demo: a crawl of the
# simulated network.)
set -euo pipefail
cd "$(dirname "$0")/.."
btcseed=${BTCSEED:-$PWD/build/btcseed}
[ -x "$btcseed" ] || { echo "demo: $btcseed not found: run scripts/build.sh first" >&2; exit 1; }

if [ "${BTCSEED_DEMO_PROBE_NETNS:-}" != 1 ]; then
    echo "== a private network namespace: only loopback, no route anywhere"
    BTCSEED_DEMO_PROBE_NETNS=1 BTCSEED=$btcseed exec unshare --net --fork -- "$0" "$@"
fi
ip link set lo up

. scripts/lib_litecoind.sh
work=$(mktemp -d)
probe_pid=
cleanup() {
    [ -z "$probe_pid" ] || kill "$probe_pid" 2>/dev/null || true
    ltc_stop
    rm -rf "$work"
}
trap cleanup EXIT

P2P_PORT=18444
RPC_PORT=18443
echo "== litecoind -regtest on 127.0.0.1:$P2P_PORT (its own data directory, never dials out)"
ltc_start "$work/litecoin" $P2P_PORT $RPC_PORT
# Routable-looking addresses for it to hand out; they are never dialed.
ltc_add_addresses 8333 23.19.48.94 45.112.214.18 62.210.17.33 81.24.217.16 91.144.92.27 \
    104.243.77.102 142.37.60.147 176.74.37.31 185.110.160.120 203.15.109.10 46.4.120.7 \
    88.99.10.20 95.216.3.4 136.243.8.9 2a01:4f8:831:6b1::2b 2a01:4f8:c1e:57a::27
# Its answer to getaddr is built once and cached: restart so it holds these.
ltc_stop
ltc_start "$work/litecoin" $P2P_PORT $RPC_PORT
echo "== btcseed probe 127.0.0.1:$P2P_PORT --chain regtest"
echo "   (the node answers getaddr on a timer, 30 s on average; the demo stops the"
echo "    probe with SIGINT once the addresses are in, or after 120 s)"
out=$work/probe.out
"$btcseed" probe 127.0.0.1:$P2P_PORT --chain regtest --wait 120 > >(tee "$out") &
probe_pid=$!
while kill -0 "$probe_pid" 2>/dev/null; do
    if grep -q '^received addr' "$out" 2>/dev/null; then
        sleep 1
        kill -INT "$probe_pid" 2>/dev/null || true
        break
    fi
    sleep 0.2
done
rc=0
wait "$probe_pid" || rc=$?
probe_pid=
sleep 0.2 # let tee print the last line
echo "== btcseed probe exited with status $rc"
exit "$rc"
