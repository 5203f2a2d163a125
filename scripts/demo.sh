#!/bin/sh
# demo.sh -- the main job on a simulated network, entirely on loopback inside a
# private network namespace (nothing can leave the machine):
#   1. btcseed-simnet: 5,000 simulated nodes (IPv4 and IPv6, dead, silent, slow,
#      churning and hostile ones) with DNS seeds of their own;
#   2. btcseed crawl --once: bootstraps from those seeds, crawls with live
#      progress, prints the summary, writes the database and the exports;
#   3. btcseed run: crawls and serves DNS; dig asks it for nodes.
# Files land in $DEMO_DIR (default /tmp/btcseed-demo).
set -e
cd "$(dirname "$0")/.."
root=$(pwd)
out=${DEMO_DIR:-/tmp/btcseed-demo}
if [ "${BTCSEED_IN_NETNS:-}" != 1 ]; then
  [ -x build/btcseed ] || scripts/build.sh build
  mkdir -p "$out"
  BTCSEED_IN_NETNS=1 exec unshare --net --fork -- "$0" "$@"
fi
ip link set lo up
ip -6 route add local 2001:db8:2::/64 dev lo
rm -f "$out"/nodes.db* "$out"/seeds.txt "$out"/nodes.json "$out"/nodes.csv
sim_pid=
run_pid=
cleanup() { kill $run_pid $sim_pid 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "== simulated network: 5,000 nodes on 127.0.0.0/8 and 2001:db8:2::/64, seeds at 127.0.0.1:5353"
build/btcseed-simnet --nodes 5000 --ipv6 1000 --ipv6-prefix 2001:db8:2::/64 --dead 1500 \
  --silent 300 --slow 200 --churn 200 --hostile 300 --dns 127.0.0.1:5353 \
  --manifest "$out/simnet.json" >"$out/simnet.out" &
sim_pid=$!
until grep -q ready "$out/simnet.out" 2>/dev/null; do sleep 0.1; done
dig +short @127.0.0.1 -p 5353 seed1.sim.test A | head -n 3 | sed 's/^/   seed1.sim.test A /'

lab="--allow-net 127.0.0.0/8 --allow-net 2001:db8::/32 --only-allowed"
seeds="--seed seed1.sim.test --seed seed2.sim.test --seed seed3.sim.test --resolver 127.0.0.1:5353"
timeouts="--connect-timeout 3 --handshake-timeout 5 --addr-timeout 4 --quiet 0.5 --visit-timeout 8"

echo
echo "== btcseed crawl --once (a full snapshot of the network)"
# shellcheck disable=SC2086
build/btcseed crawl --once --db "$out/nodes.db" $seeds $lab $timeouts \
  --concurrency 3000 --max-rate 20000 \
  --dump "$out/seeds.txt" --json "$out/nodes.json" --csv "$out/nodes.csv"
echo "   exports: $out/seeds.txt (makeseeds.py), $out/nodes.json, $out/nodes.csv"

echo
echo "== btcseed run: crawl and serve DNS for seed.example.org on 127.0.0.1:5300 and [::1]:5300"
# shellcheck disable=SC2086
build/btcseed run --db "$out/nodes.db" $seeds $lab $timeouts --no-progress \
  --zone seed.example.org --ns ns.example.net --mbox hostmaster.example.org \
  --listen 127.0.0.1:5300 --listen '[::1]:5300' --reload 1 --http 127.0.0.1:8080 \
  2>"$out/run.log" &
run_pid=$!
sleep 3
echo "-- dig @127.0.0.1 -p 5300 seed.example.org A"
dig +noall +answer @127.0.0.1 -p 5300 seed.example.org A | head -n 8
echo "-- dig @::1 -p 5300 x9.seed.example.org AAAA  (nodes with NODE_NETWORK|NODE_WITNESS)"
dig +noall +answer @::1 -p 5300 x9.seed.example.org AAAA | head -n 5
echo "-- status: curl http://127.0.0.1:8080/api/v1/summary"
python3 -c 'import json,urllib.request; s=json.load(urllib.request.urlopen("http://127.0.0.1:8080/api/v1/summary")); print("  ", {k: s[k] for k in list(s)[:6]})' 2>/dev/null || true
kill -TERM $run_pid
wait $run_pid || true
run_pid=
echo
echo "database: $out/nodes.db   (sqlite3 $out/nodes.db 'select count(*) from nodes where good')"
echo "ground truth of the simulated network: $out/simnet.json"
cd "$root"
