#!/usr/bin/env python3
"""test_cli.py SEK SOURCE_DIR: the sek command as a user meets it.

Each case runs one command line and checks its exit status (0 ok/valid, 1 bad or invalid
input, 2 usage), what it prints, and that --json output parses and holds the documented
fields.  Cases are a table; a failure names the case and shows what the command printed.
"""
import json
import os
import subprocess
import sys
import tempfile

SEK, SRC = sys.argv[1], sys.argv[2]

SEED = ('Error Domain=CryptoTokenKit Code=-3 "<sepk:p256 kid=1214c04d05261ee3>: unable to sign '
        'digest" UserInfo={NSDebugDescription=<sepk:p256 kid=1214c04d05261ee3>: unable to sign '
        'digest, AKSError=-536362999}')
SEED_KEYGEN = """[
    kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,
    kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,
    kSecAttrKeySizeInBits: 256,
    kSecPrivateKeyAttrs: [
        kSecAttrAccessControl: SecAccessControlCreateWithFlags(
            kCFAllocatorDefault,
            kSecAttrAccessibleWhenUnlockedThisDeviceOnly,
            [.touchIDAny, .privateKeyUsage],
            nil
        )!,
        kSecAttrIsPermanent: true
    ],
    kSecAttrApplicationLabel: "unique label" // a customer identifier
]
"""
RSA_KEYGEN = """[
    kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,
    kSecAttrKeyType: kSecAttrKeyTypeRSA,
    kSecAttrKeySizeInBits: 2048,
]
"""
# P-256 generator point as a public key, and a valid DER signature made for it are not needed:
# verify's usage and malformed paths are what the command adds over test_verify.
G = ("046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
     "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")

failures = []


