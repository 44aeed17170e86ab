"""core: reproduce inputs, bucket them, and build the report data (used by cli and campaign).

One input is run `runs` times, each in a fresh process of the replay build (ASan+UBSan,
symbolized), so that an input which does not crash every time, or not the same way, is seen
as flaky.  Inputs with equal content are run once.  Runs go through a thread pool of `jobs`
processes at a time.
"""

import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import threading

from . import parse, severity, signature, tools

# Files and folders of fuzzer output folders that are not inputs.
META_FILES = {"README.txt", "fuzzer_stats", "plot_data", "fuzz_bitmap", "cmdline",
              "fuzzer_setup", ".cur_input", "target_hash", "fastresume.bin"}
META_SUFFIXES = (".log", ".summary", ".json", ".md", ".sarif", ".options", ".dict")
SKIP_DIRS = {"queue", ".state", ".synced", "redundant_edges", "variable_behavior",
             "deterministic_done", "auto_extras", "buckets"}
# libFuzzer artifact prefixes and AFL++ folders -> what the fuzzer thought it was.
HINTS = [(re.compile(r"^crash-"), "crash"), (re.compile(r"^leak-"), "leak"),
         (re.compile(r"^timeout-"), "timeout"), (re.compile(r"^oom-"), "oom"),
         (re.compile(r"^slow-unit-"), "slow")]


def input_hint(path):
    """(source, hint): ('libfuzzer', 'crash'), ('afl', 'hang'), ('file', None) ..."""
    base = os.path.basename(path)
    parent = os.path.basename(os.path.dirname(path))
    if base.startswith("id:") or base.startswith("id_"):
        if parent == "crashes":
            return "afl", "crash"
        if parent == "hangs":
            return "afl", "hang"
    for rx, hint in HINTS:
        if rx.match(base):
            return "libfuzzer", hint
    return "file", None


def collect_inputs(paths):
    """Files given, and the files below folders given (AFL++ queues and metadata skipped)."""
    out = []
    for p in paths:
        if os.path.isfile(p):
            out.append(os.path.abspath(p))
            continue
        if not os.path.isdir(p):
            raise tools.ToolError("%s is neither a file nor a folder" % p)
        for dirpath, dirnames, filenames in os.walk(p):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for f in sorted(filenames):
                if f.startswith(".") or f in META_FILES or f.endswith(META_SUFFIXES):
                    continue
                out.append(os.path.abspath(os.path.join(dirpath, f)))
    return out


