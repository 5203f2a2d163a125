"""simnet: every hostile behaviour is observable from a raw socket client,
and is what the manifest names it."""
import ipaddress
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simnet_client import (MAGIC, Peer, Simnet, check, getaddr, handshake,  # noqa: E402
                           parse_addr, parse_addrv2, parse_version, split_addr,
                           version_payload)

s = Simnet("--nodes", "300", "--hostile", "110", "--seed", "5", "--trickle-ms", "100")
m = s.manifest
magic = MAGIC[m["chain"]]
network = {n["addr"] for n in m["nodes"]}
public = [ipaddress.ip_network(c) for c in m["junk"]["public"]]
reserved = [ipaddress.ip_network(c) for c in m["junk"]["reserved"]]
now = time.time()


def node(kind):
    nodes = s.nodes(behaviour=kind)
    check(len(nodes) == 10, "10 %s nodes" % kind)
    return split_addr(nodes[0]["addr"]) + (nodes[0],)


def in_ranges(addr, ranges):
    host, _ = split_addr(addr)
    return any(ipaddress.ip_address(host) in r for r in ranges)


def read_at_least(p, n, timeout=3.0):
    p.sock.settimeout(timeout)
    data = b""
    while len(data) < n:
        data += p.recv_bytes()
    return data


# wrong-magic: answers, but with another network's magic.
host, port, n = node("wrong-magic")
check(not n["reachable"] and not n["good"], "wrong-magic is unreachable in the manifest")
p = Peer(host, port, magic)
p.send("version", version_payload())
data = read_at_least(p, 24)
check(data[:4] != magic and data[:4] == MAGIC["testnet4"], "wrong magic %s" % data[:4].hex())
check(data[4:11] == b"version", "a version message, framed for another network")
p.close()

# bad-checksum: well framed, checksums wrong.
host, port, n = node("bad-checksum")
p = Peer(host, port, magic)
p.send("version", version_payload())
try:
    p.recv()
    check(False, "bad-checksum sent a valid message")
except ValueError as e:
    check("bad checksum on version" in str(e), "bad checksum: %s" % e)
p.close()

# huge-payload: a header claiming 4 GB.
host, port, n = node("huge-payload")
p = Peer(host, port, magic)
p.send("version", version_payload())
data = read_at_least(p, 24)
check(data[:4] == magic and data[4:11] == b"version", "huge-payload header")
check(struct.unpack_from("<I", data, 16)[0] == 0xFFFFFFFF, "length 4 GB")
p.close()

# trickle: a valid version, one byte per --trickle-ms (100 ms).
host, port, n = node("trickle")
p = Peer(host, port, magic)
p.send("version", version_payload())
p.sock.settimeout(2)
start, data, reads = time.time(), b"", 0
while time.time() - start < 1.0:
    chunk = p.recv_bytes()
    check(len(chunk) == 1, "trickle sent %d bytes at once" % len(chunk))
    data += chunk
    reads += 1
check(4 <= len(data) <= 13, "about 10 bytes in 1 s, got %d" % len(data))
check(data[:4] == magic[:len(data[:4])], "the trickle is a valid message start")
p.close()

# addr-flood: after the handshake, addr messages without end (not asked for).
host, port, n = node("addr-flood")
check(n["reachable"], "addr-flood completes a handshake")
p, v, seen = handshake(host, port, magic, addrv2=False)
p.send("verack")
floods, deadline = 0, time.time() + 5
while floods < 5 and time.time() < deadline:
    cmd, payload = p.recv()
    if cmd == "addr":
        entries = parse_addr(payload)
        check(len(entries) == 1000, "flood messages hold 1000 entries")
        check(all(in_ranges(a, public) for _, _, a in entries), "flood of public-looking junk")
        floods += 1
check(floods == 5, "5 flood messages in 5 s (got %d)" % floods)
p.close()

