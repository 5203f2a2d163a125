"""util/utf8 against Python's own decoder: for every 1- and 2-byte string,
every 3-byte string whose bytes come from the boundaries of UTF-8's byte
ranges, and thousands of random strings made of lead, continuation and ASCII
bytes, btcseed's replacement (helper_utf8_replace) must give exactly
bytes.decode('utf-8', 'replace')."""
import os
import random
import subprocess
import sys

helper = os.path.join(os.environ["BTCSEED_BUILD"], "helper_utf8_replace")

# Each end of every range in Unicode's table 3-7, and a neighbour on each side.
edges = sorted({b for e in (0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
                            0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0,
                            0xf1, 0xf3, 0xf4, 0xf5, 0xff)
                for b in (e - 1, e, e + 1) if 0 <= b <= 0xff})
cases = [bytes([a]) for a in range(256)]
cases += [bytes([a, b]) for a in range(256) for b in range(256)]
cases += [bytes([a, b, c]) for a in edges for b in edges for c in edges]
rng = random.Random(20241125)
pool = [0x41, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0,
        0xf1, 0xf4, 0xf5, 0xff]
for _ in range(20000):
    n = rng.randint(1, 24)
    cases.append(bytes(rng.choice(pool) if rng.random() < 0.8 else rng.randrange(256)
                       for _ in range(n)))
# Real text, valid and cut at every byte.
text = "Satoshi /Grüße € 中文 😀 \U0010ffff \ufffd".encode()
cases += [text[:i] for i in range(1, len(text) + 1)] + [text[i:] for i in range(len(text))]

out = subprocess.run([helper], input="".join(c.hex() + "\n" for c in cases), text=True,
                     capture_output=True, check=True).stdout.split("\n")
assert len(out) == len(cases) + 1 and out[-1] == "", "helper output has %d lines" % len(out)
bad = 0
for case, got in zip(cases, out):
    want = case.decode("utf-8", "replace").encode().hex()
    if got != want:
        bad += 1
        if bad <= 10:
            print("FAIL: %s: btcseed %s, python %s" % (case.hex(), got, want))
if bad:
    sys.exit(1)
replaced = sum(1 for c in cases if "\ufffd" in c.decode("utf-8", "replace"))
print("ok: %d strings (%d with ill-formed bytes) replaced exactly as Python does"
      % (len(cases), replaced))
