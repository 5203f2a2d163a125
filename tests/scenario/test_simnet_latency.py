"""simnet: --latency delays every answer of a node by its manifest latency
(+ jitter), slow nodes by --slow-delay; delays are timers, so many
connections wait at the same time instead of one after another."""
import concurrent.futures
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simnet_client import MAGIC, Peer, Simnet, check, split_addr, version_payload  # noqa: E402

LATENCY, JITTER, SLOW = 200, 50, 600
s = Simnet("--nodes", "400", "--slow", "10", "--seed", "8", "--latency", str(LATENCY),
           "--jitter", str(JITTER), "--slow-delay", str(SLOW), "--procs", "1")
m = s.manifest
magic = MAGIC[m["chain"]]


def timed_handshake(n):
    """Seconds until their version, and from our verack to their ping."""
    host, port = split_addr(n["addr"])
    p = Peer(host, port, magic, timeout=5)
    t0 = time.monotonic()
    p.send("version", version_payload())
    while p.recv()[0] != "version":
        pass
    t1 = time.monotonic()
    while p.recv()[0] != "verack":
        pass
    t2 = time.monotonic()
    p.send("verack")
    while p.recv()[0] != "ping":
        pass
    t3 = time.monotonic()
    p.close()
    return t1 - t0, t3 - t2


honest = [n for n in s.nodes(behaviour="honest") if n["reachable"]][:8]
for n in honest:
    lat = n["latency_ms"] / 1000
    check(LATENCY / 2 <= n["latency_ms"] <= LATENCY * 3 / 2, "latency in the manifest")
    first, second = timed_handshake(n)
    for d in (first, second):
        check(lat <= d < lat + (JITTER + 150) / 1000,
              "%s: answered after %.3f s, latency %.3f s" % (n["addr"], d, lat))
for n in s.nodes(behaviour="slow")[:2]:
    check(n["latency_ms"] == SLOW, "slow nodes' delay in the manifest")
    first, second = timed_handshake(n)
    check(SLOW / 1000 <= first < (SLOW + JITTER + 150) / 1000, "slow node: %.3f s" % first)

# 100 handshakes at once finish in about one latency each, not 100 of them.
targets = [n for n in s.nodes(behaviour="honest") if n["reachable"]][:100]
t0 = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
    results = list(pool.map(timed_handshake, targets))
elapsed = time.monotonic() - t0
check(len(results) == 100 and elapsed < 2.5, "100 parallel handshakes took %.2f s" % elapsed)
s.stop()
print("ok: 100 parallel handshakes at %d ms latency in %.2f s" % (LATENCY, elapsed))
