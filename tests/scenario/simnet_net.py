"""Shared by the crawler's scenario tests: start a simulated network."""
import json
import os
import subprocess
import tempfile

SIMNET = os.environ["BTCSEED_SIMNET"]
PREFIX = "2001:db8:2::/64"


class Simnet:
    """A running btcseed-simnet with its manifest; stop() ends it."""

    def __init__(self, args, dns="127.0.0.1:5353", ipv6=False):
        if ipv6:
            subprocess.run(["ip", "-6", "route", "add", "local", PREFIX, "dev", "lo"], check=True)
        self.dir = tempfile.mkdtemp()
        self.manifest_path = os.path.join(self.dir, "manifest.json")
        cmd = [SIMNET, "--manifest", self.manifest_path, "--dns", dns] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("simnet did not start")
        self.manifest = json.load(open(self.manifest_path))
        self.resolver = dns
        self.seeds = [s["name"] for s in self.manifest["dns"]["seeds"]]

    def seed_args(self):
        args = ["--resolver", self.resolver]
        for s in self.seeds:
            args += ["--seed", s]
        return args

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
