#!/bin/bash
# dig, kdig and drill against `btcseed serve` over UDP and TCP: every record
# type and RCODE, EDNS, 0x20 case, service filters, TC then TCP retry.
. "$(dirname "$0")/dns_common.sh"
make_db 300 30
start_serve main 127.0.0.1 5301
start_serve main6 ::1 5302
D="dig +norecurse @127.0.0.1 -p 5301"

# A over UDP: only good IPv4 nodes, 32 with EDNS, all different /16s, TTL 60.
out=$($D $ZONE A)
echo "$out" | grep -q "status: NOERROR" || fail "A status"
echo "$out" | grep -q "flags: qr aa;" || fail "A flags (want qr aa, no rd/ad): $(echo "$out" | grep flags)"
addrs=$(echo "$out" | awk '$4 == "A" {print $5}')
[ "$(echo "$addrs" | wc -l)" -eq 32 ] || fail "want 32 A records, got $(echo "$addrs" | wc -l)"
for a in $addrs; do good_addr "$a" || fail "A $a is not a good node"; done
[ "$(echo "$addrs" | cut -d. -f1-2 | sort -u | wc -l)" -eq 32 ] || fail "two A records share a /16"
echo "$out" | awk '$4 == "A" && $2 != 60 {exit 1}' || fail "A TTL is not 60"
pass "A: 32 good IPv4 nodes, distinct /16s, TTL 60"

# Without EDNS: as many as fit in 512 bytes.
out=$($D +noedns $ZONE A)
n=$(echo "$out" | awk '$4 == "A"' | wc -l)
[ "$n" -eq 29 ] || fail "no-EDNS A count $n (want 29)"
size=$(echo "$out" | sed -n 's/.*MSG SIZE  rcvd: \([0-9]*\).*/\1/p')
[ "$size" -le 512 ] && [ "$size" -gt $((512 - 16)) ] || fail "no-EDNS size $size"
pass "A without EDNS: 29 records in $(echo "$out" | grep -o 'rcvd: [0-9]*')"

# AAAA over IPv6 and TCP; RD copied.
for tcp in +notcp +tcp; do
  out=$(dig +recurse $tcp @::1 -p 5302 $ZONE AAAA)
  echo "$out" | grep -q "flags: qr aa rd;" || fail "AAAA $tcp flags"
  addrs=$(echo "$out" | awk '$4 == "AAAA" {print $5}')
  [ -n "$addrs" ] || fail "no AAAA ($tcp)"
  for a in $addrs; do good_addr "$a" || fail "AAAA $a is not a good node"; done
done
pass "AAAA over UDP and TCP on ::1: good IPv6 nodes, RD copied"

# kdig and drill, UDP and TCP.
for tcp in "" +tcp; do
  addrs=$(kdig $tcp @127.0.0.1 -p 5301 +short x9.$ZONE A)
  [ -n "$addrs" ] || fail "kdig $tcp empty"
  for a in $addrs; do grep -q "^$a \(9\|409\|d\|49\|c09\) 1\$" "$WORK/manifest.txt" || fail "kdig x9 gave $a"; done
done
for t in "" -t; do
  out=$(drill $t -p 5301 @127.0.0.1 $ZONE AAAA)
  echo "$out" | grep -q "rcode: NOERROR" || fail "drill $t rcode"
  addrs=$(echo "$out" | awk '$1 !~ /^;/ && $4 == "AAAA" {print $5}')
  [ -n "$addrs" ] || fail "drill $t: no AAAA"
  for a in $addrs; do good_addr "$a" || fail "drill $a"; done
done
pass "kdig (x9, UDP/TCP) and drill (UDP/TCP)"

