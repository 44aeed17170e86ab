#!/usr/bin/env python3
"""gen_der_corpus.py: the seed corpora and dictionaries of the DER fuzz targets.

Writes
  corpus/der/           fuzz_der: strict DER <-> raw round trips (P1, P2, P5, P6)
  corpus/der_openssl/   fuzz_der_openssl: differential against OpenSSL (P3) and verify
                        agreement for a fixed key and message (P4)
  dict/der.dict, dict/der_openssl.dict
from
  - the Wycheproof DER signatures of ../shared/vectors/wycheproof/ (SHA-256 and SHA-512 files)
    and the raw r||s signatures of the P1363 file, one file per distinct signature;
  - every edge of ../shared/reference/ecdsa-der.md §3 (built here, one seed or more per item);
  - raw 64-byte seeds for the raw path of both targets;
  - for fuzz_der_openssl, valid signatures (DER and raw, low and high S) of its fixed message by
    its fixed key, so that the fuzzer starts on the accepting side of P4.

Each seed file is named by the SHA-1 of its content.  The script only adds: a seed already there
is left alone and files it did not write (a campaign's merged inputs) are kept, so running it
again changes nothing.  --check writes nothing and exits 1 when a seed or a dictionary is missing
or differs.  Without ../shared (a user's clone) the Wycheproof seeds are skipped with a note.

Python 3 standard library only.  Usage: harness/gen_der_corpus.py [--shared DIR] [--check]
"""

import argparse
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---- P-256 (SEC 2 §2.4.2) ------------------------------------------------------------------
P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
A = P - 3
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
     0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)

# The fixed key and message of fuzz_der_openssl (targets/fuzz_der_openssl.c keeps the same
# constants): RFC 6979 appendix A.2.5's P-256 key, and its message "sample".
FIXED_D = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
FIXED_MSG = b"sample"
# RFC 6979 A.2.5, SHA-256, "sample": the nonce and the signature, to check the arithmetic here.
RFC6979_K = 0xA6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60
RFC6979_R = 0xEFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716
RFC6979_S = 0xF7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8
RFC6979_UX = 0x60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6


def point_add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    if p1 == p2:
        lam = (3 * x1 * x1 + A) * pow(2 * y1, -1, P) % P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (lam * lam - x1 - x2) % P
    return (x3, (lam * (x1 - x3) - y1) % P)


def point_mul(k, point):
    acc = None
    while k:
        if k & 1:
            acc = point_add(acc, point)
        point = point_add(point, point)
        k >>= 1
    return acc


def ecdsa_sign(d, msg, k):
    e = int.from_bytes(hashlib.sha256(msg).digest(), "big")  # 256 bits: no truncation
    r = point_mul(k, G)[0] % N
    s = pow(k, -1, N) * (e + r * d) % N
    assert r != 0 and s != 0
    return r, s


# ---- DER building blocks (X.690) -------------------------------------------------------------
def der_len(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def int_content(v):
    """Minimal two's-complement content of an INTEGER (negative values too)."""
    n = 1
    while not -(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1)):
        n += 1
    return v.to_bytes(n, "big", signed=True)


def der_int(v):
    return tlv(0x02, int_content(v))


def der_sig(r, s):
    return tlv(0x30, der_int(r) + der_int(s))


def raw64(r, s):
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def b32(v):
    return v.to_bytes(32, "big")


