"""simnet: honest nodes handshake as Bitcoin Core does and answer getaddr
with addresses of the network, as the manifest says; dead addresses refuse,
addresses that are no node reset."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simnet_client import (MAGIC, NODE_NETWORK, Peer, Simnet, check, getaddr,  # noqa: E402
                           handshake, split_addr, version_payload)

s = Simnet("--nodes", "1400", "--dead", "280", "--silent", "10", "--seed", "7", "--procs", "2",
           "--manifest-gossip")
m = s.manifest
magic = MAGIC[m["chain"]]
check(m["chain"] == "main" and m["port"] == 8333, "default chain is main on 8333")
check(len(m["nodes"]) == 1400, "1400 nodes in the manifest")
known = {n["addr"]: n for n in m["nodes"]}
now = time.time()

# Version fields, message order, getaddr answers: several nodes of every kind
# an honest crawler meets (good, pruned, old protocol, alternative port).
honest = s.nodes(behaviour="honest")
picked = [n for n in honest if n["good"]][:6]
picked += [n for n in honest if not n["services"] & NODE_NETWORK][:2]
picked += [n for n in honest if n["version"] < 70016][:2]
picked += [n for n in honest if n["addr"].endswith(":%d" % m["alt_port"])][:1]
check(len(picked) >= 9, "the network holds good, pruned and old nodes")
for n in picked:
    host, port = split_addr(n["addr"])
    p, v, seen = handshake(host, port, magic)
    for field in ("version", "services", "height"):
        check(v[field] == n[field], "%s: %s %r, manifest %r" % (n["addr"], field, v[field], n[field]))
    check(v["user_agent"].decode() == n["user_agent"], "%s: user agent" % n["addr"])
    check(abs(v["timestamp"] - now) < 60, "%s: version timestamp is now" % n["addr"])
    if n["version"] >= 70016:
        check(seen == ["version", "wtxidrelay", "sendaddrv2", "verack"],
              "%s: order before verack %r" % (n["addr"], seen))
    else:
        check(seen == ["version", "verack"], "%s: old node sent %r" % (n["addr"], seen))
    p.send("verack")
    common = min(70016, n["version"])
    expect = (["sendheaders"] * (common >= 70012) + ["sendcmpct"] * (common >= 70014)
              + ["ping"] + ["feefilter"] * (common >= 70013))
    after = [p.recv()[0] for _ in expect]
    check(after == expect, "%s: after verack %r, expected %r" % (n["addr"], after, expect))
    entries, messages = getaddr(p, want=n["view_size"])
    check(len(entries) == n["view_size"] and messages == n["answer_parts"],
          "%s: %d entries in %d messages, manifest %d in %d" %
          (n["addr"], len(entries), messages, n["view_size"], n["answer_parts"]))
    addrs = [e[2] for e in entries]
    check(len(set(addrs)) == len(addrs), "%s: duplicate entries" % n["addr"])
    check(set(addrs) == {m["nodes"][i]["addr"] for i in n["gossip"]},
          "%s: the answer is the manifest's gossip view" % n["addr"])
    check(n["addr"] not in addrs, "%s: gossips itself" % n["addr"])
    for t, svc, a in entries:
        check(a in known, "%s gossips %s, not in the network" % (n["addr"], a))
        check(svc == known[a]["services"], "%s: services of %s" % (n["addr"], a))
        check(now - 7 * 86400 < t <= now + 60, "%s: timestamp %d of %s" % (n["addr"], t, a))
    # A second getaddr on the same connection is ignored, as Core does.
    again, _ = getaddr(p, quiet=0.5)
    check(again == [], "%s answered a second getaddr" % n["addr"])
    p.close()

# Without sendaddrv2: legacy addr. An old peer (70015): no wtxidrelay/sendaddrv2.
n = picked[0]
host, port = split_addr(n["addr"])
p, v, seen = handshake(host, port, magic, version=70015, addrv2=False)
check(seen == ["version", "verack"], "70015 peer got %r" % seen)
p.send("verack")
p.send("getaddr")
while True:
    cmd, payload = p.recv()
    if cmd in ("addr", "addrv2"):
        check(cmd == "addr", "legacy peer got %s" % cmd)
        break
p.close()

# Ping before the handshake is ignored; ping after it is answered.
p = Peer(host, port, magic)
p.send("ping", (42).to_bytes(8, "little"))
p.send("version", version_payload())
check(p.recv()[0] == "version", "version after an ignored ping")
p.close()
p, v, seen = handshake(host, port, magic)
p.send("ping", (4242).to_bytes(8, "little"))
while True:
    cmd, payload = p.recv()
    if cmd == "pong":
        check(payload == (4242).to_bytes(8, "little"), "pong echoes the nonce")
        break
p.close()

# A peer older than 31800 is dropped without an answer.
p = Peer(host, port, magic)
p.send("version", version_payload(version=31799))
try:
    data = p.sock.recv(100)
    check(data == b"", "an obsolete peer got %r" % data)
except ConnectionResetError:
    pass
p.close()

# Dead nodes: connection refused on their advertised port.
dead = s.nodes(behaviour="dead")
check(len(dead) == 280, "280 dead nodes")
for n in dead[:10]:
    host, port = split_addr(n["addr"])
    check(port == m["dead_port"] and not n["reachable"], "dead node on the dead port")
    try:
        socket.create_connection((host, port), timeout=2).close()
        check(False, "dead node %s accepted" % n["addr"])
    except ConnectionRefusedError:
        pass

# Silent nodes accept and never speak.
n = s.nodes(behaviour="silent")[0]
host, port = split_addr(n["addr"])
p = Peer(host, port, magic, timeout=1.5)
p.send("version", version_payload())
try:
    p.recv_bytes()
    check(False, "silent node spoke")
except socket.timeout:
    pass
p.close()


def reset_or_closed(host, port):
    try:
        c = socket.create_connection((host, port), timeout=2)
    except ConnectionResetError:
        return True  # the reset can beat the end of connect()
    try:
        c.sendall(b"x")
        data = c.recv(10)
        return data == b""
    except ConnectionResetError:
        return True
    finally:
        c.close()


# Addresses that are no node, and a node dialed on a port it does not use.
check(reset_or_closed("127.0.0.1", 8333), "127.0.0.1 is no node: reset")
check(reset_or_closed("127.1.250.1", 8333), "an address past the last node: reset")
check(all(len(n["gossip"]) == n["view_size"] for n in m["nodes"]), "gossip lists in the manifest")
n = picked[0]
host, _ = split_addr(n["addr"])
check(reset_or_closed(host, m["alt_port"]), "a node on another port: reset")

s.stop()
print("ok")
