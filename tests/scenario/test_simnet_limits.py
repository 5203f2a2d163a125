"""simnet: out of file descriptors, a worker pauses accepting instead of
failing, and serves again once connections close; SIGTERM still stops it
cleanly with many connections open."""
import os
import resource
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simnet_client  # noqa: E402
from simnet_client import MAGIC, Simnet, check, handshake, split_addr  # noqa: E402

LIMIT = 120


def low_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))


# Simnet's workers inherit the limit through the Popen below.
real_popen = simnet_client.subprocess.Popen
simnet_client.subprocess.Popen = lambda *a, **k: real_popen(*a, preexec_fn=low_limit, **k)
s = Simnet("--nodes", "300", "--silent", "100", "--seed", "2", "--procs", "1")
simnet_client.subprocess.Popen = real_popen
m = s.manifest
magic = MAGIC[m["chain"]]

# Silent nodes hold connections: open far more than the worker can accept.
held = []
for n in s.nodes(behaviour="silent")[:100] * 2:
    host, port = split_addr(n["addr"])
    held.append(socket.create_connection((host, port), timeout=2))
time.sleep(0.5)
check(s.proc.poll() is None, "simnet survived running out of descriptors")

good = s.nodes(good=True)[0]
host, port = split_addr(good["addr"])
try:
    handshake(host, port, magic, timeout=1.0)
    check(False, "a handshake went through with every descriptor in use")
except (socket.timeout, ConnectionResetError, EOFError):
    pass  # queued in the backlog, not accepted

for c in held:
    c.close()
time.sleep(0.5)  # the worker retries accepting every 100 ms
p, v, seen = handshake(host, port, magic, timeout=3.0)
check(v["version"] == good["version"], "serving again after the connections closed")
p.close()

# Stop with connections open.
held = [socket.create_connection(split_addr(n["addr"]), timeout=2)
        for n in s.nodes(behaviour="silent")[:50]]
s.stop()
for c in held:
    c.close()
print("ok")