# ---- the edge list of ecdsa-der.md §3 --------------------------------------------------------
def edge_seeds():
    """Yields (item, bytes): every item of the reference's minimum edge corpus."""
    r0 = 0x2BA3A8BE6B94D5EC80A6D9D1190A436EFFE50D85A1EEE859B8CC6AF9BD5C2E18  # Wycheproof's r
    s0 = 0xB329F479A2BBD0A5C384EE1493B1F5186A87139CAC5DF4087C134B49156847DB
    one = der_int(1)
    tiny = der_sig(1, 1)
    longest = der_sig(N - 1, N - 1)
    typical = der_sig(r0, s0)
    # 1. lengths, truncations
    yield 1, b""
    yield 1, b"\x30"
    yield 1, b"\x30\x00"
    yield 1, tiny[:7]
    yield 1, tiny
    yield 1, longest
    yield 1, longest + b"\x00"
    yield 1, tlv(0x30, tlv(0x02, b"\x01" * 4129) + one)  # > 4 KiB, as Wycheproof tc 106
    yield 1, tiny + b"\x00" * 4096
    for sig in (tiny, longest, typical):
        for k in range(1, len(sig)):
            yield 1, sig[:k]
    # 2. tags
    body = one + one
    for tag in (0x31, 0x10, 0x00, 0x20, 0xFF):
        yield 2, bytes([tag]) + der_len(len(body)) + body
    yield 2, b"\x3f\x10" + der_len(len(body)) + body  # high-tag-number SEQUENCE (tc 472)
    yield 2, tlv(0x30, b"\x1f\x02\x01\x01" + one)  # high-tag INTEGER r (tc 473)
    yield 2, tlv(0x30, one + b"\x1f\x02\x01\x01")  # ... s (tc 474)
    yield 2, tlv(0x30, tlv(0x22, one) + one)  # constructed INTEGER (tc 101)
    yield 2, tlv(0x30, tlv(0x03, b"\x01") + one)
    # 3. length bytes
    inner = der_int(r0) + der_int(s0)
    ln = len(inner)
    yield 3, b"\x30\x80" + inner + b"\x00\x00"  # indefinite (tc 20, 48)
    yield 3, b"\x30\x80" + inner  # indefinite, no end-of-contents
    yield 3, b"\x30\x81" + bytes([ln]) + inner  # 81 < 0x80 (tc 8)
    yield 3, b"\x30\x82\x00" + bytes([ln]) + inner  # 82 00 xx (tc 9)
    for nbytes in range(3, 10):  # 83..89: leading zeros, then 0xff.. (2^k - 1)
        yield 3, b"\x30" + bytes([0x80 | nbytes]) + ln.to_bytes(nbytes, "big") + inner
        yield 3, b"\x30" + bytes([0x80 | nbytes]) + b"\xff" * nbytes + inner
    yield 3, b"\x30\x84\x7f\xff\xff\xff" + inner  # 2^31 - 1
    yield 3, b"\x30\x89\x01" + b"\x00" * 8 + inner  # 2^64: size_t overflow
    yield 3, b"\x30\x81\x80" + inner  # minimal long form, too large
    yield 3, b"\x30\xff" + inner
    yield 3, b"\x30\x84\xff\xff"  # ends inside the length
    for delta in (-1, 1):
        yield 3, b"\x30" + bytes([ln + delta]) + inner  # SEQUENCE length off by one (tc 10)
        ri, si = der_int(r0), der_int(s0)
        yield 3, b"\x30" + bytes([ln]) + b"\x02" + bytes([ri[1] + delta]) + ri[2:] + si
        yield 3, b"\x30" + bytes([ln]) + ri + b"\x02" + bytes([si[1] + delta]) + si[2:]
    yield 3, tlv(0x30, b"\x02\x81" + bytes([len(int_content(r0))]) + int_content(r0) + der_int(s0))
    yield 3, tlv(0x30, der_int(r0) + b"\x02\x81" + bytes([len(int_content(s0))]) + int_content(s0))
    yield 3, tlv(0x30, b"\x02\x80" + int_content(r0) + b"\x00\x00" + der_int(s0))
    yield 3, tlv(0x30, b"\x02\x84\xff\xff\xff\xff" + der_int(s0))
    yield 3, tlv(0x30, b"\x02\x88" + b"\xff" * 8 + der_int(s0))
    # 4. SEQUENCE content
    yield 4, tlv(0x30, der_int(r0))  # missing s (tc 61)
    yield 4, tlv(0x30, b"\x02\x00" + der_int(s0))  # dropped r (tc 100)
    yield 4, tlv(0x30, inner + one)  # a third element
    yield 4, tlv(0x30, der_int(r0) + der_int(s0) + der_int(r0))  # repeated element (tc 62)
    yield 4, tlv(0x30, typical)  # nested SEQUENCE (tc 60)
    yield 4, tlv(0x30, inner + b"\x05\x00")  # NULL inside
    yield 4, typical + b"\x05\x00"  # NULL after (tc 25-29)
    yield 4, typical + b"\x00"
    yield 4, typical + b"\xde\xad"
    yield 4, tlv(0x30, b"\xaa\x00\xbb\x00\xcd\x00" + inner)  # undefined tags (tc 30)
    # 5. INTEGER content
    for content in (b"", b"\x00\x00", b"\x00\x7f", b"\xff\x80", b"\x80", b"\xb3" + b"\x11" * 31,
                    b"\x01" + b"\x11" * 32, b"\x00" + b32(N), b"\x00\x80" + b"\x11" * 32,
                    b"\x00\x00" + b32(s0)):
        yield 5, tlv(0x30, tlv(0x02, content) + one)
        yield 5, tlv(0x30, one + tlv(0x02, content))
    # 6. values
    for v in (0, 1, N - 1, N, N + 1, P, P + 1, 2**256 - 1, r0 + N, r0 - N, -r0, r0 + 2**256,
              r0 + 2**320, 2**255):
        yield 6, der_sig(v, s0)
        yield 6, der_sig(r0, v)
    yield 6, der_sig(0, 0)  # CVE-2022-21449 (tc 168)
    yield 6, der_sig(r0, N - s0)  # the high-S twin: valid
    yield 6, der_sig(5, 1)  # tiny r and s (tc 355)
    yield 6, der_sig(0x80, 0x7F)
    # 7. wrong types (tc 232-294)
    for elem in (b"\x09\x03\x80\xfe\x01", b"\x09\x01\x42", b"\x01\x01\xff", b"\x01\x01\x00",
                 b"\x05\x00", b"\x0c\x01\x30", b"\x30\x00", b"\x30\x03\x02\x01\x00"):
        yield 7, tlv(0x30, der_int(0) + elem)
        yield 7, tlv(0x30, one + elem)
        yield 7, tlv(0x30, elem + one)
        yield 7, tlv(0x30, elem + elem)
    # 8. the raw side
    for length in (0, 2, 16, 26, 32, 40, 63, 65, 66, 68, 82):
        yield 8, raw64(r0, s0)[:length] if length <= 64 else raw64(r0, s0) + b"\x00" * (length - 64)
    for r, s in ((0, 0), (0, s0), (r0, 0), (N, s0), (r0, N), (N - 1, N - 1), (1, 1),
                 (2**256 - 1, 2**256 - 1), (P, s0)):
        yield 8, raw64(r, s)


