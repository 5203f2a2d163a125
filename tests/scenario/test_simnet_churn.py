"""simnet: churning nodes are up exactly when the manifest's schedule says,
with time scaled by --time-scale (here one real second is one simulated hour);
while down they reset connections."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simnet_client import MAGIC, Peer, Simnet, check, split_addr, version_payload  # noqa: E402

SCALE = 3600.0
MARGIN = 0.25  # real seconds around a schedule edge where either answer is right

t_start = time.monotonic()
s = Simnet("--nodes", "200", "--churn", "60", "--seed", "3", "--time-scale", str(SCALE))
t_ready = time.monotonic()
m = s.manifest
magic = MAGIC[m["chain"]]
churn = s.nodes(behaviour="churn")
check(len(churn) == 60, "60 churn nodes")
check(all(not n["always_up"] and not n["good"] and n["reachable"] for n in churn),
      "churn nodes: reachable, not always up, never good")
nodes = sorted(churn, key=lambda n: n["churn"]["period_s"])[:6]


def schedule(n, t_sim):
    c = n["churn"]
    pos = (t_sim + c["phase_s"]) % c["period_s"]
    return pos < c["period_s"] * c["up_permille"] / 1000.0


def near_edge(n, t_real):
    return any(schedule(n, (t_real + d) * SCALE) != schedule(n, t_real * SCALE)
               for d in (-MARGIN, MARGIN))


def probe(addr):
    host, port = split_addr(addr)
    try:
        p = Peer(host, port, magic, timeout=2)
        p.send("version", version_payload())
        cmd, _ = p.recv()
        p.close()
        return cmd == "version"
    except (ConnectionResetError, EOFError, BrokenPipeError):
        return False
    except socket.timeout:
        check(False, "%s neither answered nor reset" % addr)


agree = disagree = ups = downs = 0
end = time.monotonic() + 8
while time.monotonic() < end:
    for n in nodes:
        # The simnet clock started between t_start and t_ready; take the middle.
        t_real = time.monotonic() - (t_start + t_ready) / 2
        up = probe(n["addr"])
        ups += up
        downs += not up
        if near_edge(n, t_real):
            continue
        if up == schedule(n, t_real * SCALE):
            agree += 1
        else:
            disagree += 1
            print("%s at %.2f s: %s, schedule %s" % (n["addr"], t_real, up,
                                                     schedule(n, t_real * SCALE)))
    time.sleep(0.05)
check(ups > 20 and downs > 20, "nodes went up and down (%d up, %d down)" % (ups, downs))
check(disagree == 0 and agree > 100, "schedule agrees: %d, disagrees: %d" % (agree, disagree))
s.stop()
print("ok: %d probes agree with the schedule" % agree)
