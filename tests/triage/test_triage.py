#!/usr/bin/env python3
"""Triage tests (ctest runs one CHECK per entry; see tests/triage/CMakeLists.txt).

  unit         parser and signature rules on canned sanitizer reports (no process runs)
  run          harness/triage run over every planted input (the fixture the checks read)
  buckets      one bucket per planted bug, right type and severity, no bucket split or merged
  minimized    each bucket's minimized input reproduces the bucket's signature
  sarif        report.sarif has SARIF 2.1.0's required structure (structural check below)
  flaky        the input that crashes only sometimes is marked flaky, the others are not
  regressions  --add-regressions wrote crash-<id> files equal to the minimized inputs
  reproduce    `triage reproduce` prints the signature and bucket and exits 1 / 0
  known        a rerun with the first report as --known finds nothing new (exit 0)
  ddmin        the fallback minimizer alone keeps signatures and shrinks inputs

The expected bug of each input comes from its content (planted.c's selector character after
any '(' prefix), never from the report under test.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # a test run writes nothing into the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "harness"))

from sek_triage import parse, severity, signature  # noqa: E402

# selector -> (signature type, severity, frames that must lead the signature)
EXPECT = {
    "R": ("Heap-buffer-overflow READ", "Medium", ["planted_checksum", "planted_parse_record"]),
    "W": ("Heap-buffer-overflow WRITE", "High", ["planted_copy_name", "route"]),
    "U": ("Heap-use-after-free READ", "High", ["planted_session", "route"]),
    "N": ("Null-dereference", "Low", ["planted_lookup_value", "route"]),
    "S": ("Integer-overflow", "Low", ["planted_scale", "route"]),
    "H": ("Invalid-shift", "Low", ["planted_mask", "route"]),
    "L": ("Memory-leak", "Low", ["planted_intern", "route"]),
    "T": ("Timeout", "Low", None),  # the frames are a sample; planted_spin must be among them
    "O": ("Stack-overflow", "Low", ["parse_list", "planted_parse_item"]),
    "F": ("Heap-double-free", "High", ["planted_flaky", "route"]),
    "G": ("Global-buffer-overflow READ", "Medium", ["name_at", "describe", "route"]),
    "A": ("Abort", "Low", None),
    "B": ("Abort", "Low", None),
    "K1": ("Abort", "Low", None),
    "K2": ("Abort", "Low", None),
}
NO_CRASH = {b"Nalpha", b"T0", b"hello"}
SAME_BUG = {"C": "R"}  # C reaches R's bug through another caller (a different third frame)


def selector(data):
    s = data.lstrip(b"(")
    if data in NO_CRASH or not s:
        return None
    if s[:1] == b"K":
        return "K" + chr(s[1])  # two oracles behind one helper: K1, K2
    return SAME_BUG.get(chr(s[0]), chr(s[0]))


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Env:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.out = os.path.join(self.work, "out")
        self.report_path = os.path.join(self.out, "report.json")

    def triage(self, *argv, expect=None, env=None):
        cmd = [sys.executable, self.args.triage] + list(argv)
        e = dict(os.environ)
        e["PLANTED_FLAKY_DIR"] = os.path.join(self.work, "flaky")
        os.makedirs(e["PLANTED_FLAKY_DIR"], exist_ok=True)
        if env:
            e.update(env)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, env=e)
        if expect is not None and r.returncode != expect:
            print(r.stdout[-4000:])
            print(r.stderr[-4000:])
            fail("%s exited %d, expected %d" % (" ".join(cmd), r.returncode, expect))
        return r

    def common(self):
        return ["--replay-bin", self.args.replay_bin, "--timeout", "1", "--jobs", "2"]

    def report(self):
        if not os.path.isfile(self.report_path):
            fail("no %s: did triage_planted_run pass?" % self.report_path)
        with open(self.report_path) as f:
            return json.load(f)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- checks over the planted run ---------------------------------------------------------------

def check_run(env):
    shutil.rmtree(env.work, ignore_errors=True)
    os.makedirs(env.work)
    argv = ["run", "planted", env.args.inputs, "--out", env.out, "--runs", "3",
            "--minimize-seconds", "10", "--regressions-dir", os.path.join(env.work, "regressions"),
            "--add-regressions"] + env.common()
    if env.args.libfuzzer_bin:
        argv += ["--libfuzzer-bin", env.args.libfuzzer_bin]
    else:
        print("note: no libFuzzer build of the planted target; minimizing with ddmin")
        argv += ["--minimizer", "ddmin"]
    r = env.triage(*argv, expect=1)  # 1: new buckets appeared (none is known yet)
    print(r.stdout)
    for name in ("report.json", "report.md", "report.sarif"):
        if not os.path.isfile(os.path.join(env.out, name)):
            fail("triage wrote no %s" % name)


def check_buckets(env):
    rep = env.report()
    by_bug = {}
    inputs = {i["path"]: i for i in rep["inputs"]}
    for path, rec in inputs.items():
        base = os.path.basename(path)
        if base in ("README.txt", "fuzzer_stats") or "/queue/" in path:
            fail("%s is not an input but was triaged" % path)
        bug = selector(read(path))
        if bug is None:
            if rec["bucket"] is not None:
                fail("%s should not crash but landed in bucket %s" % (path, rec["bucket"]))
            continue
        if rec["bucket"] is None:
            fail("%s (bug %s) did not reproduce: %s" % (path, bug, rec["runs"]))
        by_bug.setdefault(bug, set()).add(rec["bucket"])
    for bug, ids in sorted(by_bug.items()):
        if len(ids) != 1:
            fail("bug %s split into %d buckets: %s" % (bug, len(ids), sorted(ids)))
    owners = {}
    for bug, ids in by_bug.items():
        bid = next(iter(ids))
        if bid in owners:
            fail("bugs %s and %s share bucket %s" % (owners[bid], bug, bid))
        owners[bid] = bug
    if set(by_bug) != set(EXPECT):
        fail("planted bugs %s, triaged %s" % (sorted(EXPECT), sorted(by_bug)))
    if len(rep["buckets"]) != len(EXPECT):
        fail("%d buckets for %d planted bugs" % (len(rep["buckets"]), len(EXPECT)))
    for b in rep["buckets"]:
        bug = owners[b["id"]]
        want_type, want_sev, want_frames = EXPECT[bug]
        if b["type"] != want_type:
            fail("bucket of bug %s has type %r, want %r" % (bug, b["type"], want_type))
        if b["severity"] != want_sev:
            fail("bucket of bug %s has severity %s, want %s" % (bug, b["severity"], want_sev))
        frames = b["signature_frames"]
        if want_frames is not None and frames[:len(want_frames)] != want_frames:
            fail("bucket of bug %s has frames %s, want %s first" % (bug, frames, want_frames))
        if bug == "T" and "planted_spin" not in b["chain"]:
            fail("timeout bucket frames %s miss planted_spin" % b["chain"])
        if bug in ("A", "B") and not (len(frames) == 1 and
                                       frames[0].startswith("LLVMFuzzerTestOneInput:")):
            fail("oracle abort %s has frames %s" % (bug, frames))
        if bug in ("K1", "K2") and not (len(frames) == 2 and frames[0].startswith("oracle_failed:")):
            fail("oracle helper abort %s has frames %s" % (bug, frames))
        if b["count"] < 2:
            fail("bucket of bug %s has %d input(s); every bug has several" % (bug, b["count"]))
        if bug == "W" and set(b["types"]) != {"Heap-buffer-overflow READ", "Heap-buffer-overflow WRITE"}:
            fail("the W bucket should hold the memcpy's READ and WRITE side: %s" % b["types"])
        if bug == "R" and len({t.split(" | ")[2] for t in b["signatures"]}) < 2:
            fail("the R bucket should hold both callers' signatures: %s" % b["signatures"])
    if severity.rank(rep["buckets"][0]["severity"]) < severity.rank(rep["buckets"][-1]["severity"]):
        fail("buckets are not ordered by severity")
    print("ok: %d bugs, %d buckets, none split, none shared" % (len(by_bug), len(rep["buckets"])))


def _reproduces(env, path, bucket_id, runs):
    r = env.triage("reproduce", "planted", path, "--json", "--runs", str(runs), "--known",
                   env.report_path, *env.common())
    if r.returncode != 1:
        fail("%s did not reproduce (exit %d): %s" % (path, r.returncode, r.stdout[-2000:]))
    data = json.loads(r.stdout)
    if not data["known"] or not data["known_as"].startswith(bucket_id):
        fail("%s reproduces as %s (%s), not bucket %s" % (
            path, data["signature"]["text"], data["known_as"], bucket_id))
    return data


def check_minimized(env):
    rep = env.report()
    engines = set()
    for b in rep["buckets"]:
        m = b["minimized"]
        if not m or not os.path.isfile(m["path"]):
            fail("bucket %s has no minimized input" % b["id"])
        if not m["verified"]:
            fail("bucket %s: minimization did not keep the signature" % b["id"])
        if m["size"] > m["original_size"]:
            fail("bucket %s: minimized input grew" % b["id"])
        engines.add(m["method"])
        _reproduces(env, m["path"], b["id"], 3 if b["all_flaky"] else 1)
    shrunk = sum(1 for b in rep["buckets"] if b["minimized"]["size"] < b["minimized"]["original_size"])
    if shrunk < len(rep["buckets"]) // 2:
        fail("only %d of %d buckets shrank" % (shrunk, len(rep["buckets"])))
    if env.args.libfuzzer_bin and not any("libfuzzer" in e for e in engines):
        fail("the libFuzzer minimizer was never used (methods: %s)" % sorted(engines))
    print("ok: %d minimized inputs reproduce their bucket (%d shrank; methods %s)" % (
        len(rep["buckets"]), shrunk, ", ".join(sorted(engines))))


SARIF_LEVELS = {"none", "note", "warning", "error"}


def validate_sarif(doc, root):
    """Structural check of SARIF 2.1.0's required parts (and what GitHub code scanning reads).
    Returns a list of problems (empty when valid)."""
    bad = []

    def need(cond, msg):
        if not cond:
            bad.append(msg)
        return cond

    if not need(isinstance(doc, dict), "top level is not an object"):
        return bad
    need(doc.get("version") == "2.1.0", "version is not 2.1.0")
    need(isinstance(doc.get("$schema"), str) and "sarif" in doc["$schema"], "no $schema")
    runs = doc.get("runs")
    if not need(isinstance(runs, list) and runs, "runs is not a non-empty array"):
        return bad
    for ri, run in enumerate(runs):
        driver = (run.get("tool") or {}).get("driver") if isinstance(run, dict) else None
        if not need(isinstance(driver, dict), "runs[%d].tool.driver missing" % ri):
            continue
        need(isinstance(driver.get("name"), str) and driver["name"], "driver.name missing")
        rules = driver.get("rules")
        need(isinstance(rules, list), "driver.rules is not an array")
        ids = [r.get("id") for r in rules or []]
        need(all(isinstance(i, str) and i for i in ids), "a rule has no id")
        need(len(ids) == len(set(ids)), "rule ids repeat")
        for r in rules or []:
            sd = r.get("shortDescription")
            need(sd is None or isinstance(sd.get("text"), str), "rule %s shortDescription" % r.get("id"))
        results = run.get("results")
        if not need(isinstance(results, list), "runs[%d].results is not an array" % ri):
            continue
        for k, res in enumerate(results):
            where = "results[%d]" % k
            need(res.get("ruleId") in ids, "%s.ruleId not a rule" % where)
            if "ruleIndex" in res:
                need(isinstance(res["ruleIndex"], int) and 0 <= res["ruleIndex"] < len(ids) and
                     ids[res["ruleIndex"]] == res.get("ruleId"), "%s.ruleIndex wrong" % where)
            need(res.get("level") in SARIF_LEVELS, "%s.level invalid" % where)
            need(isinstance((res.get("message") or {}).get("text"), str) and
                 res["message"]["text"], "%s.message.text missing" % where)
            locs = res.get("locations")
            if not need(isinstance(locs, list) and locs, "%s.locations empty" % where):
                continue
            for loc in locs:
                pl = loc.get("physicalLocation") or {}
                uri = (pl.get("artifactLocation") or {}).get("uri")
                need(isinstance(uri, str) and uri and ":" not in uri.split("/")[0],
                     "%s uri %r is not repository-relative" % (where, uri))
                if isinstance(uri, str):
                    need(os.path.isfile(os.path.join(root, uri)), "%s uri %s is no file" % (where, uri))
                line = (pl.get("region") or {}).get("startLine")
                need(isinstance(line, int) and line >= 1, "%s.region.startLine invalid" % where)
    return bad


def check_sarif(env):
    rep = env.report()
    with open(os.path.join(env.out, "report.sarif")) as f:
        doc = json.load(f)
    problems = validate_sarif(doc, ROOT)
    # The validator itself must reject a broken log, or it checks nothing.
    broken = json.loads(json.dumps(doc))
    broken["runs"][0]["results"][0]["locations"] = []
    del broken["runs"][0]["results"][-1]["level"]
    if len(validate_sarif(broken, ROOT)) < 2:
        fail("the SARIF validator accepts a log without locations and level")
    if problems:
        fail("SARIF: " + "; ".join(problems))
    results = doc["runs"][0]["results"]
    if len(results) != len(rep["buckets"]):
        fail("%d SARIF results for %d buckets" % (len(results), len(rep["buckets"])))
    fps = {json.dumps(r.get("partialFingerprints"), sort_keys=True) for r in results}
    if len(fps) != len(results):
        fail("SARIF results share fingerprints")
    levels = {r["ruleId"]: r["level"] for r in results}
    if levels.get("heap-buffer-overflow-write") != "error" or levels.get("memory-leak") != "note":
        fail("SARIF levels do not follow severity: %s" % levels)
    print("ok: SARIF 2.1.0 structure valid, %d results" % len(results))


def check_flaky(env):
    rep = env.report()
    for b in rep["buckets"]:
        bugs = {selector(read(p)) for p in b["inputs"]}
        if bugs == {"F"}:
            if not b["flaky"] or len(b["flaky_inputs"]) != len(b["inputs"]):
                fail("the flaky bucket is not marked flaky: %s" % b["reproducibility"])
        elif b["flaky"] and bugs != {"T"}:  # a timeout may miss its alarm on a loaded machine
            fail("bucket %s (bugs %s) marked flaky: %s" % (b["id"], bugs, b["flaky_inputs"]))
    flaky_inputs = [i for i in rep["inputs"] if i["status"] == "flaky"]
    if not any(selector(read(i["path"])) == "F" for i in flaky_inputs):
        fail("no flaky input found")
    print("ok: flaky input(s) marked: %s" % ", ".join(
        os.path.basename(i["path"]) for i in flaky_inputs))


def check_regressions(env):
    rep = env.report()
    d = os.path.join(env.work, "regressions", "planted")
    for b in rep["buckets"]:
        path = os.path.join(d, "crash-%s" % b["id"])
        if not os.path.isfile(path):
            fail("no regression input %s" % path)
        if read(path) != read(b["minimized"]["path"]):
            fail("%s differs from the minimized input" % path)
    if len(os.listdir(d)) != len(rep["buckets"]):
        fail("%d regression files for %d buckets" % (len(os.listdir(d)), len(rep["buckets"])))
    print("ok: %d regression inputs" % len(rep["buckets"]))


def check_reproduce(env):
    rep = env.report()
    w = next(b for b in rep["buckets"] if b["type"] == "Heap-buffer-overflow WRITE")
    r = env.triage("reproduce", "planted", w["first_input"], "--known", env.report_path,
                   *env.common(), expect=1)
    own = next(l for l in r.stdout.splitlines() if l.startswith("signature:   "))
    if own[len("signature:   "):] not in w["signatures"]:
        fail("reproduce gives %r, not one of the bucket's %s" % (own, sorted(w["signatures"])))
    for needle in ("ERROR: AddressSanitizer: heap-buffer-overflow", "bucket:      " + w["id"],
                   "planted_lib.c:"):
        if needle not in r.stdout:
            fail("reproduce output lacks %r:\n%s" % (needle, r.stdout[-3000:]))
    clean = next(p for p in rep["not_reproduced"])
    r = env.triage("reproduce", "planted", clean, *env.common(), expect=0)
    if "did not reproduce" not in r.stdout:
        fail("reproduce of a clean input says: %s" % r.stdout)
    env.triage("reproduce", "planted", "/nonexistent", *env.common(), expect=2)
    print("ok: reproduce prints report, signature and bucket; exit 1 crash, 0 clean, 2 usage")


def check_known(env):
    rep = env.report()
    pick = [p for b in rep["buckets"] if b["type"].startswith("Heap-buffer-overflow")
            for p in b["inputs"][:2]]
    out = os.path.join(env.work, "out-known")
    r = env.triage("run", "planted", *pick, "--out", out, "--minimizer", "none", "--runs", "1",
                   "--known", env.report_path, "--regressions-dir",
                   os.path.join(env.work, "no-regressions"), *env.common(), expect=0)
    if "NEW" in r.stdout:
        fail("known buckets reported as new:\n" + r.stdout)
    # With only the WRITE bucket known (as a regression file), the READ bucket is new.
    w = next(b for b in rep["buckets"] if b["type"] == "Heap-buffer-overflow WRITE")
    regs = os.path.join(env.work, "regs-one")
    os.makedirs(os.path.join(regs, "planted"), exist_ok=True)
    shutil.copyfile(w["minimized"]["path"], os.path.join(regs, "planted", "crash-" + w["id"]))
    r = env.triage("run", "planted", *pick, "--out", out, "--minimizer", "none", "--runs", "1",
                   "--regressions-dir", regs, *env.common(), expect=1)
    data = json.load(open(os.path.join(out, "report.json")))
    new = {b["type"] for b in data["buckets"] if b["new"]}
    if new != {"Heap-buffer-overflow READ"}:
        fail("with the WRITE bucket known, new buckets are %s" % new)
    print("ok: known buckets are not new (exit 0); a regression file marks its bucket known")


def check_ddmin(env):
    # Its own folder: this check runs beside triage_planted_run, which clears env.work.
    env.work = env.work.rstrip("/") + "-ddmin"
    work = os.path.join(env.work, "out")
    shutil.rmtree(env.work, ignore_errors=True)
    picks = []
    for name in sorted(os.listdir(os.path.join(env.args.inputs, "libfuzzer"))):
        path = os.path.join(env.args.inputs, "libfuzzer", name)
        if selector(read(path)) in ("W", "O", "U") and len(read(path)) > 4:
            picks.append(path)
    r = env.triage("run", "planted", *picks, "--out", work, "--minimizer", "ddmin",
                   "--minimize-seconds", "20", "--runs", "1", "--regressions-dir",
                   os.path.join(work, "regs"), *env.common(), expect=1)
    data = json.load(open(os.path.join(work, "report.json")))
    if len(data["buckets"]) != 3:
        fail("ddmin run: %d buckets for 3 bugs:\n%s" % (len(data["buckets"]), r.stdout))
    for b in data["buckets"]:
        m = b["minimized"]
        if not m["verified"] or not m["method"].startswith("ddmin") or m["size"] >= m["original_size"]:
            fail("ddmin did not shrink bucket %s keeping its signature: %s" % (b["type"], m))
        # Independently: the minimized bytes give the same signature.
        rr = env.triage("reproduce", "planted", m["path"], "--json", "--runs", "1",
                        "--known", os.path.join(work, "report.json"), *env.common(), expect=1)
        if not json.loads(rr.stdout)["known"]:
            fail("ddmin result of %s reproduces another bug" % b["type"])
    print("ok: ddmin shrank %s" % ", ".join("%s %d->%d" % (b["type"], b["minimized"]["original_size"],
                                                         b["minimized"]["size"]) for b in data["buckets"]))


# ---- unit tests: parser and signature rules ----------------------------------------------------

ROOTDIR = ROOT


def ctx(binary="fuzz_x"):
    return signature.Context(ROOTDIR, binary, "x")


def fr(i, fn, loc):
    return "    #%d 0x%x in %s %s" % (i, 0x5555000 + i * 16, fn, loc)


SRC = os.path.join(ROOTDIR, "tests/triage/planted_lib.c")
TGT = os.path.join(ROOTDIR, "tests/triage/planted.c")
DRV = [fr(7, "run_buffer", ROOTDIR + "/harness/replay.c:66"),
       fr(8, "main", ROOTDIR + "/harness/replay.c:215"),
       "    #9 0x7f00 in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x271ca)"]


def asan(kind, access, frames, extra=""):
    lines = ["=================================================================",
             "==1==ERROR: AddressSanitizer: %s on address 0x602000000031 at pc 0x1 bp 0x2 sp 0x3" % kind]
    if access:
        lines.append("%s of size 4 at 0x602000000031 thread T0" % access)
    return "\n".join(lines + frames + DRV + ["", extra, "SUMMARY: AddressSanitizer: %s" % kind])


def sig_of(text, c=None):
    crash = parse.parse(text)
    return signature.compute(crash, c or ctx())


class ParseTests(unittest.TestCase):
    def test_frame_formats(self):
        f = parse.parse_frame("    #3 0x55fd15091323 in fuzzer::Fuzzer::ExecuteCallback(unsigned char"
                              " const*, unsigned long) (/tmp/fuzz_x+0x44323) (BuildId: af89)")
        self.assertEqual((f.function, f.module, f.offset),
                         ("fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long)",
                          "/tmp/fuzz_x", "0x44323"))
        f = parse.parse_frame("    #0 0x1 in sek_der_x /w/src/der.c:35:7")
        self.assertEqual((f.function, f.file, f.line, f.column), ("sek_der_x", "/w/src/der.c", 35, 7))
        f = parse.parse_frame("    #2 0x7f3abdc5a04f  (/lib/x86_64-linux-gnu/libc.so.6+0x3c04f)")
        self.assertEqual((f.function, f.module), (None, "/lib/x86_64-linux-gnu/libc.so.6"))
        self.assertIsNone(parse.parse_frame("SUMMARY: AddressSanitizer: heap-buffer-overflow"))

    def test_asan_kinds_and_access(self):
        c = parse.parse(asan("heap-buffer-overflow", "WRITE", [fr(0, "f", SRC + ":10")]))
        self.assertEqual((c.kind, c.access, c.size), ("Heap-buffer-overflow", "WRITE", 4))
        c = parse.parse("==1==ERROR: AddressSanitizer: attempting double-free on 0x6 in thread T0:\n"
                        + fr(0, "free", "(/usr/lib/libasan.so.8+0x1)"))
        self.assertEqual(c.kind, "Heap-double-free")
        c = parse.parse("==1==ERROR: AddressSanitizer: attempting free on address which was not"
                        " malloc()-ed: 0x7 in thread T0\n" + fr(0, "f", SRC + ":3"))
        self.assertEqual(c.kind, "Invalid-free")

    def test_segv_null_and_wild(self):
        base = ("AddressSanitizer:DEADLYSIGNAL\n==1==ERROR: AddressSanitizer: SEGV on unknown address"
                " %s (pc 0x55d0c1a2b3c4 bp 0x1 sp 0x2 T0)\n==1==The signal is caused by a %s memory access.\n%s\n"
                + fr(0, "planted_session", SRC + ":70"))
        c = parse.parse(base % ("0x000000000008", "READ", "==1==Hint: address points to the zero page."))
        self.assertEqual(c.kind, "Null-dereference")
        c = parse.parse(base % ("0x7f0000001000", "WRITE", ""))
        self.assertEqual((c.kind, c.access), ("SEGV", "WRITE"))
        # A wild SEGV and a heap overflow with the same frames and access are one bug.
        wild = signature.compute(c, ctx())
        hbo = sig_of(asan("heap-buffer-overflow", "WRITE", [fr(0, "planted_session", SRC + ":75")]))
        self.assertTrue(signature.same_bug(wild, hbo))
        self.assertEqual(len(signature.group_signatures([wild, hbo])), 1)

    def test_ubsan_kinds(self):
        cases = {
            "signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'": "Integer-overflow",
            "shift exponent 40 is too large for 32-bit type 'unsigned int'": "Invalid-shift",
            "left shift of negative value -1": "Invalid-shift",
            "index 9 out of bounds for type 'int [4]'": "Index-out-of-bounds",
            "member access within null pointer of type 'struct entry'": "Null-dereference",
            "load of null pointer of type 'int'": "Null-dereference",
            "division by zero": "Divide-by-zero",
            "load of misaligned address 0x01 for type 'int', which requires 4 byte alignment": "Misaligned-address",
            "load of value 7, which is not a valid value for type 'bool'": "Invalid-bool-value",
            "applying non-zero offset 8 to null pointer": "Pointer-overflow",
            "something new": "Undefined-behavior",
        }
        for msg, kind in cases.items():
            c = parse.parse("%s:12:3: runtime error: %s\n%s" % (SRC, msg, fr(0, "g", SRC + ":12")))
            self.assertEqual(c.kind, kind, msg)
            self.assertEqual(c.sanitizer, "UndefinedBehaviorSanitizer")

    def test_libfuzzer_reports(self):
        c = parse.parse("==9== ERROR: libFuzzer: deadly signal\n"
                        "    #0 0x1 in __sanitizer_print_stack_trace (/t/fuzz_x+0xead11)\n"
                        "    #1 0x2 in fuzzer::PrintStackTrace() (/t/fuzz_x+0x5d668)\n"
                        "    #4 0x3 in raise signal/../sysdeps/posix/raise.c:26:13\n"
                        "    #5 0x4 in abort stdlib/./stdlib/abort.c:79:7\n"
                        + fr(6, "LLVMFuzzerTestOneInput", TGT + ":87:5"))
        self.assertEqual(c.kind, "Abort")
        s = signature.compute(c, ctx("fuzz_x"))
        self.assertEqual(s.frames, ["LLVMFuzzerTestOneInput:87"])
        c = parse.parse("==9== ERROR: libFuzzer: out-of-memory (malloc(4294967296))\n" +
                        fr(0, "planted_intern", SRC + ":129"))
        self.assertEqual(c.kind, "Out-of-memory")
        c = parse.parse("ALARM: working on the last Unit for 1 seconds\n"
                        "==9== ERROR: libFuzzer: timeout after 1 seconds\n" + fr(0, "spin", SRC + ":1"))
        self.assertEqual(c.kind, "Timeout")
        self.assertIsNone(parse.parse("INFO: Seed: 1\nDone 4 runs in 0 second(s)\n"))
        c = parse.parse("fuzz_x: %s:40: check: Assertion `n < 4' failed.\n" % SRC +
                        "==1==ERROR: AddressSanitizer: ABRT on unknown address 0x1 (pc 0x2)\n" +
                        fr(0, "abort", "(/lib/x86_64-linux-gnu/libc.so.6+0x1)") + "\n" +
                        fr(1, "check", SRC + ":40"))
        self.assertEqual((c.kind, c.detail), ("Assertion-failure", "n < 4"))
        self.assertEqual(signature.compute(c, ctx()).type_key, "Assertion-failure `n < 4'")


class SignatureTests(unittest.TestCase):
    def test_lines_and_columns_do_not_matter(self):
        a = sig_of(asan("heap-buffer-overflow", "READ", [fr(0, "planted_checksum", SRC + ":31:7"),
                                                         fr(1, "route", TGT + ":56")]))
        b = sig_of(asan("heap-buffer-overflow", "READ", [fr(0, "planted_checksum", SRC + ":34:12"),
                                                         fr(1, "route", TGT + ":57:3")]))
        self.assertEqual(a.id, b.id)
        c = sig_of(asan("heap-buffer-overflow", "READ", [fr(0, "planted_session", SRC + ":31"),
                                                         fr(1, "route", TGT + ":56")]))
        self.assertNotEqual(a.id, c.id)
        d = sig_of(asan("heap-buffer-overflow", "WRITE", [fr(0, "planted_checksum", SRC + ":31"),
                                                          fr(1, "route", TGT + ":56")]))
        self.assertNotEqual(a.id, d.id)

    def test_runtime_frames_dropped_and_entry_rule(self):
        s = sig_of(asan("heap-buffer-overflow", "WRITE", [
            "    #0 0x7f in __interceptor_memcpy ../../../../src/libsanitizer/sanitizer_common/x.inc:827",
            fr(1, "planted_copy_name", SRC + ":48"), fr(2, "route", TGT + ":58"),
            fr(3, "LLVMFuzzerTestOneInput", TGT + ":88")]))
        self.assertEqual(s.frames, ["planted_copy_name", "route"])
        # A bug in the entry function itself keeps the entry as its frame.
        s = sig_of(asan("heap-buffer-overflow", "READ", [fr(0, "LLVMFuzzerTestOneInput", TGT + ":86")]))
        self.assertEqual(s.frames, ["LLVMFuzzerTestOneInput"])
        # A target's own helper above the entry is ours.
        s = sig_of(asan("heap-buffer-overflow", "READ", [fr(0, "describe", TGT + ":44"),
                                                         fr(1, "LLVMFuzzerTestOneInput", TGT + ":88")]))
        self.assertEqual(s.frames, ["describe"])

    def test_inline_frames_kept(self):
        s = sig_of(asan("global-buffer-overflow", "READ", [
            "    #0 0x55 in name_at %s:37" % TGT, "    #1 0x55 in describe %s:44" % TGT,
            fr(2, "route", TGT + ":78")]))
        self.assertEqual(s.frames, ["name_at", "describe", "route"])

    def test_recursion_collapsed(self):
        deep = [fr(0, "planted_checksum", SRC + ":35")] + \
               [fr(i, "route", TGT + ":49") for i in range(1, 6)] + [fr(6, "LLVMFuzzerTestOneInput", TGT + ":88")]
        flat = [fr(0, "planted_checksum", SRC + ":35"), fr(1, "route", TGT + ":56")]
        self.assertEqual(sig_of(asan("heap-buffer-overflow", "READ", deep)).id,
                         sig_of(asan("heap-buffer-overflow", "READ", flat)).id)
        self.assertEqual(signature.collapse_recursion(["a", "b", "a", "b", "a", "c", "d"]), ["a", "c", "d"])

    def test_stack_overflow_cycle_canonical(self):
        def so(first, second, n):
            frames = []
            for i in range(n):
                frames.append(fr(i, first if i % 2 == 0 else second, SRC + ":%d" % (160 + i % 2)))
            return ("==1==ERROR: AddressSanitizer: stack-overflow on address 0x7ff (pc 0x1 bp 0x2 sp 0x3 T0)\n"
                    + "\n".join(frames))
        a = sig_of(so("planted_parse_item", "parse_list", 40))
        b = sig_of(so("parse_list", "planted_parse_item", 41))
        self.assertEqual(a.id, b.id)
        self.assertEqual(a.frames, ["parse_list", "planted_parse_item"])

    def test_missing_symbols_fallback(self):
        s = sig_of(asan("heap-buffer-overflow", "READ", [
            "    #0 0x1 in sek_parse (/b/fuzz_x+0x1234)", "    #1 0x2 (/b/fuzz_x+0x2000)",
            "    #2 0x3 in ssl_thing (/usr/lib/x86_64-linux-gnu/libcrypto.so.3+0x99)",
            "    #3 0x4 in LLVMFuzzerTestOneInput (/b/fuzz_x+0x3000)"]))
        self.assertEqual(s.frames, ["sek_parse", "fuzz_x+0x2000"])

    def test_clone_suffixes_and_other_checkout(self):
        self.assertEqual(signature.normalize_function("parse_item.part.0"), "parse_item")
        self.assertEqual(signature.normalize_function("f.constprop.0.isra.0"), "f")
        self.assertEqual(signature.normalize_function("ns::f(int, char const*)"), "ns::f")
        # A build made in another checkout: found by path suffix.
        s = sig_of(asan("heap-use-after-free", "READ", [
            fr(0, "planted_session", "/elsewhere/copy/tests/triage/planted_lib.c:75")]))
        self.assertEqual(s.frames, ["planted_session"])

    def test_leak_choice_is_by_content(self):
        def leak(order):
            blocks = {"a": ("Direct leak of 40 byte(s) in 1 object(s) allocated from:",
                            ["    #0 0x1 in malloc (/usr/lib/libasan.so.8+0x1)", fr(1, "alloc_a", SRC + ":5")]),
                      "b": ("Direct leak of 8 byte(s) in 1 object(s) allocated from:",
                            ["    #0 0x1 in malloc (/usr/lib/libasan.so.8+0x1)", fr(1, "alloc_b", SRC + ":9")])}
            text = ["==1==ERROR: LeakSanitizer: detected memory leaks", ""]
            for k in order:
                text += [blocks[k][0]] + blocks[k][1] + [""]
            return "\n".join(text)
        self.assertEqual(sig_of(leak("ab")).id, sig_of(leak("ba")).id)
        self.assertEqual(sig_of(leak("ab")).frames, ["alloc_a"])

    def test_timeout_samples_group(self):
        t1 = signature.Signature("Timeout", ["spin_step", "planted_spin", "route"],
                                 ["spin_step", "planted_spin", "route"], "Timeout")
        t2 = signature.Signature("Timeout", ["planted_spin", "route"], ["planted_spin", "route"], "Timeout")
        t3 = signature.Signature("Timeout", ["other_loop", "route"], ["other_loop", "route"], "Timeout")
        groups = signature.group_signatures([t1, t2, t3])
        self.assertEqual(sorted(len(g[1]) for g in groups), [1, 2])
        canon = [g[0] for g in groups if len(g[1]) == 2][0]
        self.assertEqual(canon.frames, ["planted_spin", "route"])

    def test_one_statement_out_of_bounds_either_side(self):
        memcpy = "    #0 0x7f in __asan_memcpy ../../../../src/libsanitizer/asan/asan_interceptors.cpp:22"
        read = sig_of(asan("heap-buffer-overflow", "READ", [memcpy, fr(1, "put32", SRC + ":94"),
                                                            fr(2, "to_raw", SRC + ":180")]))
        write = sig_of(asan("stack-buffer-overflow", "WRITE", [memcpy, fr(1, "put32", SRC + ":94"),
                                                               fr(2, "to_raw", SRC + ":181")]))
        other = sig_of(asan("heap-buffer-overflow", "WRITE", [fr(0, "put32", SRC + ":97"),
                                                               fr(1, "to_raw", SRC + ":181")]))
        self.assertNotEqual(read.id, write.id)
        self.assertTrue(signature.same_bug(read, write))
        self.assertFalse(signature.same_bug(read, other))  # another line, another kind
        self.assertEqual(len(signature.group_signatures([read, write, other])), 2)
        uaf_r = sig_of(asan("heap-use-after-free", "READ", [fr(0, "use", SRC + ":10")]))
        uaf_w = sig_of(asan("heap-use-after-free", "WRITE", [fr(0, "use", SRC + ":20")]))
        self.assertTrue(signature.same_bug(uaf_r, uaf_w))
        self.assertFalse(signature.same_bug(uaf_r, read))

    def test_crash_site_decides(self):
        def s(kind, access, names, line=10):
            return sig_of(asan(kind, access, [fr(i, n, SRC + ":%d" % (line + i))
                                              for i, n in enumerate(names)]))
        a = s("heap-buffer-overflow", "WRITE", ["decode_string", "parse_key_inner", "parse_key"])
        b = s("heap-buffer-overflow", "WRITE", ["decode_string", "parse_value_inner", "parse_value"])
        c = s("heap-buffer-overflow", "WRITE", ["decode_string", "parse_ident_value", "x"], 20)
        d = s("heap-buffer-overflow", "WRITE", ["decode_number", "parse_key_inner", "parse_key"])
        e = s("heap-use-after-free", "READ", ["decode_string", "parse_key_inner", "parse_key"])
        f = s("heap-buffer-overflow", "READ", ["decode_string", "parse_key_inner", "parse_key"], 30)
        self.assertTrue(signature.same_bug(a, b))
        self.assertTrue(signature.same_bug(a, c))
        self.assertFalse(signature.same_bug(a, d))
        self.assertFalse(signature.same_bug(a, e))
        self.assertFalse(signature.same_bug(a, f))  # READ elsewhere in the function: not one statement
        self.assertEqual(len(signature.group_signatures([a, b, c, d, e, f])), 4)

    def test_abort_paths(self):
        def ab(frames):
            return sig_of("==1==ERROR: AddressSanitizer: ABRT on unknown address 0x1 (pc 0x7f01 bp 0 sp 0 T0)\n"
                          + "    #0 0x7f in abort (/lib/x86_64-linux-gnu/libc.so.6+0x1)\n" +
                          "\n".join(fr(i + 1, n, TGT + ":%d" % l) for i, (n, l) in enumerate(frames)))
        k1 = ab([("oracle_failed", 60), ("LLVMFuzzerTestOneInput", 105)])
        k2 = ab([("oracle_failed", 60), ("LLVMFuzzerTestOneInput", 107)])
        self.assertEqual(k1.frames, ["oracle_failed:60", "LLVMFuzzerTestOneInput:105"])
        self.assertFalse(signature.same_bug(k1, k2))
        self.assertEqual(ab([("oracle_failed", 60), ("LLVMFuzzerTestOneInput", 105)]).id, k1.id)

    def test_timeouts_through_other_callers(self):
        t1 = signature.Signature("Timeout", ["read_int", "on_number", "scan"],
                                 ["read_int", "on_number", "scan", "sek_decode"], "Timeout")
        t2 = signature.Signature("Timeout", ["read_int", "parse_lenient", "on_word"],
                                 ["read_int", "parse_lenient", "on_word", "scan"], "Timeout")
        t3 = signature.Signature("Timeout", ["is_digit", "read_int", "on_number"],
                                 ["is_digit", "read_int", "on_number", "scan"], "Timeout")
        t4 = signature.Signature("Timeout", ["skip_space", "scan"], ["skip_space", "scan"], "Timeout")
        groups = signature.group_signatures([t1, t2, t3, t4])
        self.assertEqual(sorted(len(g[1]) for g in groups), [1, 3])
        self.assertEqual([g[0] for g in groups if len(g[1]) == 3][0].frames[0], "read_int")

    def test_jump_to_null(self):
        c = parse.parse("==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 "
                        "(pc 0x000000000000 bp 0x1 sp 0x2 T0)\n" + fr(1, "dispatch", SRC + ":5"))
        self.assertEqual(c.kind, "Bad-jump")
        self.assertEqual(severity.rate(c.kind, c.access)[0], "High")

    def test_severity_table(self):
        self.assertGreater(severity.rank(severity.rate("Heap-buffer-overflow", "WRITE")[0]),
                           severity.rank(severity.rate("Heap-buffer-overflow", "READ")[0]))
        self.assertEqual(severity.rate("Heap-use-after-free", "READ")[0], "High")
        self.assertEqual(severity.rate("Null-dereference", None)[:2], ("Low", False))
        self.assertEqual(severity.rate("Never-seen-before", None)[:2], ("Medium", True))


def check_unit(_env):
    suite = unittest.TestSuite()
    for case in (ParseTests, SignatureTests):
        suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(case))
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    if not result.wasSuccessful():
        sys.exit(1)


CHECKS = {"unit": check_unit, "run": check_run, "buckets": check_buckets,
          "minimized": check_minimized, "sarif": check_sarif, "flaky": check_flaky,
          "regressions": check_regressions, "reproduce": check_reproduce, "known": check_known,
          "ddmin": check_ddmin}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triage", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--replay-bin", required=True)
    ap.add_argument("--libfuzzer-bin")
    ap.add_argument("--work", required=True)
    ap.add_argument("check", choices=sorted(CHECKS))
    args = ap.parse_args()
    CHECKS[args.check](Env(args))


if __name__ == "__main__":
    main()