# ---- dictionaries ----------------------------------------------------------------------------
DICT_TOKENS = [
    ("sequence", b"\x30"), ("integer", b"\x02"), ("set", b"\x31"), ("constructed_int", b"\x22"),
    ("high_tag", b"\x1f"), ("high_tag_seq", b"\x3f\x10"), ("zero", b"\x00"),
    ("len_indefinite", b"\x80"), ("len_81", b"\x81"), ("len_82", b"\x82"), ("len_84", b"\x84"),
    ("len_88", b"\x88"), ("len_89", b"\x89"), ("len_reserved", b"\xff"),
    ("len_2p32", b"\x84\xff\xff\xff\xff"), ("seq_min", b"\x30\x06"), ("seq_70", b"\x30\x44"),
    ("seq_71", b"\x30\x45"), ("seq_72", b"\x30\x46"), ("int_zero", b"\x02\x01\x00"),
    ("int_one", b"\x02\x01\x01"), ("int_empty", b"\x02\x00"), ("int_32", b"\x02\x20"),
    ("int_33_pad", b"\x02\x21\x00"), ("null", b"\x05\x00"), ("bool_true", b"\x01\x01\xff"),
    ("real_quarter", b"\x09\x03\x80\xfe\x01"), ("real_nan", b"\x09\x01\x42"),
    ("utf8_zero", b"\x0c\x01\x30"), ("order_n", b32(N)), ("order_n_minus_1", b32(N - 1)),
    ("prime_p", b32(P)), ("all_ones", b"\xff" * 32),
]