# Service filters: every address offers the bits asked for; case-insensitive.
for f in 1 5 9 d D 49 409 809 849 c09 C09 8; do
  want=$((16#$f))
  for a in $($D +short x$f.$ZONE A) $($D +short x$f.$ZONE AAAA); do
    svcs=$(awk -v a="$a" '$1 == a && $3 == 1 {print $2}' "$WORK/manifest.txt")
    [ -n "$svcs" ] || fail "x$f: $a not good"
    (( (16#$svcs & want) == want )) || fail "x$f: $a has services $svcs"
  done
done
[ -n "$($D +short x409.$ZONE A)" ] || fail "x409 empty"
pass "x-filters return only nodes with the requested bits"

# 0x20: the question comes back with the case it was asked in.
out=$($D +noedns SeEd.ExAmPlE.OrG A)
echo "$out" | grep -q "^;SeEd.ExAmPlE.OrG\.[[:space:]]*IN[[:space:]]*A" || fail "0x20 question"
echo "$out" | grep -q "^SeEd.ExAmPlE.OrG\.[[:space:]]*60[[:space:]]*IN[[:space:]]*A" || fail "0x20 answer"
pass "0x20 case preserved"

# NS, SOA, ANY, NODATA, NXDOMAIN, REFUSED, NOTIMP, FORMERR, BADVERS.
[ "$($D +short $ZONE NS)" = "ns.example.net." ] || fail "NS"
soa=$($D +short $ZONE SOA)
echo "$soa" | grep -q "^ns.example.net. hostmaster.example.org. [0-9]* 3600 600 1209600 60\$" || fail "SOA: $soa"
$D $ZONE ANY | grep -q 'HINFO.*"RFC8482"' || fail "ANY"
out=$($D $ZONE TXT)
echo "$out" | grep -q "status: NOERROR.*" && echo "$out" | grep -q "ANSWER: 0, AUTHORITY: 1" || fail "NODATA TXT"
echo "$out" | grep -q "IN[[:space:]]*SOA" || fail "NODATA without SOA"
out=$($D x9.$ZONE NS)
echo "$out" | grep -q "ANSWER: 0, AUTHORITY: 1" || fail "NODATA NS at x9"
out=$($D nothere.$ZONE A)
echo "$out" | grep -q "status: NXDOMAIN" && echo "$out" | grep -q "flags: qr aa;" || fail "NXDOMAIN"
echo "$out" | grep -q "IN[[:space:]]*SOA" || fail "NXDOMAIN without SOA"
for bad in x0 x09 x10000 xz; do $D $bad.$ZONE A | grep -q "status: NXDOMAIN" || fail "$bad not NXDOMAIN"; done
out=$($D example.com A)
echo "$out" | grep -q "status: REFUSED" || fail "REFUSED"
echo "$out" | grep -q "flags: qr;" || fail "REFUSED must not be authoritative"
$D +tcp $ZONE AXFR 2>&1 | grep -qi "Transfer failed\|REFUSED" || fail "AXFR"
$D -c CH version.bind TXT | grep -q "status: REFUSED" || fail "CHAOS"
$D +opcode=2 $ZONE A 2>&1 | grep -q "status: NOTIMP" || fail "NOTIMP"
out=$($D +edns=1 +noednsneg $ZONE A)
echo "$out" | grep -q "status: BADVERS" || fail "BADVERS: $(echo "$out" | grep status)"
kdig @127.0.0.1 -p 5301 +edns=1 $ZONE A | grep -q "BADVERS" || fail "kdig BADVERS"
pass "NS, SOA, ANY (RFC 8482), NODATA+SOA, NXDOMAIN+SOA, REFUSED, AXFR refused, NOTIMP, BADVERS"

# FORMERR: a query with no question (dnspython test sends more malformed packets).
/usr/bin/python3 - <<'PY' || fail "FORMERR for QDCOUNT 0"
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(struct.pack(">6H", 0x1234, 0x0100, 0, 0, 0, 0), ("127.0.0.1", 5301))
r = s.recv(512)
assert struct.unpack(">6H", r[:12]) == (0x1234, 0x8101, 0, 0, 0, 0), r
PY
pass "FORMERR for QDCOUNT 0"

# EDNS: payload 1232 echoed, DO echoed, huge client size still capped.
out=$($D +dnssec +bufsize=65000 $ZONE AAAA)
echo "$out" | grep -q "EDNS: version: 0, flags: do; udp: 1232" || fail "EDNS echo: $(echo "$out" | grep EDNS)"
size=$(echo "$out" | sed -n 's/.*MSG SIZE  rcvd: \([0-9]*\).*/\1/p')
[ "$size" -le 1232 ] || fail "response $size > 1232"
pass "EDNS: udp 1232 and DO echoed, response $size bytes"

# TC then TCP retry: a zone whose SOA cannot fit in 512 bytes.
L=$(printf 'a%.0s' $(seq 63))
SERVE_ZONE="$L.$L.example" SERVE_NS="$L.$L.$L.ns" SERVE_MBOX="$L.$L.$L.mb" start_serve long 127.0.0.2 5303
out=$(dig +noedns @127.0.0.2 -p 5303 "$L.$L.example" SOA)
echo "$out" | grep -q "Truncated, retrying in TCP mode" || fail "no TC retry: $out"
echo "$out" | grep -q "ANSWER: 1," || fail "no SOA after TCP retry"
out=$(dig +noedns +ignore @127.0.0.2 -p 5303 "$L.$L.example" SOA)
echo "$out" | grep -q "flags: qr aa tc rd;" || fail "TC flag: $(echo "$out" | grep flags)"
kdig +notcp +noedns @127.0.0.2 -p 5303 "$L.$L.example" SOA | grep -q "TC" || fail "kdig TC"
pass "TC set when the answer does not fit; dig retried over TCP and got it"

# Several queries on one TCP connection (RFC 7766 pipelining).
kdig +tcp +keepopen @127.0.0.1 -p 5301 $ZONE A $ZONE AAAA $ZONE NS > "$WORK/keepopen.txt"
[ "$(grep -c 'status: NOERROR' "$WORK/keepopen.txt")" -eq 3 ] || fail "keepopen"
pass "three queries on one TCP connection"
echo "all DNS client checks passed"