# bad-timestamps: real addresses, absurd times.
host, port, n = node("bad-timestamps")
p, v, seen = handshake(host, port, magic)
p.send("verack")
entries, _ = getaddr(p, want=n["view_size"])
check(len(entries) == n["view_size"], "bad-timestamps answers its whole view")
check(all(a in network for _, _, a in entries), "bad-timestamps gossips network addresses")
absurd = [t for t, _, _ in entries if t < 1231006505 or t > now + 3600]
check(len(absurd) >= len(entries) * 5 // 7, "absurd times: %d of %d" % (len(absurd), len(entries)))
p.close()

# bad-gossip: private, reserved, public-looking and duplicate entries among real ones.
host, port, n = node("bad-gossip")
p, v, seen = handshake(host, port, magic)
p.send("verack")
entries, _ = getaddr(p, want=n["view_size"])
addrs = [a for _, _, a in entries]
real = [a for a in addrs if a in network]
junk_reserved = [a for a in addrs if in_ranges(a, reserved)]
junk_public = [a for a in addrs if in_ranges(a, public)]
check(len(real) + len(junk_reserved) + len(junk_public) == len(addrs), "only network or junk")
check(junk_reserved and junk_public, "reserved and public-looking junk")
check(len(set(real)) < len(real), "duplicates of real addresses")
p.close()

# bad-addrv2 with addrv2: unknown networks and TorV2 (skippable), a wrong
# length and an oversized address (whole message invalid), a truncated one.
host, port, n = node("bad-addrv2")
check(n["reachable"], "bad-addrv2 completes a handshake")
p, v, seen = handshake(host, port, magic, addrv2=True)
p.send("verack")
p.send("getaddr")
messages = []
p.sock.settimeout(1)
try:
    while len(messages) < 4:
        cmd, payload = p.recv()
        if cmd == "addrv2":
            messages.append(payload)
except socket.timeout:
    pass
check(len(messages) == 4, "bad-addrv2 sends 4 addrv2 messages (got %d)" % len(messages))
valid, skipped = parse_addrv2(messages[0])
check(skipped == len(valid) and valid, "first: %d valid, %d skipped" % (len(valid), skipped))
check(all(a in network for _, _, a in valid), "its valid entries are network addresses")
for i, why in ((1, "IPv4 of 16 bytes"), (2, "address of 600 bytes"), (3, "truncated")):
    try:
        parse_addrv2(messages[i])
        check(False, "message %d should not parse" % i)
    except ValueError as e:
        check(why.split()[-1] in str(e) or why == "truncated", "message %d: %s" % (i, e))
p.close()
# ... and without addrv2: one valid addr, then one of 1001 entries, then a truncated one.
p, v, seen = handshake(host, port, magic, addrv2=False)
p.send("verack")
p.send("getaddr")
messages = []
try:
    while len(messages) < 3:
        cmd, payload = p.recv()
        if cmd == "addr":
            messages.append(payload)
except socket.timeout:
    pass
check(len(messages) == 3, "bad-addrv2 (legacy) sends 3 addr messages")
check(all(a in network for _, _, a in parse_addr(messages[0])), "first addr is valid")
check(messages[1][:3] == b"\xfd\xe9\x03", "second addr claims 1001 entries")
try:
    parse_addr(messages[2])
    check(False, "truncated addr parsed")
except ValueError:
    pass
p.close()

# absurd-version: a version with absurd fields, then verack.
host, port, n = node("absurd-version")
check(not n["reachable"], "absurd-version is unreachable (protocol below 31800)")
p = Peer(host, port, magic)
p.send("version", version_payload())
cmd, payload = p.recv()
check(cmd == "version", "absurd-version sends a version")
v = parse_version(payload)
check(v["version"] == -2**31 and v["services"] == 2**64 - 1 and v["height"] == -1,
      "absurd fields %r" % v)
check(len(v["user_agent"]) == 256 and b"\x01" in v["user_agent"], "a 256-byte binary user agent")
check(v["timestamp"] == 2**63 - 1, "a timestamp at the end of time")
check(n["version"] == v["version"] and n["user_agent"].encode("latin-1") == v["user_agent"],
      "the manifest holds the absurd fields (user agent escaped byte by byte)")
p.close()

# msg-before-version: addr and ping before anything, then a normal handshake.
host, port, n = node("msg-before-version")
check(n["reachable"], "msg-before-version completes a handshake")
p = Peer(host, port, magic)
cmd, payload = p.recv()
check(cmd == "addr", "first message is addr, before we said anything")
check(all(in_ranges(a, public) for _, _, a in parse_addr(payload)), "early addr is junk")
check(p.recv()[0] == "ping", "then a ping")
p.send("version", version_payload())
check(p.recv()[0] == "version", "then its version when ours arrives")
p.close()

# disconnect: accepts, closes.
host, port, n = node("disconnect")
p = Peer(host, port, magic)
try:
    check(p.sock.recv(10) == b"", "disconnect node closes at once")
except ConnectionResetError:
    pass
p.close()

s.stop()
print("ok")
