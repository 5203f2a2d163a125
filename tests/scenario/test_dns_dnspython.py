"""dnspython (Debian's, /usr/bin/python3) against `btcseed serve`: record
types, RCODEs, EDNS, x-filters checked against the database contents, and
malformed packets that must get FORMERR or silence, never a dead server."""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

ZONE = "seed.example.org."
IP, PORT = "127.0.0.1", 5311
work = tempfile.mkdtemp()
procs = []


def fail(msg):
    print("FAIL:", msg)
    for p in procs:
        p.kill()
    with open(os.path.join(work, "serve.log")) as f:
        sys.stdout.write(f.read())
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def query(name, rdtype, tcp=False, **kw):
    q = dns.message.make_query(name, rdtype, **kw)
    q.flags &= ~dns.flags.RD
    if tcp:
        return dns.query.tcp(q, IP, port=PORT, timeout=3)
    return dns.query.udp(q, IP, port=PORT, timeout=3)


def raw(packet, expect_reply=True):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2 if expect_reply else 0.2)
    s.sendto(packet, (IP, PORT))
    try:
        data = s.recv(4096)
    except socket.timeout:
        data = None
    s.close()
    check((data is not None) == expect_reply, "reply expected=%s for %r" % (expect_reply, packet))
    return data


try:
    with open(os.path.join(work, "manifest.txt"), "w") as out:
        subprocess.run([os.path.join(os.environ["BTCSEED_BUILD"], "dns_mkdb"),
                        os.path.join(work, "nodes.db"), "500", "30"], stdout=out, check=True)
    good = {}
    bad = set()
    for line in open(os.path.join(work, "manifest.txt")):
        addr, svcs, is_good = line.split()
        if is_good == "1":
            good[addr] = int(svcs, 16)
        else:
            bad.add(addr)
    log = open(os.path.join(work, "serve.log"), "w")
    procs.append(subprocess.Popen(
        [os.environ["BTCSEED"], "serve", "--db", os.path.join(work, "nodes.db"),
         "--zone", ZONE, "--ns", "ns.example.net", "--mbox", "hostmaster@example.org",
         "--listen", "%s:%d" % (IP, PORT), "--threads", "1"], stdout=log, stderr=log))
    for _ in range(100):
        try:
            query(ZONE, "SOA")
            break
        except Exception:
            time.sleep(0.1)

    # A / AAAA, UDP and TCP, with and without EDNS.
    for tcp in (False, True):
        for rdtype, family in (("A", 4), ("AAAA", 6)):
            r = query(ZONE, rdtype, tcp=tcp, use_edns=0, payload=1232)
            check(r.rcode() == dns.rcode.NOERROR, "rcode %s" % rdtype)
            check(r.flags & dns.flags.AA and r.flags & dns.flags.QR, "flags")
            check(not r.flags & dns.flags.AD and not r.flags & dns.flags.RD, "AD/RD")
            addrs = [rd.address for rr in r.answer for rd in rr]
            check(len(addrs) == 32, "%s count %d" % (rdtype, len(addrs)))
            check(all(a in good for a in addrs), "not good: %s" % addrs)
            check(r.answer[0].ttl == 60, "TTL")
            check(r.edns == 0 and r.payload == 1232, "EDNS echo")
    print("ok: A/AAAA over UDP and TCP: 32 good nodes each, TTL 60, EDNS echoed")

    # Every filter the issue names, against the database contents.
    for hexs in ("1", "5", "9", "d", "49", "409", "809", "849", "c09", "D", "C09"):
        bits = int(hexs, 16)
        expected = {a for a, s in good.items() if s & bits == bits}
        got = set()
        for rdtype in ("A", "AAAA"):
            for _ in range(3):
                r = query("x%s.%s" % (hexs, ZONE), rdtype, use_edns=0)
                check(r.rcode() == dns.rcode.NOERROR, "x%s rcode" % hexs)
                got |= {rd.address for rr in r.answer for rd in rr}
        check(got <= expected, "x%s returned nodes without the bits: %s" % (hexs, got - expected))
        check(bool(got) == bool(expected), "x%s: expected some of %d" % (hexs, len(expected)))
        check(not (got & bad), "x%s returned a bad node" % hexs)
    print("ok: x-filters return only good nodes with the requested service bits")

    # 0x20
    r = query("sEeD.eXaMpLe.OrG.", "A")
    check(r.question[0].name.to_text() == "sEeD.eXaMpLe.OrG.", "0x20: %s" % r.question[0].name)
    print("ok: 0x20 case kept")

    # Types and RCODEs.
    r = query(ZONE, "SOA")
    soa = r.answer[0][0]
    check(str(soa.mname) == "ns.example.net." and str(soa.rname) == "hostmaster.example.org.", "SOA")
    check(soa.minimum == 60, "SOA minimum")
    r = query(ZONE, "NS")
    check(str(r.answer[0][0].target) == "ns.example.net.", "NS")
    r = query(ZONE, "ANY")
    check(r.answer[0].rdtype == dns.rdatatype.HINFO, "ANY")
    for name, rdtype in ((ZONE, "MX"), ("x9." + ZONE, "SOA"), (ZONE, "CAA")):
        r = query(name, rdtype)
        check(r.rcode() == dns.rcode.NOERROR and not r.answer, "NODATA %s %s" % (name, rdtype))
        check(r.authority[0].rdtype == dns.rdatatype.SOA, "NODATA SOA")
    r = query("foo.bar." + ZONE, "A")
    check(r.rcode() == dns.rcode.NXDOMAIN and r.authority[0].rdtype == dns.rdatatype.SOA, "NXDOMAIN")
    r = query("bitcoin.org.", "A")
    check(r.rcode() == dns.rcode.REFUSED and not r.flags & dns.flags.AA, "REFUSED")
    q = dns.message.make_query(ZONE, "A")
    q.use_edns(edns=2, payload=1232)  # edns=1 would read as True, i.e. version 0
    r = dns.query.udp(q, IP, port=PORT, timeout=3)
    check(r.rcode() == dns.rcode.BADVERS, "BADVERS %s" % dns.rcode.to_text(r.rcode()))
    q = dns.message.make_query(ZONE, "A")
    q.set_opcode(dns.opcode.NOTIFY)
    r = dns.query.udp(q, IP, port=PORT, timeout=3)
    check(r.rcode() == dns.rcode.NOTIMP, "NOTIMP")
    print("ok: SOA, NS, ANY, NODATA, NXDOMAIN, REFUSED, BADVERS, NOTIMP")

    # EDNS: unknown option ignored; huge payload capped at 1232.
    opt = dns.edns.GenericOption(65001, b"hello")
    r = query(ZONE, "AAAA", use_edns=0, payload=65535, options=[opt])
    check(r.rcode() == dns.rcode.NOERROR and not r.options, "unknown option")
    check(len(r.to_wire()) <= 1232, "size %d" % len(r.to_wire()))
    print("ok: unknown EDNS option ignored, 65535-byte payload capped to 1232")

    # Malformed packets.
    qid = 0x4242
    hdr = lambda qd, an=0, ns=0, ar=0, flags=0: struct.pack(">6H", qid, flags, qd, an, ns, ar)
    question = dns.message.make_query(ZONE, "A").to_wire()[12:]
    for n in range(0, 12):
        raw(hdr(1)[:n], expect_reply=False)                      # truncated header
    raw(hdr(1, flags=0x8000) + question, expect_reply=False)    # a response
    formerr = [
        hdr(0),                                                  # QDCOUNT 0
        hdr(2) + question + question,                            # QDCOUNT 2
        hdr(1) + b"\xc0\x0c\x00\x01\x00\x01",                    # pointer loop
        hdr(1) + b"\xc3\xff\x00\x01\x00\x01",                    # pointer out of range
        hdr(1) + b"\x07seed\x00",                                # label past the end
        hdr(1) + question[:-3],                                  # truncated question
        hdr(1) + b"\x41abc\x00\x00\x01\x00\x01",                 # reserved label type
        hdr(1) + (b"\x3f" + b"a" * 63) * 4 + b"\x00\x00\x01\x00\x01",  # name > 255
        hdr(1, ar=1) + question,                                 # missing OPT
        hdr(1, ar=1) + question + b"\x00\x00\x29\xff\xff\x00\x00\x00\x00\x00\x08\x00\x01\x00\x09",
    ]
    for p in formerr:
        data = raw(p)
        check(struct.unpack(">H", data[:2])[0] == qid, "id")
        check(data[2] & 0x80 and (data[3] & 0xf) == dns.rcode.FORMERR, "FORMERR for %r" % p)
    r = query(ZONE, "A")
    check(r.rcode() == dns.rcode.NOERROR and r.answer, "server still answers")
    print("ok: malformed packets get FORMERR or silence; the server keeps answering")
finally:
    for p in procs:
        p.terminate()
        p.wait()
    shutil.rmtree(work, ignore_errors=True)
print("all dnspython checks passed")