def sha1_file(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


class Reproducer:
    """Runs inputs through one binary and computes their signatures."""

    def __init__(self, binary, target, timeout=10, rss_limit_mb=2560, ctx=None):
        self.binary = binary
        self.target = target
        self.timeout = timeout
        self.env = tools.sanitizer_env(rss_limit_mb)
        self.ctx = ctx or signature.Context(tools.ROOT, binary, target)

    def command(self, path):
        return [self.binary, "-runs=1", "-timeout=%d" % self.timeout, path]

    def run_once(self, path):
        """Returns (Crash or None, Signature or None, tools.Run)."""
        r = tools.run(self.command(path), env=self.env, limit=self.timeout * 2 + 30)
        crash = parse.parse(r.output, r.rc)
        if r.killed and (crash is None or crash.kind != "Timeout"):
            crash = parse.Crash()
            crash.kind, crash.sanitizer = "Timeout", "triage"
            crash.headline = "no report; killed after %.0f s" % r.seconds
        if crash is None and r.rc not in (0, None):
            # The driver could not read the input, or a build without sanitizers exited.
            if r.rc == 1 and "replay: cannot" in r.output:
                return None, None, r
            crash = parse.Crash()
            crash.kind, crash.sanitizer = "Unexpected-exit", "triage"
            crash.headline = "exit status %d without a report" % r.rc
        if crash is None:
            return None, None, r
        return crash, signature.compute(crash, self.ctx), r

    def matches(self, data, sigs, tries=1, work_dir=None):
        """True when the bytes reproduce a crash that is the same bug as one of sigs."""
        path = os.path.join(work_dir or "/tmp", "cand-%s-%d" % (
            hashlib.sha1(data).hexdigest()[:12], threading.get_ident()))
        with open(path, "wb") as f:
            f.write(data)
        try:
            for _ in range(tries):
                _crash, s, _r = self.run_once(path)
                if s is not None and any(signature.same_bug(m, s) for m in sigs):
                    return True
            return False
        finally:
            os.unlink(path)


def summarize_runs(results):
    """From the runs of one input: (status, Signature, representative index, matching count).
    status: 'reliable' (every run, same bug), 'flaky' (some runs or another bug), 'no-crash'."""
    crashing = [(i, s) for i, (c, s, _r) in enumerate(results) if s is not None]
    if not crashing:
        return "no-crash", None, None, 0
    sigs = [s for _i, s in crashing]
    if all(s.kind == "Timeout" for s in sigs):
        groups = signature.group_signatures(sigs)
        if len(groups) == 1:
            canon = groups[0][0] if len({s.text for s in sigs}) == 1 else \
                signature.timeout_signature([s.chain for s in sigs])
            status = "reliable" if len(crashing) == len(results) else "flaky"
            return status, canon, crashing[0][0], len(crashing)
    counts = {}
    for s in sigs:
        counts[s.text] = counts.get(s.text, 0) + 1
    best_text = max(counts, key=lambda t: (counts[t], -[s.text for s in sigs].index(t)))
    rep = next(i for i, s in crashing if s.text == best_text)
    canon = results[rep][1]
    same = sum(1 for s in sigs if signature.same_bug(canon, s))
    status = "reliable" if same == len(results) else "flaky"
    return status, canon, rep, same


def reproduce_all(rep, paths, runs=3, jobs=2, progress=True, repeat_limit=8):
    """Runs every distinct input once, then again (up to `runs` runs in all) when its first
    run did not crash or when its signature is among the first `repeat_limit` inputs seen
    with that signature (0: no limit): a campaign's 200 files of one bug need not all run
    three times to show that the bug reproduces.  Returns the input records."""
    inputs = []
    by_hash = {}
    for p in paths:
        h = sha1_file(p)
        source, hint = input_hint(p)
        rec = {"path": p, "sha1": h, "size": os.path.getsize(p), "source": source, "hint": hint,
               "results": None, "duplicate_of": by_hash.get(h)}
        if h not in by_hash:
            by_hash[h] = len(inputs)
        inputs.append(rec)
    unique = [i for i, r in enumerate(inputs) if r["duplicate_of"] is None]
    if progress:
        tools.log("triage: reproducing %d input(s) (%d distinct), up to %d run(s) each, with "
                  "%s, %d job(s)" % (len(inputs), len(unique), runs, tools.relpath(rep.binary),
                                     jobs))
    first = _run_many(rep, inputs, [(i, 0) for i in unique], jobs)
    seen = {}
    plan = {}
    for i in unique:
        _c, sig, _r = first[(i, 0)]
        key = sig.text if sig else None
        seen[key] = seen.get(key, 0) + 1
        repeat = runs - 1 if (sig is None or not repeat_limit or seen[key] <= repeat_limit) else 0
        plan[i] = repeat
    more = _run_many(rep, inputs, [(i, a) for i in unique for a in range(1, plan[i] + 1)], jobs)
    finished = 0
    for i in unique:
        rec = inputs[i]
        rec["results"] = [first[(i, 0)]] + [more[(i, a)] for a in range(1, plan[i] + 1)]
        _finish(rec)
        finished += 1
        if progress:
            sig = rec["signature"]
            tools.log("triage: [%*d/%d] %-40s %s%s" % (
                len(str(len(unique))), finished, len(unique), os.path.basename(rec["path"])[:40],
                sig.text if sig else "no crash",
                "" if rec["status"] in ("reliable", "no-crash") else
                "  (flaky: %d/%d runs)" % (rec["reproduced"], len(rec["results"]))))
    for rec in inputs:
        if rec["duplicate_of"] is not None:
            src = inputs[rec["duplicate_of"]]
            for k in ("results", "status", "signature", "rep_index", "reproduced", "crash", "output"):
                rec[k] = src[k]
    return inputs


def _run_many(rep, inputs, tasks, jobs):
    """Runs (input index, attempt) tasks in a pool; returns {task: (crash, sig, run)}."""
    out = {}
    if not tasks:
        return out
    total = len(tasks)
    step = max(50, total // 10)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(rep.run_once, inputs[i]["path"]): (i, a) for i, a in tasks}
        for n, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            out[futures[fut]] = fut.result()
            if total >= 100 and n % step == 0:
                tools.log("triage: %d/%d runs" % (n, total))
    return out


def _finish(rec):
    status, sig, rep_index, same = summarize_runs(rec["results"])
    rec["status"], rec["signature"], rec["rep_index"], rec["reproduced"] = status, sig, rep_index, same
    if rep_index is not None:
        crash, _s, r = rec["results"][rep_index]
        rec["crash"], rec["output"] = crash, r.output
    else:
        rec["crash"], rec["output"] = None, rec["results"][0][2].output if rec["results"] else ""


def source_line(ctx, frame, cache={}):
    """The text of a frame's source line when it is one of our files."""
    if not frame.file or not frame.line:
        return None
    rel = ctx.relpath(frame.file)
    if rel is None:
        return None
    path = os.path.join(ctx.root, rel)
    if path not in cache:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                cache[path] = f.read().splitlines()
        except OSError:
            cache[path] = []
    lines = cache[path]
    return lines[frame.line - 1].strip() if 0 < frame.line <= len(lines) else None


def stack_record(ctx, frames, limit=24):
    """Frames for the report: function, location relative to the root, ours or not, source."""
    out = []
    for f in frames[:limit]:
        kind = signature.classify_frame(f, ctx)
        rel = ctx.relpath(f.file) if f.file else None
        out.append({"index": f.index, "function": f.function, "file": rel or f.file,
                    "line": f.line, "column": f.column, "module": f.module, "offset": f.offset,
                    "ours": kind in ("ours", "entry"),
                    "source": source_line(ctx, f) if kind in ("ours", "entry") else None})
    return out


def primary_location(ctx, crash, sig_frames_count=3):
    """(file relative to the root, line) of the top frame of ours, for SARIF."""
    for f in signature.our_frames(crash.frames if crash.kind != "Memory-leak" else
                                  (crash.leaks[0][1] if crash.leaks else crash.frames), ctx):
        if f.file and f.line:
            rel = ctx.relpath(f.file)
            if rel:
                return rel, f.line
    if crash.location:
        rel = ctx.relpath(crash.location[0])
        if rel:
            return rel, crash.location[1]
    return None, None


# Reports whose detail text says more than the crash type (ASan's header is only addresses).
DETAIL_SOURCES = ("UndefinedBehaviorSanitizer", "assert", "libFuzzer", "triage", "signal")


def make_buckets(rep, inputs):
    """Groups reproduced inputs; returns bucket dicts ordered by severity, then count."""
    crashed = [i for i, r in enumerate(inputs) if r["signature"] is not None]
    groups = signature.group_signatures([inputs[i]["signature"] for i in crashed])
    buckets = []
    for canon, members in groups:
        idx = [crashed[m] for m in members]
        recs = [inputs[i] for i in idx]
        reliable = [r for r in recs if r["status"] == "reliable"]
        # The representative has the canonical signature, so its crash type is the bucket's.
        pool = [r for r in (reliable or recs) if r["signature"].text == canon.text] or \
            reliable or recs
        representative = min(pool, key=lambda r: (r["size"], r["path"]))
        crash = representative["crash"]
        # The worst member rates the bucket (a bucket that also WRITEs is a WRITE bucket).
        member_sigs = [r["signature"] for r in recs]
        level, security, source = max(
            (severity.rate(m.kind, m.access) for m in member_sigs),
            key=lambda x: severity.rank(x[0]))
        file, line = primary_location(rep.ctx, crash)
        stack = crash.frames if crash.kind != "Memory-leak" else \
            (crash.leaks[0][1] if crash.leaks else crash.frames)
        distinct = {r["sha1"] for r in recs}
        buckets.append({
            "id": canon.id, "signature": canon.text, "signature_frames": canon.frames,
            "chain": canon.chain, "kind": canon.kind, "access": canon.access,
            "top_line": canon.top_line, "type": canon.type_key,
            "types": sorted({m.type_key for m in member_sigs}),
            "signatures": {t: [m.text for m in member_sigs].count(t)
                           for t in sorted({m.text for m in member_sigs})},
            "crash_type": crash.display_type(),
            "detail": crash.detail if crash.sanitizer in DETAIL_SOURCES else "",
            "severity": level, "security": security,
            "severity_source": source, "count": len(recs), "distinct_inputs": len(distinct),
            "flaky": any(r["status"] == "flaky" for r in recs),
            "all_flaky": not reliable,
            "reproducibility": "%d/%d" % (sum(r["reproduced"] for r in recs),
                                          sum(len(r["results"]) for r in recs)),
            "inputs": [r["path"] for r in recs],
            "flaky_inputs": [r["path"] for r in recs if r["status"] == "flaky"],
            "first_input": recs[0]["path"], "representative": representative["path"],
            "location": {"file": file, "line": line},
            "stack": stack_record(rep.ctx, stack),
            "stacks": [{"title": t, "frames": stack_record(rep.ctx, fr, 12)}
                       for t, fr in crash.stacks[1:4]],
            "report": crash.report, "minimized": None, "new": True, "known_as": None,
            "members": [m.to_json() for m in _distinct(member_sigs)],
            "_sig": canon, "_members": _distinct(member_sigs),
        })
        for r in recs:
            r["bucket"] = canon.id
    buckets.sort(key=lambda b: (-severity.rank(b["severity"]), -b["count"], b["signature"]))
    return buckets


# ---- known buckets ---------------------------------------------------------------------------

def _distinct(sigs):
    out, seen = [], set()
    for s in sigs:
        if s.text not in seen:
            seen.add(s.text)
            out.append(s)
    return out


def _sig_from_record(rec):
    frames = rec.get("signature_frames") or rec.get("frames") or []
    s = signature.Signature(rec.get("type") or rec.get("type_key") or "", frames,
                            rec.get("chain") or frames, rec.get("kind"), rec.get("access"),
                            rec.get("top_line"))
    s.text = rec.get("signature") or rec.get("text") or s.text
    s.id = rec.get("id") or s.id
    return s


def _sigs_from_record(rec):
    """Every signature a stored bucket stands for (its members, else its canonical one)."""
    return [_sig_from_record(m) for m in rec.get("members") or []] or [_sig_from_record(rec)]


def load_known(target, regressions_dir, known_files):
    """Known buckets: crash-<id> files of the regressions folder and the JSON files given
    (a report.json of triage, or ci/fuzz's known.json).  Returns [(Signature or None, id, where)]."""
    known = []
    rdir = os.path.join(regressions_dir, target)
    if os.path.isdir(rdir):
        for f in sorted(os.listdir(rdir)):
            m = re.match(r"^crash-([0-9a-f]{16})", f)
            if m:
                known.append(([], m.group(1), tools.relpath(os.path.join(rdir, f))))
    for path in known_files or []:
        try:
            with open(path) as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            continue
        if "buckets" in data and data.get("target") in (None, target):
            recs = data["buckets"]
        else:
            recs = data.get("targets", {}).get(target, [])
        for rec in recs:
            known.append((_sigs_from_record(rec), rec.get("id"), tools.relpath(path)))
    return known


def mark_known(buckets, known):
    """Sets new/known_as of each bucket: known when its id, or any of its member signatures,
    is the same bug as a known bucket's."""
    for b in buckets:
        members = b.get("_members") or [b["_sig"]]
        for sigs, kid, where in known:
            if kid == b["id"] or any(signature.same_bug(k, m) for k in sigs for m in members):
                b["new"] = False
                b["known_as"] = "%s (%s)" % (kid, where)
                break


def add_regressions(buckets, target, regressions_dir):
    """Copies each bucket's minimized (else representative) input to
    <regressions_dir>/<target>/crash-<id>; returns the paths written."""
    out = []
    d = os.path.join(regressions_dir, target)
    os.makedirs(d, exist_ok=True)
    for b in buckets:
        src = (b["minimized"] or {}).get("path") or b["representative"]
        dst = os.path.join(d, "crash-%s" % b["id"])
        shutil.copyfile(src, dst)
        b["regression"] = tools.relpath(dst)
        out.append(dst)
    return out
