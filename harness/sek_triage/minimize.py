"""minimize: one smaller input per bucket that still reproduces the bucket's signature.

Order: the engine's minimizer first (libFuzzer -minimize_crash=1 on the libfuzzer build, or
afl-tmin on the afl build for inputs AFL++ found), then ddmin (Zeller's delta debugging) over
the replay build, starting from the best input so far.  Every candidate is checked against the
bucket's signature on the replay build, the build that computed the signature: an engine
minimizer only knows "it still crashes", and may have walked into another bug.  ddmin is also
the documented fallback when no engine build is available (a gcc-only machine): its predicate is
"the replay build reproduces the same signature", so its result needs no second check.
"""

import hashlib
import os
import shutil
import tempfile
import time

from . import tools


class Budget:
    def __init__(self, seconds, max_tests=4000):
        self.deadline = time.time() + seconds
        self.tests = 0
        self.max_tests = max_tests

    def left(self):
        return max(0.0, self.deadline - time.time())

    def spent(self):
        return self.left() <= 0 or self.tests >= self.max_tests


def ddmin(data, test, budget):
    """Delta debugging over bytes: returns a 1-minimal subsequence (within the budget) for
    which test() still holds.  test results are cached by content."""
    cache = {}

    def check(candidate):
        key = hashlib.sha1(candidate).digest()
        if key not in cache:
            if budget.spent():
                return False
            budget.tests += 1
            cache[key] = test(candidate)
        return cache[key]

    if len(data) > 0 and check(b""):
        return b""
    n = 2
    while len(data) >= 2 and not budget.spent():
        chunk = -(-len(data) // n)
        reduced = False
        # Complements first: removing one chunk is what shrinks fastest on fuzz inputs.
        for start in range(0, len(data), chunk):
            candidate = data[:start] + data[start + chunk:]
            if check(candidate):
                data = candidate
                n = max(n - 1, 2)
                reduced = True
                break
        if not reduced:
            for start in range(0, len(data), chunk):
                candidate = data[start:start + chunk]
                if len(candidate) < len(data) and check(candidate):
                    data = candidate
                    n = 2
                    reduced = True
                    break
        if not reduced:
            if n >= len(data):
                break
            n = min(n * 2, len(data))
    return data


def libfuzzer_minimize(binary, src, dst, timeout, seconds, env):
    """libFuzzer's crash minimizer; True when it wrote dst."""
    cmd = [binary, "-minimize_crash=1", "-runs=100000", "-max_total_time=%d" % max(1, seconds),
           "-timeout=%d" % timeout, "-exact_artifact_path=%s" % dst, src]
    tools.run(cmd, env=env, limit=seconds + timeout * 4 + 60)
    return os.path.isfile(dst)


def afl_tmin(binary, src, dst, timeout, seconds, hang=False):
    """afl-tmin (shared-memory test cases, no @@: AFL++ 4.04c); True when it wrote dst."""
    exe = tools.which(["afl-tmin"])
    if exe is None:
        return False
    env = dict(os.environ)
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        env.pop(k, None)  # afl-tmin sets the options it needs (abort_on_error, symbolize=0)
    env.update({"AFL_SKIP_CPUFREQ": "1", "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1",
                "AFL_NO_AFFINITY": "1"})
    cmd = [exe, "-i", src, "-o", dst, "-t", str(timeout * 1000), "-m", "none"]
    if hang:
        cmd.append("-H")
    cmd += ["--", binary]
    tools.run(cmd, env=env, limit=seconds + 60)
    return os.path.isfile(dst) and os.path.getsize(dst) > 0


def minimize_bucket(bucket, rep, work_dir, engine="auto", libfuzzer_bin=None, afl_bin=None,
                    seconds=60, tries=1):
    """Minimizes bucket['representative'] keeping it in the bucket (the same bug as one of its
    member signatures, bucket['_members']); writes work_dir/minimized and
    returns the 'minimized' record {path, size, original_size, method, verified}."""
    os.makedirs(work_dir, exist_ok=True)
    sig = bucket["_sig"]
    members = bucket.get("_members") or [sig]
    src = bucket["representative"]
    with open(src, "rb") as f:
        original = f.read()
    best, method = original, "none"
    budget = Budget(seconds)
    scratch = tempfile.mkdtemp(prefix="min-", dir=work_dir)

    def keeps(data):
        return rep.matches(data, members, tries=tries, work_dir=scratch)

    try:
        engines = []
        if engine in ("auto", "libfuzzer") and libfuzzer_bin:
            engines.append("libfuzzer")
        if afl_bin and (engine == "afl-tmin" or (engine == "auto" and not libfuzzer_bin)):
            engines.append("afl-tmin")
        for eng in engines:
            if budget.spent():
                break
            out = os.path.join(scratch, "engine-" + eng)
            share = max(5, int(budget.left() * 0.6))
            if eng == "libfuzzer":
                ok = libfuzzer_minimize(libfuzzer_bin, src, out, rep.timeout, share, rep.env)
            else:
                ok = afl_tmin(afl_bin, src, out, rep.timeout, share, hang=sig.kind == "Timeout")
            if not ok:
                continue
            with open(out, "rb") as f:
                cand = f.read()
            if len(cand) < len(best) and keeps(cand):
                best, method = cand, eng
                break
        if engine != "none" and not budget.spent():
            reduced = ddmin(best, keeps, budget)
            if len(reduced) < len(best):
                best = reduced
                method = "ddmin" if method == "none" else method + "+ddmin"
        verified = keeps(best) if best != original else True
        path = os.path.join(work_dir, "minimized")
        with open(path, "wb") as f:
            f.write(best if verified else original)
        return {"path": path, "size": len(best if verified else original),
                "original_size": len(original), "method": method if verified else "none",
                "verified": verified, "tests": budget.tests}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