def dict_text(extra):
    lines = ["# Generated by harness/gen_der_corpus.py from its token table; do not edit.",
             "# DER tags, length forms, INTEGER encodings and P-256 constants (ecdsa-der.md)."]
    for name, value in DICT_TOKENS + extra:
        lines.append('%s="%s"' % (name, "".join("\\x%02x" % b for b in value)))
    return "\n".join(lines) + "\n"


# ---- Wycheproof ------------------------------------------------------------------------------
WYCHEPROOF_DER = ("ecdsa_secp256r1_sha256_test.json", "ecdsa_secp256r1_sha512_test.json")
WYCHEPROOF_RAW = ("ecdsa_secp256r1_sha256_p1363_test.json",)


def wycheproof_sigs(shared, names):
    for name in names:
        with open(os.path.join(shared, "vectors", "wycheproof", name)) as f:
            doc = json.load(f)
        for group in doc["testGroups"]:
            for test in group["tests"]:
                yield bytes.fromhex(test["sig"])


def fixed_key_sigs():
    """Valid signatures of FIXED_MSG by FIXED_D: DER and raw, low and high S."""
    pub = point_mul(FIXED_D, G)
    assert pub[0] == RFC6979_UX, "P-256 arithmetic disagrees with RFC 6979 A.2.5"
    assert ecdsa_sign(FIXED_D, FIXED_MSG, RFC6979_K) == (RFC6979_R, RFC6979_S)
    sigs = [(RFC6979_R, RFC6979_S)]
    for i in range(6):  # more nonces, fixed, for seeds of several lengths
        k = int.from_bytes(hashlib.sha256(b"sekfuzz der_openssl nonce %d" % i).digest(), "big") % N
        sigs.append(ecdsa_sign(FIXED_D, FIXED_MSG, k))
    for r, s in sigs:
        for s_ in (s, N - s):
            yield der_sig(r, s_)
            yield raw64(r, s_)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.environ.get("SEK_SHARED_DIR",
                                                       os.path.join(ROOT, "..", "shared")))
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if out of date")
    args = ap.parse_args()

    edges = list(edge_seeds())
    items = sorted({item for item, _ in edges})
    print("edge list (ecdsa-der.md §3): %d seeds over items %s" % (len(edges), items))
    common = [seed for _, seed in edges]
    if os.path.isdir(os.path.join(args.shared, "vectors", "wycheproof")):
        common += list(wycheproof_sigs(args.shared, WYCHEPROOF_DER))
        common += list(wycheproof_sigs(args.shared, WYCHEPROOF_RAW))
    else:
        print("gen_der_corpus: %s not found: Wycheproof seeds skipped" % args.shared)
    own = list(fixed_key_sigs())
    # the values of the fixed key's RFC 6979 signature, for the fuzzer to splice
    rs_tokens = [("fixed_sig_r", b32(RFC6979_R)), ("fixed_sig_s", b32(RFC6979_S)),
                 ("fixed_sig_high_s", b32(N - RFC6979_S))]
    plan = {
        os.path.join("corpus", "der"): common,
        os.path.join("corpus", "der_openssl"): common + own,
    }
    dicts = {
        os.path.join("dict", "der.dict"): dict_text([]),
        os.path.join("dict", "der_openssl.dict"): dict_text(rs_tokens),
    }

    stale = 0
    for folder, seeds in plan.items():
        path = os.path.join(ROOT, folder)
        if not args.check:
            os.makedirs(path, exist_ok=True)
        added = present = 0
        for seed in dict.fromkeys(seeds):  # distinct, in a stable order
            name = os.path.join(path, hashlib.sha1(seed).hexdigest())
            if os.path.exists(name):
                present += 1
                continue
            if args.check:
                stale += 1
                continue
            with open(name, "wb") as f:
                f.write(seed)
            added += 1
        print("%s: %d seeds (%d added, %d already there)" % (folder, added + present, added, present)
              if not args.check else "%s: %d present" % (folder, present))
    for rel, text in dicts.items():
        path = os.path.join(ROOT, rel)
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        if args.check:
            stale += 1
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        print("%s: written" % rel)
    if args.check and stale:
        print("gen_der_corpus: %d seeds or dictionaries missing or out of date" % stale)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
