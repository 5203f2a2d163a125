#!/bin/bash
# simnet.sh [SECONDS] [CONNECTIONS] -- the simulated network's own capacity:
# btcseed-simnet with 100,000 addresses (20,000 reachable: 80,000 dead), then
# bench_simnet (epoll client) doing full handshakes, each with a 1000-entry
# getaddr answer, against the nodes whose whole answer is 1000 entries in one
# message. Prints handshakes per second and simnet's CPU time per handshake
# (a figure that other load on the machine does not shrink) for 1 and 2
# worker processes, and memory per simulated address (PSS and RSS of all
# simnet processes / addresses). Runs in a private loopback-only namespace.
set -euo pipefail
if [ "${BTCSEED_IN_NETNS:-}" != 1 ]; then
  BTCSEED_IN_NETNS=1 exec unshare --net --fork -- "$0" "$@"
fi
ip link set lo up
cd "$(dirname "$0")/.."
BUILD=${BTCSEED_BUILD:-build}
SECS=${1:-5}
CONNS=${2:-200}
NODES=100000
WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

procs_of() { echo "$1" $(pgrep -P "$1"); }

mem_kb() { # mem_kb PID FIELD: sum of FIELD (Rss, Pss) over simnet's processes
  local total=0 p
  for p in $(procs_of "$1"); do
    total=$((total + $(awk -v f="$2:" '$1 == f {print $2}' "/proc/$p/smaps_rollup")))
  done
  echo "$total"
}

cpu_ticks() { # user + system clock ticks of simnet's processes
  local total=0 p
  for p in $(procs_of "$1"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

per_address() { # per_address LABEL KB
  awk -v l="$1" -v k="$2" -v n=$NODES \
    'BEGIN { printf "  %s: %.1f MB = %.0f bytes per address\n", l, k / 1024, k * 1024 / n }'
}

start_simnet() { # start_simnet PROCS
  "$BUILD/btcseed-simnet" --nodes $NODES --dead 80000 --procs "$1" \
    --manifest "$WORK/manifest.json" > "$WORK/stdout" &
  PID=$!
  for _ in $(seq 600); do grep -q '^ready$' "$WORK/stdout" && return; sleep 0.1; done
  echo "simnet did not start" >&2
  exit 1
}

stop_simnet() {
  kill "$PID"
  wait "$PID"
  PID=
}

echo "machine load average now: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; handshakes per" \
     "second shrink when other work runs, CPU per handshake does not)"
for procs in 1 2; do
  start_simnet "$procs"
  idle_rss=$(mem_kb "$PID" Rss)
  idle_pss=$(mem_kb "$PID" Pss)
  if [ "$procs" = 1 ]; then
    /usr/bin/python3 - "$WORK/manifest.json" > "$WORK/targets" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for n in m["nodes"]:
    if (n["reachable"] and n["always_up"] and n["behaviour"] == "honest"
            and n["view_size"] == 1000 and n["answer_parts"] == 1):
        print(n["addr"])
PY
    echo "targets: $(wc -l < "$WORK/targets") honest nodes answering 1000 entries in one message"
  fi
  echo "== simnet --procs $procs, $CONNS concurrent connections, $SECS s"
  before=$(cpu_ticks "$PID")
  "$BUILD/bench_simnet" --targets "$WORK/targets" --connections "$CONNS" --seconds "$SECS" \
    > "$WORK/bench.out"
  after=$(cpu_ticks "$PID")
  grep -v '^handshakes=' "$WORK/bench.out"
  done_n=$(sed -n 's/^handshakes=//p' "$WORK/bench.out")
  awk -v t=$((after - before)) -v n="$done_n" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    us = t / hz / n * 1e6
    printf "  simnet CPU %.0f us per handshake = %.0f handshakes per CPU-second\n", us, 1e6 / us }'
  echo "memory of simnet ($procs worker(s) + parent), $NODES addresses:"
  per_address "idle, PSS" "$idle_pss"
  per_address "idle, RSS (shared libraries counted once per process)" "$idle_rss"
  per_address "after the run, PSS" "$(mem_kb "$PID" Pss)"
  stop_simnet
done
