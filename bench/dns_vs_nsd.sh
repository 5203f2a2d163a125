#!/bin/bash
# dns_vs_nsd.sh [SECONDS] -- dnsperf against `btcseed serve` holding 20,000
# good nodes, then against NSD serving a static zone whose answers hold the
# same number of records (29 A / 17 AAAA: what fits in 512 bytes), same
# query mix (A, AAAA, x9 A, NS), one server thread each. Prints both QPS and
# the ratio, then the server's memory with 1,000,000 addresses. Runs in a
# private loopback-only network namespace.
set -euo pipefail
if [ "${BTCSEED_IN_NETNS:-}" != 1 ]; then
  BTCSEED_IN_NETNS=1 exec unshare --net --fork -- "$0" "$@"
fi
ip link set lo up
cd "$(dirname "$0")/.."
BUILD=${BTCSEED_BUILD:-build}
SECS=${1:-10}
ZONE=seed.example.org
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT

"$BUILD/dns_mkdb" "$WORK/nodes.db" 20000 30 0 > /dev/null
"$BUILD/btcseed" serve --db "$WORK/nodes.db" --zone $ZONE --ns ns.example.net \
  --mbox hostmaster@example.org --listen 127.0.0.1:5400 --threads 1 --rrl-rate 0 \
  --log-level warn &
PIDS+=($!)

{
  echo "\$TTL 60"
  echo "@ 3600 IN SOA ns.example.net. hostmaster.example.org. 1 3600 600 1209600 60"
  echo "@ 21600 IN NS ns.example.net."
  for i in $(seq 29); do echo "@ IN A 11.$i.0.1"; done
  for i in $(seq 17); do echo "@ IN AAAA 2a01:0:$i::1"; done
  for i in $(seq 29); do echo "x9 IN A 11.$i.0.1"; done
} > "$WORK/seed.zone"
cat > "$WORK/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@5401
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$WORK"
  zonelistfile: "$WORK/zone.list"
  database: ""
  pidfile: "$WORK/nsd.pid"
  xfrdfile: "$WORK/xfrd.state"
  xfrdir: "$WORK"
  logfile: "$WORK/nsd.log"
  rrl-ratelimit: 0
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: $ZONE
  zonefile: seed.zone
CONF
nsd -d -c "$WORK/nsd.conf" &
PIDS+=($!)

printf '%s A\n%s AAAA\nx9.%s A\n%s NS\n' $ZONE $ZONE $ZONE $ZONE > "$WORK/queries"
for port in 5400 5401; do
  for _ in $(seq 100); do dig +time=1 +tries=1 @127.0.0.1 -p $port $ZONE SOA > /dev/null 2>&1 && break; sleep 0.1; done
  n=$(dig +noedns @127.0.0.1 -p $port $ZONE A | grep -c "IN[[:space:]]A[[:space:]]")
  echo "port $port: $n A records in a 512-byte answer"
done

perf() { # port -> "qps lost_percent"
  dnsperf -s 127.0.0.1 -p "$1" -d "$WORK/queries" -l "$SECS" -c 4 -q 200 > "$WORK/perf.$1" 2>&1
  qps=$(awk '/Queries per second:/ {print $4}' "$WORK/perf.$1")
  lost=$(awk '/Queries lost:/ {gsub(/[()%]/, "", $4); print $4}' "$WORK/perf.$1")
  echo "$qps $lost"
}
read -r bq bl < <(perf 5400)
read -r nq nl < <(perf 5401)
echo "btcseed serve: $bq queries/s, lost $bl%"
echo "nsd:           $nq queries/s, lost $nl%"
awk -v b="$bq" -v n="$nq" 'BEGIN {printf "ratio btcseed/nsd: %.2f (target >= 1.0)\n", b / n}'

# Memory with 1,000,000 addresses in the database.
kill "${PIDS[0]}"
"$BUILD/dns_mkdb" "$WORK/big.db" 1000000 30 0 > /dev/null
"$BUILD/btcseed" serve --db "$WORK/big.db" --zone $ZONE --ns ns.example.net \
  --mbox hostmaster@example.org --listen 127.0.0.1:5402 --threads 1 --log-level warn &
PIDS+=($!)
pid=$!
for _ in $(seq 600); do
  [ "$(dig +short +time=1 +tries=1 @127.0.0.1 -p 5402 $ZONE A | wc -l)" -gt 0 ] && break
  sleep 0.2
done
sleep 6 # at least one reload: the peak includes a rebuild beside the live snapshot
echo "memory with 1,000,000 addresses: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status) resident," \
  "peak $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