def run(args, stdin=None):
    p = subprocess.run([SEK] + args, input=stdin, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def check(name, args, status, out=(), err=(), stdin=None, as_json=None):
    rc, so, se = run(args, stdin)
    problems = []
    if rc != status:
        problems.append(f"exit status {rc}, want {status}")
    for s in out:
        if s not in so:
            problems.append(f"stdout lacks {s!r}")
    for s in err:
        if s not in se:
            problems.append(f"stderr lacks {s!r}")
    if as_json is not None and not problems:
        try:
            try:  # one document (possibly pretty-printed), else one object per line
                docs = [json.loads(so)]
            except ValueError:
                docs = [json.loads(line) for line in so.splitlines() if line.strip()]
            as_json(docs)
        except (ValueError, AssertionError, KeyError, IndexError, TypeError) as e:
            problems.append(f"json: {e!r}")
    if problems:
        failures.append(f"{name}: {'; '.join(problems)}\n  $ sek {' '.join(args)}\n"
                        f"  stdout: {so[-800:]!r}\n  stderr: {se[-800:]!r}")
    print(("FAIL " if problems else "ok   ") + name)


def seed_decode(docs):
    d = docs[0]
    want = {"domain", "code", "name", "chain", "aks", "key_id", "operation", "permanent",
            "action", "causes", "unparsed"}
    assert set(d) == want, f"fields {sorted(d)}"
    assert d["domain"] == "CryptoTokenKit" and d["code"] == -3, d
    assert d["name"] == "TKErrorCodeCorruptedData", d["name"]
    assert d["aks"]["hex"] == "0xe007c009" and d["aks"]["name"] == "kAKSReturnPolicyInvalid"
    assert d["aks"]["system"] == 0x38 and d["aks"]["subsystem"] == 31 and d["aks"]["code"] == 9
    assert d["permanent"] is True and d["action"] == "reenroll_key", d
    assert d["key_id"] == "1214c04d05261ee3", d["key_id"]
    assert all(set(c) == {"cause", "permanent", "action", "confidence"} for c in d["causes"])


def der_decode(docs):
    assert docs[0]["r"].endswith("01") and docs[0]["s"].endswith("02"), docs


def lint_json(docs):
    text = json.dumps(docs)
    assert "SE001" in text, text[:400]


def run_json(docs):
    steps = docs[0]["steps"] if isinstance(docs[0], dict) and "steps" in docs[0] else None
    assert steps, f"no steps in {str(docs)[:300]}"
    assert all("line" in s and "result" in s for s in steps)


with tempfile.TemporaryDirectory() as tmp:
    keygen = write(tmp, "keygen.swift", SEED_KEYGEN)
    rsa = write(tmp, "rsa.swift", RSA_KEYGEN)
    broken = write(tmp, "broken.swift", "[\n  kSecClass: kSecClassKey,\n  kSecAttrLabel \"x\"\n]\n")

    check("top-level help", ["--help"], 0, out=["der", "decode", "lint", "attrs", "run"])
    check("no command", [], 2, err=["usage"])
    check("unknown command", ["frobnicate"], 2, err=["unknown command"])
    for cmd in ["der", "decode", "lint", "attrs", "run"]:
        check(f"{cmd} --help", [cmd, "--help"], 0, out=["usage"])
        check(f"{cmd} bad option", [cmd, "--no-such-option"], 2, err=["--help"])

    check("der decode", ["der", "decode", "30 06 02 01 01 02 01 02"], 0, out=["r:", "s:"])
    check("der decode --json", ["der", "decode", "--json", "3006020101020102"], 0,
          as_json=der_decode)
    check("der decode truncated names the offset", ["der", "decode", "3007020101020102"], 1,
          err=["byte 8", "truncated"])
    check("der decode r = 0", ["der", "decode", "3006020100020101"], 1, err=["r is zero"])
    check("der decode bad hex names the offset", ["der", "decode", "30zz"], 1, err=["offset 2"])
    check("der encode", ["der", "encode", "00" * 31 + "01" + "00" * 31 + "02"], 0,
          out=["3006020101020102"])
    check("der encode s = 0", ["der", "encode", "00" * 31 + "01" + "00" * 32], 1,
          err=["s is zero"])
    check("der verify malformed sig", ["der", "verify", "--pub", G, "--msg", "68656c6c6f",
                                       "--sig", "3006020101020102ff"], 1, out=["invalid"])
    check("der verify missing --pub", ["der", "verify", "--msg", "00", "--sig", "00"], 2)

    check("decode seed text", ["decode", SEED], 0, out=["reenroll_key"])
    check("decode seed --json", ["decode", "--json", SEED], 0, as_json=seed_decode)
    check("decode from stdin", ["decode", "--json", "-"], 0, stdin="log line: " + SEED + "\n",
          as_json=seed_decode)
    check("decode bare code", ["decode", "--json", "-25300"], 0,
          as_json=lambda d: d[0]["code"] == -25300 or (_ for _ in ()).throw(AssertionError(d)))
    check("decode garbage", ["decode", "hello world"], 1)
    log = write(tmp, "crash.log", "2026-12-03 app[12:34] " + SEED + "\n")
    check("decode FILE says how to read a file", ["decode", log], 1, err=["is a file", "sek decode - <"])

    check("lint seed keygen: warnings only", ["lint", keygen], 0, out=["warning:", "DP001"])
    check("lint RSA on the enclave", ["lint", rsa], 1, out=["error:", "SE001", "rsa.swift:"])
    check("lint --json", ["lint", "--json", rsa], 1, as_json=lint_json)
    check("lint parse error has line:col", ["lint", broken], 1, out=["broken.swift:3:"])
    check("lint missing file", ["lint", os.path.join(tmp, "nope.swift")], 1, err=["nope.swift"])
    check("attrs print", ["attrs", "print", keygen], 0, out=["kSecAttrTokenID"])

    check("--version", ["--version"], 0, out=["sek 0.", "(sekfuzz)"])
    check("run on a device without a Secure Enclave",
          ["run", os.path.join(SRC, "examples", "no-secure-enclave.sek")], 0,
          out=["device no-secure-enclave", "unsupported_device"])
    if sys.platform != "darwin":  # on a Mac it would run, against the real keychain
        check("run --backend apple off Apple platforms says so", ["run", "--backend", "apple",
              os.path.join(SRC, "examples", "basic.sek")], 1, err=["only built on Apple platforms"])
    check("run --backend frob", ["run", "--backend", "frob",
          os.path.join(SRC, "examples", "basic.sek")], 2, err=["frob"])
    check("run the seed scenario", ["run", os.path.join(SRC, "examples", "seed-failure.sek")], 0,
          out=["CryptoTokenKit", "-536362999"])
    check("run --json", ["run", "--json", os.path.join(SRC, "examples", "basic.sek")], 0,
          as_json=run_json)
    bad = write(tmp, "bad.sek", "create k [kSecAttrTokenID: kSecAttrTokenIDSecureEnclave]\n"
                                "frobnicate now\n")
    check("run bad script names line:col", ["run", bad], 1, err=["2:1"])
    unmet = write(tmp, "unmet.sek", "find k [kSecClass: kSecClassKey, kSecAttrLabel: \"none\"]\n"
                                    "expect ok\n")
    check("run unmet expectation", ["run", unmet], 1)

if failures:
    print("\n".join(failures))
    print(f"cli: {len(failures)} failed")
    sys.exit(1)
print("cli: all cases passed")
