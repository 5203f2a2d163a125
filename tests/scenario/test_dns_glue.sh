#!/bin/bash
# A name server inside the zone (--ns ns.seed.example.org): `serve` refuses to
# start without its addresses; with --ns-addr it answers A/AAAA for that name
# and gives them as glue in NS answers (dig, UDP and TCP); and unbound,
# priming a stub zone, follows that glue to the address it names.
. "$(dirname "$0")/dns_common.sh"
NS=ns.$ZONE
make_db 100 30
"$BTCSEED_BUILD/dns_mkdb" "$WORK/two.db" 3 0 > "$WORK/two.txt"

# --- refusals: one line, exit 2, before anything is bound
refuse() { # EXPECTED_TEXT COMMAND ARGS...
  local want=$1 rc=0
  shift
  timeout 10 "$BTCSEED" "$@" > "$WORK/refuse.out" 2>&1 || rc=$?
  [ $rc -eq 2 ] || fail "'$*' exit $rc (want 2): $(cat "$WORK/refuse.out")"
  [ "$(wc -l < "$WORK/refuse.out")" -eq 1 ] || fail "'$*' said more than one line: $(cat "$WORK/refuse.out")"
  grep -q -- "$want" "$WORK/refuse.out" || fail "'$*': $(cat "$WORK/refuse.out")"
}
dns_args=(--zone $ZONE --mbox hostmaster@example.org --listen 127.0.0.20:53)
refuse "is inside the zone $ZONE.*--ns-addr" serve --db "$WORK/nodes.db" --ns $NS "${dns_args[@]}"
refuse "is inside the zone $ZONE.*--ns-addr" run --db "$WORK/run.db" --ns $NS "${dns_args[@]}"
refuse "is outside" serve --db "$WORK/nodes.db" --ns ns.example.net --ns-addr 192.0.2.53 "${dns_args[@]}"
refuse "not an IPv4 or IPv6 address" serve --db "$WORK/nodes.db" --ns $NS --ns-addr 192.0.2.300 \
  "${dns_args[@]}"
refuse "apex or an x<hex> name" serve --db "$WORK/nodes.db" --ns x9.$ZONE --ns-addr 192.0.2.53 \
  "${dns_args[@]}"
[ ! -e "$WORK/run.db" ] || fail "run created its database before refusing"
pass "in-zone --ns without --ns-addr (serve and run), --ns-addr with an outside --ns, a bad address, --ns at a filter name: one line, exit 2"

# --- answers: the first server says the name server is 127.0.0.21
SERVE_NS=$NS start_serve main 127.0.0.20 53 --ns-addr 127.0.0.21 --ns-addr 2001:db8::53
for proto in +notcp +tcp; do
  out=$(dig $proto +norecurse @127.0.0.20 $ZONE NS)
  echo "$out" | grep -q "status: NOERROR" || fail "NS $proto: $out"
  echo "$out" | grep -q "flags: qr aa;.*ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 3" ||
    fail "NS $proto header: $(echo "$out" | grep flags)"
  [ "$(echo "$out" | awk '$1 !~ /^;/ && $4 == "NS" {print $1, $2, $5}')" = "$ZONE. 21600 $NS." ] ||
    fail "NS record $proto: $out"
  glue=$(echo "$out" | sed -n '/ADDITIONAL SECTION/,/^$/p' | awk '$1 !~ /^;/ && NF == 5 {print $1, $2, $4, $5}')
  [ "$glue" = "$NS. 21600 A 127.0.0.21
$NS. 21600 AAAA 2001:db8::53" ] || fail "glue $proto: '$glue'"
done
pass "NS answers (UDP and TCP) carry the glue: A 127.0.0.21, AAAA 2001:db8::53"

[ "$(dig +norecurse +short @127.0.0.20 Ns.SEED.example.org A)" = 127.0.0.21 ] || fail "A at $NS"
[ "$(dig +norecurse +short @127.0.0.20 $NS AAAA)" = 2001:db8::53 ] || fail "AAAA at $NS"
out=$(dig +norecurse @127.0.0.20 $NS TXT)
echo "$out" | grep -q "status: NOERROR.*" && echo "$out" | grep -q "ANSWER: 0, AUTHORITY: 1" ||
  fail "TXT at $NS: $out"
out=$(dig +norecurse @127.0.0.20 nothere.$ZONE A)
echo "$out" | grep -q "status: NXDOMAIN" || fail "nothere: $out"
out=$(kdig +norecurse @127.0.0.20 $NS A)
echo "$out" | grep -q "NOERROR" && echo "$out" | grep -q "127.0.0.21" || fail "kdig A at $NS: $out"
addrs=$(dig +norecurse +short @127.0.0.20 $ZONE A)
[ "$(echo "$addrs" | wc -l)" -ge 20 ] || fail "A at the apex: $addrs"
for a in $addrs; do good_addr "$a" || fail "apex A $a is not a good node"; done
pass "A/AAAA at $NS (any case, dig and kdig) are the server's addresses; other types NODATA; the apex still gives nodes"

# --- a resolver follows the glue. A second server, with a database of 3
# nodes, runs at the glue's address; unbound is told only of the first.
"$BTCSEED" serve --db "$WORK/two.db" --zone $ZONE --ns $NS --mbox hostmaster@example.org \
  --ns-addr 127.0.0.21 --listen 127.0.0.21:53 --threads 1 > "$WORK/two.log" 2>&1 &
SERVE_PIDS+=($!)
{ unbound_server_conf 5330 53 2; cat <<CONF
  local-zone: "$ZONE." transparent
stub-zone:
  name: "$ZONE."
  stub-addr: 127.0.0.20@53
  stub-prime: yes
CONF
} > "$WORK/unbound.conf"
unbound -d -c "$WORK/unbound.conf" > "$WORK/unbound.out.log" 2>&1 &
SERVE_PIDS+=($!)
for _ in $(seq 50); do
  dig +time=1 +tries=1 @127.0.0.21 $ZONE SOA > /dev/null 2>&1 &&
    dig +time=1 +tries=1 @127.0.0.1 -p 5330 $ZONE SOA > /dev/null 2>&1 && break
  sleep 0.2
done
addrs=$(dig +time=5 +tries=1 +short @127.0.0.1 -p 5330 $ZONE A | sort)
[ "$addrs" = "$(awk '$3 == 1 {print $1}' "$WORK/two.txt" | sort)" ] ||
  fail "unbound did not answer from the glue's server: '$addrs' $(cat "$WORK/unbound.log")"
grep -q "priming successful for $ZONE. NS IN" "$WORK/unbound.log" || fail "unbound did not prime"
grep -q "reply from <$ZONE.> 127.0.0.21#53" "$WORK/unbound.log" || fail "no reply from 127.0.0.21"
pass "unbound primed from 127.0.0.20 and followed the glue to 127.0.0.21 (its 3 nodes)"
echo "all glue checks passed"
