"""simnet_client -- a raw Bitcoin P2P client for scenario tests (standard
library only), written from the protocol documents, independent of the C
codec it tests. Also starts and stops btcseed-simnet."""

import base64
import hashlib
import ipaddress
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

MAGIC = {
    "main": bytes.fromhex("f9beb4d9"),
    "testnet3": bytes.fromhex("0b110907"),
    "testnet4": bytes.fromhex("1c163f28"),
    "signet": bytes.fromhex("0a03cf40"),
    "regtest": bytes.fromhex("fabfb5da"),
}
NODE_NETWORK = 1
NODE_WITNESS = 8


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def strict(parse):
    """Any shortfall in a payload becomes ValueError."""
    def wrapped(p):
        try:
            return parse(p)
        except (struct.error, IndexError, KeyError) as e:
            raise ValueError("%s: %s" % (parse.__name__, e))
    wrapped.__name__ = parse.__name__
    return wrapped


def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def frame(magic, command, payload=b""):
    return (magic + command.encode().ljust(12, b"\0") + struct.pack("<I", len(payload))
            + sha256d(payload)[:4] + payload)


def compact(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xffffffff:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def read_compact(b, off):
    first = b[off]
    if first < 0xfd:
        return first, off + 1
    size = {0xfd: 2, 0xfe: 4, 0xff: 8}[first]
    return int.from_bytes(b[off + 1:off + 1 + size], "little"), off + 1 + size


def version_payload(version=70016, services=0, height=0, agent=b"/simnet-test:0.1/"):
    na = struct.pack("<Q", 0) + bytes(10) + b"\xff\xff" + bytes(4) + struct.pack(">H", 0)
    return (struct.pack("<iQq", version, services, int(time.time())) + na + na
            + struct.pack("<Q", 0x1234567890) + compact(len(agent)) + agent
            + struct.pack("<i", height) + b"\x00")


@strict
def parse_version(p):
    version, services, ts = struct.unpack_from("<iQq", p, 0)
    off = 20 + 26 + 26 + 8
    n, off = read_compact(p, off)
    agent = p[off:off + n]
    off += n
    (height,) = struct.unpack_from("<i", p, off)
    relay = p[off + 4] if len(p) > off + 4 else 1
    return {"version": version, "services": services, "timestamp": ts,
            "user_agent": agent, "height": height, "relay": bool(relay)}


def ip_text(raw16):
    if raw16[:12] == bytes(10) + b"\xff\xff":
        return str(ipaddress.IPv4Address(raw16[12:]))
    return str(ipaddress.IPv6Address(raw16))


def onion_name(pubkey):
    """The TorV3 name of a 32-byte key (rend-spec-v3: key | checksum | version)."""
    check_bytes = hashlib.sha3_256(b".onion checksum" + pubkey + b"\x03").digest()[:2]
    return base64.b32encode(pubkey + check_bytes + b"\x03").decode().lower() + ".onion"


def addr_text(host, port):
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


@strict
def parse_addr(p):
    n, off = read_compact(p, 0)
    out = []
    for _ in range(n):
        t, svc = struct.unpack_from("<IQ", p, off)
        raw = p[off + 12:off + 28]
        (port,) = struct.unpack_from(">H", p, off + 28)
        off += 30
        out.append((t, svc, addr_text(ip_text(raw), port)))
    if off != len(p):
        raise ValueError("addr: %d bytes for %d entries" % (len(p), n))
    return out


@strict
def parse_addrv2(p):
    """Returns (entries, skipped) as BIP155 reads them: unknown networks and
    TorV2 skipped, a known network with a wrong length an error."""
    n, off = read_compact(p, 0)
    if n > 1000:
        raise ValueError("addrv2: %d entries" % n)
    out, skipped = [], 0
    for _ in range(n):
        (t,) = struct.unpack_from("<I", p, off)
        svc, off = read_compact(p, off + 4)
        net = p[off]
        length, off = read_compact(p, off + 1)
        if length > 512:
            raise ValueError("addrv2: address of %d bytes" % length)
        raw = p[off:off + length]
        if len(raw) != length:
            raise ValueError("addrv2: truncated")
        off += length
        (port,) = struct.unpack_from(">H", p, off)
        off += 2
        if net == 1:
            if length != 4:
                raise ValueError("addrv2: IPv4 of %d bytes" % length)
            out.append((t, svc, addr_text(str(ipaddress.IPv4Address(raw)), port)))
        elif net == 2:
            if length != 16:
                raise ValueError("addrv2: IPv6 of %d bytes" % length)
            out.append((t, svc, addr_text(str(ipaddress.IPv6Address(raw)), port)))
        elif net == 4:
            if length != 32:
                raise ValueError("addrv2: TorV3 of %d bytes" % length)
            out.append((t, svc, "%s:%d" % (onion_name(raw), port)))
        else:
            skipped += 1
    if off != len(p):
        raise ValueError("addrv2: trailing bytes")
    return out, skipped


class SocksError(OSError):
    def __init__(self, rep):
        super().__init__("SOCKS5 reply %d" % rep)
        self.rep = rep


def socks5_connect(proxy, host, port, timeout=5.0):
    """A socket connected to host:port through a SOCKS5 proxy (no
    authentication; names are sent to the proxy, never resolved here)."""
    sock = socket.create_connection(proxy, timeout=timeout)
    try:
        sock.sendall(b"\x05\x01\x00")
        if sock.recv(2) != b"\x05\x00":
            raise SocksError(255)
        try:
            ip = ipaddress.ip_address(host)
            dst = (b"\x01" if ip.version == 4 else b"\x04") + ip.packed
        except ValueError:
            dst = b"\x03" + bytes([len(host)]) + host.encode()
        sock.sendall(b"\x05\x01\x00" + dst + struct.pack(">H", port))
        reply = b""
        while len(reply) < 10:
            chunk = sock.recv(10 - len(reply))
            if not chunk:
                raise EOFError("proxy closed")
            reply += chunk
        if reply[1] != 0:
            raise SocksError(reply[1])
        return sock
    except BaseException:
        sock.close()
        raise


class Peer:
    """One connection; messages as (command, payload) with strict framing.
    With `proxy` (IP, port), it goes through that SOCKS5 proxy."""

    def __init__(self, host, port, magic, timeout=5.0, proxy=None):
        if proxy:
            self.sock = socks5_connect(proxy, host, port, timeout)
        else:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            self.sock = socket.socket(family, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect((host, port))
        self.magic = magic
        self.buf = b""

    def send(self, command, payload=b""):
        self.sock.sendall(frame(self.magic, command, payload))

    def send_raw(self, data):
        self.sock.sendall(data)

    def recv_bytes(self, n=65536):
        data = self.sock.recv(n)
        if not data:
            raise EOFError("peer closed")
        return data

    def recv(self):
        """The next whole message; raises ValueError on bad framing."""
        while True:
            if len(self.buf) >= 24:
                if self.buf[:4] != self.magic:
                    raise ValueError("wrong magic %s" % self.buf[:4].hex())
                (length,) = struct.unpack_from("<I", self.buf, 16)
                if length > 4_000_000:
                    raise ValueError("payload length %d" % length)
                if len(self.buf) >= 24 + length:
                    cmd = self.buf[4:16].rstrip(b"\0").decode()
                    payload = self.buf[24:24 + length]
                    if sha256d(payload)[:4] != self.buf[20:24]:
                        raise ValueError("bad checksum on %s" % cmd)
                    self.buf = self.buf[24 + length:]
                    return cmd, payload
            self.buf += self.recv_bytes()

    def close(self):
        self.sock.close()


def handshake(host, port, magic, version=70016, addrv2=True, timeout=5.0, proxy=None):
    """Connects, handshakes as a crawler does; returns (peer, their version,
    commands seen up to and including their verack)."""
    p = Peer(host, port, magic, timeout, proxy)
    p.send("version", version_payload(version))
    seen, theirs = [], None
    while True:
        cmd, payload = p.recv()
        seen.append(cmd)
        if cmd == "version":
            theirs = parse_version(payload)
            if addrv2:
                p.send("sendaddrv2")
            p.send("verack")
        elif cmd == "verack":
            return p, theirs, seen


def getaddr(p, addrv2=True, want=None, quiet=1.0):
    """Sends getaddr, collects entries until `want` are in or `quiet` seconds
    pass without a message."""
    p.send("getaddr")
    entries, messages = [], 0
    p.sock.settimeout(quiet)
    try:
        while want is None or len(entries) < want:
            cmd, payload = p.recv()
            if cmd == "addr":
                entries += parse_addr(payload)
                messages += 1
            elif cmd == "addrv2":
                entries += parse_addrv2(payload)[0]
                messages += 1
    except socket.timeout:
        pass
    return entries, messages


class Simnet:
    """btcseed-simnet as a child process; waits for its 'ready' line."""

    def __init__(self, *args, manifest=True, ready_timeout=60):
        self.tmp = tempfile.mkdtemp(prefix="simnet-")
        self.manifest_path = os.path.join(self.tmp, "manifest.json")
        cmd = [os.environ["BTCSEED_SIMNET"]] + list(args)
        if manifest:
            cmd += ["--manifest", self.manifest_path]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        deadline = time.time() + ready_timeout
        line = self.proc.stdout.readline()
        check(line.strip() == "ready" and time.time() < deadline,
              "simnet did not print ready (got %r)" % line)
        self.manifest = json.load(open(self.manifest_path)) if manifest else None

    def nodes(self, **match):
        return [n for n in self.manifest["nodes"]
                if all(n.get(k) == v for k, v in match.items())]

    def stop(self):
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("simnet did not stop within 10 s of SIGTERM")
        check(code == 0, "simnet exited with %d after SIGTERM" % code)


def split_addr(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)
