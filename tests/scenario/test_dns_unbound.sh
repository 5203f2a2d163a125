#!/bin/bash
# unbound as a recursive resolver on loopback, with a stub zone pointing at
# `btcseed serve`: answers, NXDOMAIN and REFUSED reach the client as a real
# resolver hands them on, with 0x20 case randomisation on.
. "$(dirname "$0")/dns_common.sh"
make_db 200 30
start_serve main 127.0.0.1 5321
{ unbound_server_conf 5330 5330 1; cat <<CONF
  use-caps-for-id: yes
  qname-minimisation: no
  local-zone: "$ZONE." transparent
  local-zone: "example.org." transparent
stub-zone:
  name: "$ZONE."
  stub-addr: 127.0.0.1@5321
stub-zone:
  name: "example.org."
  stub-addr: 127.0.0.1@5321
CONF
} > "$WORK/unbound.conf"
unbound -d -c "$WORK/unbound.conf" > "$WORK/unbound.out.log" 2>&1 &
SERVE_PIDS+=($!)
R="dig +time=5 +tries=1 @127.0.0.1 -p 5330"
for _ in $(seq 50); do $R $ZONE SOA > /dev/null 2>&1 && break; sleep 0.2; done

for t in A AAAA; do
  out=$($R $ZONE $t)
  echo "$out" | grep -q "status: NOERROR" || fail "$t via unbound: $out"
  echo "$out" | grep -q "flags: qr rd ra;" || fail "$t flags via unbound"
  addrs=$(echo "$out" | awk -v t=$t '$1 !~ /^;/ && $4 == t {print $5}')
  [ -n "$addrs" ] || fail "no $t via unbound"
  for a in $addrs; do good_addr "$a" || fail "$a via unbound is not good"; done
done
addrs=$($R +short x9.$ZONE A)
[ -n "$addrs" ] || fail "x9 via unbound"
for a in $addrs; do grep -q "^$a \(9\|409\|d\|49\|c09\) 1\$" "$WORK/manifest.txt" || fail "x9 gave $a"; done
pass "A, AAAA and x9 through unbound (use-caps-for-id on): good nodes only"

out=$($R nothere.$ZONE A)
echo "$out" | grep -q "status: NXDOMAIN" || fail "NXDOMAIN via unbound: $(echo "$out" | grep status)"
echo "$out" | grep -q "SOA" || fail "NXDOMAIN via unbound lacks SOA"
out=$($R $ZONE TXT)
echo "$out" | grep -q "status: NOERROR" && echo "$out" | grep -q "ANSWER: 0" || fail "NODATA via unbound"
pass "NXDOMAIN and NODATA (with SOA) pass through unbound"

# A name the stub sends us but that is outside our zone: we refuse, and the
# resolver turns the lame answer into SERVFAIL rather than inventing data.
out=$(dig +time=15 +tries=1 @127.0.0.1 -p 5330 www.example.org A)
echo "$out" | grep -q "status: SERVFAIL" || fail "REFUSED via unbound: $(echo "$out" | grep status)"
pass "REFUSED from btcseed becomes SERVFAIL at unbound"

# The answers are cached for the 60 s TTL: a second query comes from the cache.
a1=$($R +short $ZONE A | sort)
a2=$($R +short $ZONE A | sort)
[ "$a1" = "$a2" ] || fail "unbound did not cache the answer"
pass "unbound caches the answer (TTL 60)"
echo "all unbound checks passed"
