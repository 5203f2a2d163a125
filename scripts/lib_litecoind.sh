# lib_litecoind.sh -- sourced by bash scripts that need a real Bitcoin-protocol
# peer on loopback: Debian's litecoind (a Bitcoin Core 0.21 derivative, same
# P2P protocol; its regtest message start fabfb5da is Bitcoin's) in regtest,
# with its own data directory, never dialing out (-connect=0, no DNS seeds, no
# discovery). Callers run inside a loopback-only network namespace.
#
#   ltc_start DATADIR P2P_PORT RPC_PORT   start it, wait for its RPC (sets LTC_PID)
#   ltc_cli ARGS...                       litecoin-cli against it
#   ltc_add_addresses PORT ADDR...        put addresses in its address book
#   ltc_stop                              stop it and wait for it to exit
# Each returns non-zero with a message on stderr when something fails.

LTC_PID=
LTC_DATADIR=
LTC_RPC_PORT=
# RPC comes up within a few seconds; 30 s covers a loaded machine.
LTC_START_TRIES=150

ltc_cli() { litecoin-cli -regtest -datadir="$LTC_DATADIR" -rpcport="$LTC_RPC_PORT" "$@"; }

ltc_start() {
    LTC_DATADIR=$1
    LTC_RPC_PORT=$3
    mkdir -p "$LTC_DATADIR"
    litecoind -regtest -datadir="$LTC_DATADIR" -connect=0 -dnsseed=0 -discover=0 \
        -listenonion=0 -upnp=0 -listen=1 -bind="127.0.0.1:$2" \
        -rpcport="$LTC_RPC_PORT" -rpcbind=127.0.0.1 -rpcallowip=127.0.0.1 \
        -printtoconsole=0 -daemon=0 &
    LTC_PID=$!
    local _
    for _ in $(seq "$LTC_START_TRIES"); do
        ltc_cli getnetworkinfo >/dev/null 2>&1 && return 0
        if ! kill -0 "$LTC_PID" 2>/dev/null; then
            echo "litecoind exited at start" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "litecoind RPC not up after $((LTC_START_TRIES / 5)) s" >&2
    return 1
}

# litecoind refuses loopback and reserved ranges here: give routable-looking
# addresses. They are only stored, never dialed.
ltc_add_addresses() {
    local port=$1 a
    shift
    for a in "$@"; do
        if ! ltc_cli addpeeraddress "$a" "$port" | grep -q '"success": true'; then
            echo "litecoind refused address $a" >&2
            return 1
        fi
    done
}

ltc_stop() {
    [ -n "$LTC_PID" ] || return 0
    ltc_cli stop >/dev/null 2>&1 || kill "$LTC_PID" 2>/dev/null || true
    wait "$LTC_PID" 2>/dev/null || true
    LTC_PID=
}
