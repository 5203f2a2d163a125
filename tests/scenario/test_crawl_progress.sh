# On a terminal the crawler keeps one live progress line (known, tried,
# reachable, good, in flight, connections/s) and ends with its summary;
# without a terminal it prints no progress line at all.
set -eu
work=$(mktemp -d)
sim_pid=
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$BTCSEED_SIMNET" --seed 5 --nodes 900 --dead 200 --silent 50 --slow 50 --procs 1 \
  --slow-delay 1500 --dns 127.0.0.1:5353 > "$work/sim.out" &
sim_pid=$!
for _ in $(seq 100); do grep -q ready "$work/sim.out" 2>/dev/null && break; sleep 0.1; done

args="crawl --once --db $work/c.db --seed seed1.sim.test --resolver 127.0.0.1:5353 \
  --allow-net 127.0.0.0/8 --only-allowed --max-rate 300 --connect-timeout 2 \
  --handshake-timeout 3 --addr-timeout 2 --quiet 0.3 --visit-timeout 4"
# script(1) gives the crawler a pseudo-terminal as its standard error.
# shellcheck disable=SC2086
script -qec "$BTCSEED $args" "$work/tty.log" > /dev/null
grep -q "$(printf '\r\033\\[K')known [0-9]*  tried [0-9]*  reachable [0-9]*  good [0-9]*  in flight [0-9]*  [0-9]* conn/s" \
  "$work/tty.log" || fail "no live progress line on a terminal: $(head -c 600 "$work/tty.log")"
updates=$(tr '\r' '\n' < "$work/tty.log" | grep -c "conn/s")
[ "$updates" -ge 2 ] || fail "the progress line was drawn $updates times"
grep -q "reachable" "$work/tty.log" || fail "no summary"

rm -f "$work"/c.db*
# shellcheck disable=SC2086
"$BTCSEED" $args > "$work/out" 2> "$work/err"
grep -q "conn/s" "$work/err" && fail "progress line written to a non-terminal"
grep -q "tried      900" "$work/out" || fail "summary: $(cat "$work/out")"
echo "PASS: $updates progress updates on a terminal, none without one"
