"""For the crawler's scenario tests: simnet with its seed DNS (and optionally
its IPv6 prefix routed to loopback), on top of simnet_client.Simnet."""
import subprocess

import simnet_client

PREFIX = "2001:db8:2::/64"


class Simnet(simnet_client.Simnet):
    """A running btcseed-simnet serving seed DNS at `dns`; stop() ends it."""

    def __init__(self, args, dns="127.0.0.1:5353", ipv6=False):
        if ipv6:
            subprocess.run(["ip", "-6", "route", "add", "local", PREFIX, "dev", "lo"], check=True)
        super().__init__(*(["--dns", dns] + list(args)))
        self.dir = self.tmp
        self.resolver = dns
        self.seeds = [s["name"] for s in self.manifest["dns"]["seeds"]]

    def seed_args(self):
        args = ["--resolver", self.resolver]
        for s in self.seeds:
            args += ["--seed", s]
        return args
