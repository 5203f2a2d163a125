"""simnet: a small crawler written here (Python, Bitcoin Core's rules) starts
from the seed DNS names only, follows the gossip, and finds exactly the
reachable nodes the manifest lists, over IPv4, IPv6 and onion (through
simnet's SOCKS5 proxy), with every hostile
kind present; every address of the network is learned from gossip, and
nothing outside the network is gossiped except the documented junk."""
import concurrent.futures
import ipaddress
import os
import socket
import subprocess
import sys
import time

import dns.message
import dns.query
import dns.rdatatype

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simnet_client import (MAGIC, Peer, Simnet, check, parse_addr, parse_addrv2,  # noqa: E402
                           parse_version, split_addr, version_payload)

PREFIX = "2001:db8:2::/64"
DNS = ("127.0.0.1", 5353)
subprocess.run(["ip", "-6", "route", "add", "local", PREFIX, "dev", "lo"], check=True)

PROXY = ("127.0.0.1", 9050)
s = Simnet("--nodes", "3000", "--dead", "900", "--silent", "60", "--slow", "20",
           "--slow-delay", "300", "--hostile", "220", "--ipv6", "0.15", "--ipv6-prefix", PREFIX,
           "--onion", "0.1", "--socks5", "%s:%d" % PROXY,
           "--seed", "11", "--trickle-ms", "200", "--dns", "%s:%d" % DNS)
m = s.manifest
magic = MAGIC[m["chain"]]
network = {n["addr"]: n for n in m["nodes"]}
check(sum(n["net"] == "ipv6" for n in m["nodes"]) == 450, "450 IPv6 nodes")
check(sum(n["net"] == "onion" for n in m["nodes"]) == 300, "300 onion nodes")
junk_ranges = [ipaddress.ip_network(c) for c in m["junk"]["public"] + m["junk"]["reserved"]]


def resolve(name, rdtype):
    q = dns.message.make_query(name, rdtype)
    r = dns.query.udp(q, DNS[0], port=DNS[1], timeout=3)
    return sorted(rr.address for rrset in r.answer for rr in rrset)


start = set()
for seed in m["dns"]["seeds"]:
    a, aaaa = resolve(seed["name"], "A"), resolve(seed["name"], "AAAA")
    check(a == sorted(seed["a"]) and aaaa == sorted(seed["aaaa"]),
          "%s answers as the manifest says" % seed["name"])
    check(len(a) > 0 and len(aaaa) > 0, "%s has A and AAAA answers" % seed["name"])
    for host in a + aaaa:
        addr = ("[%s]:%d" if ":" in host else "%s:%d") % (host, m["port"])
        check(network[addr]["good"], "seed answer %s is good" % addr)
        start.add(addr)


def visit(addr):
    """(reachable, entries) as a crawler with Core's rules sees it."""
    host, port = split_addr(addr)
    try:
        p = Peer(host, port, magic, timeout=2.0, proxy=PROXY if host.endswith(".onion") else None)
    except (OSError, EOFError):
        return False, []
    try:
        p.send("version", version_payload())
        deadline = time.time() + 2.0
        got_version = False
        while True:
            if time.time() > deadline:
                return False, []
            cmd, payload = p.recv()
            if cmd == "version" and not got_version:
                v = parse_version(payload)
                if v["version"] < 31800:
                    return False, []
                got_version = True
                p.send("sendaddrv2")
                p.send("verack")
            elif cmd == "verack" and got_version:
                break
        p.send("getaddr")
        entries = []
        p.sock.settimeout(0.5)
        try:
            while len(entries) < 1000:
                cmd, payload = p.recv()
                try:
                    if cmd == "addr":
                        entries += parse_addr(payload)
                    elif cmd == "addrv2":
                        entries += parse_addrv2(payload)[0]
                except ValueError:
                    pass  # a malformed message is dropped whole
        except (socket.timeout, ValueError, EOFError, OSError):
            pass
        return True, entries
    except (socket.timeout, ValueError, EOFError, OSError):
        return False, []
    finally:
        p.close()


t0 = time.time()
seen, reachable, outside = set(start), set(), set()
pending = list(start)
with concurrent.futures.ThreadPoolExecutor(max_workers=96) as pool:
    futures = {pool.submit(visit, a): a for a in pending}
    while futures:
        done, _ = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
        for f in done:
            addr = futures.pop(f)
            ok, entries = f.result()
            if ok:
                reachable.add(addr)
            for _, _, a in entries:
                if a in seen:
                    continue
                seen.add(a)
                if a in network:
                    futures[pool.submit(visit, a)] = a
                else:
                    outside.add(a)

expected = {a for a, n in network.items() if n["reachable"]}
check(reachable == expected,
      "reachable set differs: missing %s, extra %s" %
      (sorted(expected - reachable)[:5], sorted(reachable - expected)[:5]))
check(set(network) <= seen, "every address of the network is gossiped (%d not)" %
      len(set(network) - seen))
check(any(a.endswith(".onion:8333") for a in reachable), "onion nodes reached by name")
for a in outside:
    host, _ = split_addr(a)
    ip = ipaddress.ip_address(host)
    check(any(ip in r for r in junk_ranges), "gossiped %s is neither a node nor junk" % a)
check(outside, "hostile nodes gossiped junk")
kinds = {n["behaviour"] for n in m["nodes"]}
check(len(kinds) == 15, "every behaviour but churn present: %s" % sorted(kinds))
s.stop()
print("ok: %d reachable of %d, %d junk addresses, crawl %.1f s" %
      (len(reachable), len(network), len(outside), time.time() - t0))
