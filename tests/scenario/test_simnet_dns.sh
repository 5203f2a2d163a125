# simnet: the seed zone answers dig as the manifest says: A and AAAA of good
# entry nodes for seedN and xHEX.seedN, over UDP and TCP, on 127.0.0.1 and ::1;
# SOA/NS at the apex, NXDOMAIN for other names, REFUSED outside the zone.
set -eu
tmp=$(mktemp -d)
fail() { echo "FAIL: $*" >&2; exit 1; }
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

ip -6 route add local 2001:db8:2::/64 dev lo
"$BTCSEED_SIMNET" --nodes 3000 --dead 0.3 --hostile 100 --ipv6 0.3 \
  --ipv6-prefix 2001:db8:2::/64 --dns 127.0.0.1:5353 --dns '[::1]:5353' --dns-seeds 4 \
  --manifest "$tmp/m.json" >"$tmp/stdout" &
pid=$!
for _ in $(seq 100); do grep -q '^ready$' "$tmp/stdout" && break; sleep 0.1; done
grep -q '^ready$' "$tmp/stdout" || fail "simnet not ready"

q() { dig +short +time=2 +tries=1 -p 5353 "$@" | sort; }
expect() { # expect NAME FIELD: the manifest's answer list for NAME, sorted
  /usr/bin/python3 - "$tmp/m.json" "$1" "$2" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
seed = [s for s in m["dns"]["seeds"] if s["name"] == sys.argv[2]]
assert seed, "no seed %s in the manifest" % sys.argv[2]
print("\n".join(sorted(seed[0][sys.argv[3]])))
EOF
}

names=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(open(sys.argv[1]))["dns"]["seeds"]))' "$tmp/m.json")
[ "$(echo "$names" | wc -w)" = 8 ] || fail "4 seeds, plain and x9: $names"
for name in $names; do
  for server in 127.0.0.1 ::1; do
    [ "$(q @"$server" "$name" A)" = "$(expect "$name" a)" ] || fail "$name A via $server"
    [ "$(q @"$server" "$name" AAAA)" = "$(expect "$name" aaaa)" ] || fail "$name AAAA via $server"
  done
  [ "$(q +tcp @127.0.0.1 "$name" A)" = "$(expect "$name" a)" ] || fail "$name A over TCP"
  [ -n "$(expect "$name" a)" ] && [ -n "$(expect "$name" aaaa)" ] || fail "$name has answers"
done

# Every answer is a good node of the network; x9 answers have NODE_NETWORK|NODE_WITNESS.
/usr/bin/python3 - "$tmp/m.json" <<'EOF'
import ipaddress, json, sys
m = json.load(open(sys.argv[1]))
by_host = {n["addr"].rsplit(":", 1)[0].strip("[]"): n for n in m["nodes"]}
for s in m["dns"]["seeds"]:
    assert len(s["a"]) == 10 and len(s["aaaa"]) == 10, s
    for host in s["a"] + s["aaaa"]:
        n = by_host[host]
        assert n["good"] and n["addr"].endswith(":8333"), n
        if s["name"].startswith("x9."):
            assert n["services"] & 9 == 9, n
# the seeds overlap little: different slices of the good nodes
plain = [set(s["a"]) for s in m["dns"]["seeds"] if s["name"].startswith("seed")]
assert all(not (a & b) for i, a in enumerate(plain) for b in plain[i + 1:]), plain
EOF

# Other filters: every answer has the bits asked for.
for f in 1 5 9 d 49 409; do
  for host in $(q @127.0.0.1 "x$f.seed2.sim.test" A); do
    grep -q "\"$host:8333\"" "$tmp/m.json" || fail "x$f answer $host is no node"
  done
done
[ -n "$(q @127.0.0.1 x49.seed1.sim.test A)" ] || fail "x49 (compact filters) answers"

status() { dig +time=2 +tries=1 -p 5353 @127.0.0.1 "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
[ "$(status seed9.sim.test A)" = NXDOMAIN ] || fail "seed9 (only 4 seeds) is NXDOMAIN"
[ "$(status www.sim.test A)" = NXDOMAIN ] || fail "www.sim.test is NXDOMAIN"
[ "$(status xzz.seed1.sim.test A)" = NXDOMAIN ] || fail "bad filter is NXDOMAIN"
[ "$(status seed1.example.org A)" = REFUSED ] || fail "outside the zone: REFUSED"
[ "$(status seed1.sim.test MX)" = NOERROR ] || fail "MX: NODATA"
dig +time=2 +tries=1 -p 5353 @127.0.0.1 seed1.sim.test MX | grep -q 'IN.SOA' || fail "NODATA with SOA"
dig +time=2 +tries=1 -p 5353 @127.0.0.1 seed1.sim.test A | grep -q 'flags: qr aa' || fail "AA"
q @127.0.0.1 sim.test SOA | grep -q '^ns.sim.test. hostmaster.sim.test. 1 ' || fail "SOA"
[ "$(q @127.0.0.1 sim.test NS)" = "ns.sim.test." ] || fail "NS"
# Names are case-insensitive.
[ "$(q @127.0.0.1 SeEd1.SIM.test A)" = "$(expect seed1.sim.test a)" ] || fail "case"
# A garbage datagram gets no answer and does not stop the server.
printf 'garbage' > /dev/udp/127.0.0.1/5353
[ "$(q @127.0.0.1 seed1.sim.test A)" = "$(expect seed1.sim.test a)" ] || fail "after garbage"

kill "$pid"
wait "$pid" || fail "exit status $? after SIGTERM"
pid=
echo ok
