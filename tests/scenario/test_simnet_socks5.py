"""simnet: onion nodes, gossiped in addrv2 only, are reached by name through
simnet's own SOCKS5 proxy as Tor would relay them; the proxy refuses dead
nodes, reports unknown hosts unreachable, and rejects what it does not speak."""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simnet_client import (MAGIC, Simnet, SocksError, check, frame, getaddr,  # noqa: E402
                           handshake, onion_name, socks5_connect, split_addr, version_payload)

PROXY = ("127.0.0.1", 9050)
s = Simnet("--nodes", "800", "--onion", "200", "--dead", "160", "--silent", "10", "--seed", "12",
           "--socks5", "%s:%d" % PROXY, "--manifest-gossip")
m = s.manifest
magic = MAGIC[m["chain"]]
onions = s.nodes(net="onion")
check(len(onions) == 200 and m["onion_nodes"] == 200, "200 onion nodes")
check(m["socks5"] == "127.0.0.1:9050", "the proxy is in the manifest")
check(all(".onion:" in n["addr"] for n in onions), "onion addresses in the manifest")

# Good onion nodes: a handshake by name through the proxy, fields as listed.
good = [n for n in onions if n["good"]][:5]
check(len(good) == 5, "good onion nodes exist")
for n in good:
    host, port = split_addr(n["addr"])
    p, v, seen = handshake(host, port, magic, proxy=PROXY)
    check(v["version"] == n["version"] and v["user_agent"].decode() == n["user_agent"],
          "%s: version through the proxy" % n["addr"])
    p.send("verack")
    entries, _ = getaddr(p, want=n["view_size"])
    check(len(entries) == n["view_size"], "%s: whole answer through the proxy" % n["addr"])
    p.close()

# An IPv4 node is reachable through the proxy too (by address).
n = [n for n in s.nodes(net="ipv4") if n["good"]][0]
host, port = split_addr(n["addr"])
p, v, seen = handshake(host, port, magic, proxy=PROXY)
check(v["version"] == n["version"], "IPv4 node through the proxy")
# ... and its addrv2 answer holds exactly its view, onion entries included;
# legacy addr leaves the onion entries out.
p.send("verack")
entries, _ = getaddr(p, want=n["view_size"])
want = {m["nodes"][i]["addr"] for i in n["gossip"]}
check({a for _, _, a in entries} == want, "addrv2 answer is the view, onions included")
check(any(a.endswith(".onion:%d" % m["port"]) for a in want), "the view holds onion nodes")
p.close()
p, v, seen = handshake(host, port, magic, addrv2=False)
p.send("verack")
entries, _ = getaddr(p, quiet=0.5)
check({a for _, _, a in entries} == {a for a in want if ".onion:" not in a},
      "legacy addr answer: the view without onion entries")
p.close()


def reply_of(host, port):
    try:
        socks5_connect(PROXY, host, port).close()
        return 0
    except SocksError as e:
        return e.rep


dead = [n for n in onions if n["behaviour"] == "dead"][0]
check(reply_of(*split_addr(dead["addr"])) == 5, "dead onion node: connection refused")
host, port = split_addr(good[0]["addr"])
check(reply_of(host, port + 1) == 5, "a node on another port: refused")
check(reply_of(onion_name(bytes(32)), 8333) == 4, "an onion that is no node: unreachable")
check(reply_of("127.0.0.1", 8333) == 4, "an IP that is no node: unreachable")
check(reply_of("example.com", 80) == 4, "a DNS name: unreachable")

# What the proxy does not speak.
c = socket.create_connection(PROXY, timeout=2)
c.sendall(b"\x05\x01\x02")  # only username/password offered
check(c.recv(2) == b"\x05\xff", "no acceptable method")
c.close()
c = socket.create_connection(PROXY, timeout=2)
c.sendall(b"\x05\x01\x00" + b"\x05\x02\x00\x01" + bytes(4) + struct.pack(">H", 1))  # BIND
check(c.recv(2) == b"\x05\x00" and c.recv(10)[1] == 7, "BIND: command not supported")
c.close()
c = socket.create_connection(PROXY, timeout=2)
c.sendall(b"\x05\x01\x00" + b"\x05\x01\x00\x09" + bytes(8))  # address type 9
check(c.recv(2) == b"\x05\x00" and c.recv(10)[1] == 8, "unknown address type")
c.close()
c = socket.create_connection(PROXY, timeout=2)
c.sendall(b"\x04\x01\x00\x50" + bytes(8))  # SOCKS4
check(c.recv(10) == b"", "SOCKS4 is closed")
c.close()

# Greeting, request and version in one write (pipelined): still served.
n = good[0]
host, port = split_addr(n["addr"])
c = socket.create_connection(PROXY, timeout=3)
c.sendall(b"\x05\x01\x00" + b"\x05\x01\x00\x03" + bytes([len(host)]) + host.encode()
          + struct.pack(">H", port) + frame(magic, "version", version_payload()))
data = b""
while len(data) < 2 + 10 + 24:
    data += c.recv(4096)
check(data[:2] == b"\x05\x00" and data[3] == 0 and data[12:16] == magic and
      data[16:23] == b"version", "pipelined version answered")
c.close()

s.stop()
print("ok")
