"""campaign: `ci/fuzz`, the main job: build, fuzz every target for a budget, triage, report.

libFuzzer (default): the libfuzzer preset's binary per target, in fork mode (-fork=1
-ignore_crashes=1, so a crash does not end the campaign; timeouts and OOMs are kept going by
fork mode's defaults), with the target's .options flags (ci/lib.sh sek_libfuzzer_flags), its
dictionary (sek_dict), new inputs in out/fuzz/<t>/corpus (the committed corpus/<t> is only
read) and crash artifacts in out/fuzz/<t>/crashes.

AFL++ (--engine afl): the afl preset's binary under afl-fuzz with shared-memory test cases and
no @@ (the AFL++ 4.04c libAFLDriver bug: @@ makes the fork server abort), -V seconds, -x dict,
-t from the .options timeout, seeds = corpus/<t>, output out/fuzz/<t>/afl; stats from
fuzzer_stats.  The environment says what afl-fuzz would otherwise stop for on a CI machine
(AFL_SKIP_CPUFREQ, AFL_NO_AFFINITY, AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES when core_pattern
pipes to a handler we may not change, AFL_SKIP_CRASHES for seeds that crash).

Then: optional corpus merge (--update-corpus: libFuzzer -merge=1 into corpus/<t>, new files
named by their sha1), triage of every target that crashed (harness/triage run), the summary
table and the bucket table, out/fuzz/summary.json, out/fuzz/triage.sarif (all targets, one
SARIF run), and out/fuzz/known.json (the buckets seen so far).  Exit status: 0 no new bucket,
1 new buckets appeared, 2 usage error, 3 a build, a target or a tool failed.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from . import report, tools

EXIT_OK, EXIT_NEW, EXIT_USAGE, EXIT_TOOL = 0, 1, 2, 3

DESCRIPTION = """\
Fuzz every target (or the ones named) for a time budget, then triage what crashed.

Builds the engine's preset (libfuzzer or afl), runs each target with its corpus (corpus/<t>),
dictionary (dict/<t>.dict) and options (targets/fuzz_<t>.options), keeps new inputs in
out/fuzz/<t>/ (corpus/ changes only with --update-corpus), prints a line per running target
every few seconds, and at the end a table per target (executions per second, coverage as
libFuzzer cov/ft or AFL++ edges, corpus size before and after, crashes) and the triage bucket
table.  Writes out/fuzz/summary.json, out/fuzz/triage.sarif, out/fuzz/known.json.
"""

EPILOG = """\
exit status: 0 no new crash bucket, 1 new buckets appeared (not in tests/regressions/<t>/ nor
in out/fuzz/known.json from earlier campaigns; delete that file to forget them), 2 usage
error, 3 a build, a target or a tool failed.

examples:
  ci/fuzz                          every target, 60 s each, libFuzzer
  ci/fuzz --seconds 30 der attrs   two targets
  ci/fuzz --engine afl --seconds 30
  ci/fuzz --update-corpus          merge what was found into corpus/ (libFuzzer -merge=1)
"""

_FORK_STATS = re.compile(r"^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec/s:? (\d+) "
                         r"oom/timeout/crash: (\d+)/(\d+)/(\d+) time: (\d+)s")
_AFL_LOG = re.compile(r"Fuzzing test case #\d+ \((\d+) total, (\d+) crashes saved")
_PLAIN_STATS = re.compile(r"^#(\d+)\s+\S+\s+cov: (\d+) ft: (\d+) corp: (\d+)/\S+.*?exec/s: (\d+)")


def count_files(*dirs):
    """Distinct contents (by sha1) of the regular, non-hidden files in dirs."""
    seen = set()
    for d in dirs:
        if not d or not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            p = os.path.join(d, name)
            if name.startswith(".") or not os.path.isfile(p):
                continue
            with open(p, "rb") as f:
                seen.add(hashlib.sha1(f.read()).hexdigest())
    return len(seen)


def crash_files(d):
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, n) for n in os.listdir(d)
                  if not n.startswith(".") and n != "README.txt" and
                  os.path.isfile(os.path.join(d, n)))


class TargetRun:
    def __init__(self, target, engine, binary, out, seconds, args):
        self.target = target
        self.engine = engine
        self.binary = binary
        self.work = os.path.join(out, target)
        self.seconds = seconds
        self.args = args
        self.corpus = os.path.join(tools.ROOT, "corpus", target)
        self.log_path = os.path.join(self.work, "fuzz.log")
        self.proc = None
        self.log = None
        self.start = None
        self.end = None
        self.last_progress = 0
        self.stats = {}
        self.failed = None

    # -- libFuzzer ------------------------------------------------------------------------------
    def _libfuzzer_cmd(self):
        new = os.path.join(self.work, "corpus")
        arts = os.path.join(self.work, "crashes")
        os.makedirs(new, exist_ok=True)
        # crashes/ holds this campaign's artifacts; the previous campaign's move aside (their
        # buckets are in known.json and in that campaign's report).
        if crash_files(arts):
            prev = os.path.join(self.work, "crashes-previous")
            shutil.rmtree(prev, ignore_errors=True)
            os.rename(arts, prev)
        os.makedirs(arts, exist_ok=True)
        flags = tools.lib_sh("sek_libfuzzer_flags", self.target) + \
            tools.lib_sh("sek_dict", self.target)
        cmd = [self.binary] + flags + [
            "-max_total_time=%d" % self.seconds, "-fork=1", "-ignore_crashes=1",
            "-print_final_stats=1", "-artifact_prefix=%s/" % arts, new]
        if os.path.isdir(self.corpus):
            cmd.append(self.corpus)
        return cmd

    def _libfuzzer_stats(self):
        st = {}
        try:
            with open(self.log_path, errors="replace") as f:
                text = f.read()
        except OSError:
            return st
        for line in text.splitlines():
            m = _FORK_STATS.match(line)
            if m:
                st.update(execs=int(m.group(1)), cov=int(m.group(2)), ft=int(m.group(3)),
                          corpus=int(m.group(4)), crashes_seen=int(m.group(8)),
                          ooms=int(m.group(6)), timeouts=int(m.group(7)))
                continue
            m = _PLAIN_STATS.match(line)
            if m:
                st.update(execs=int(m.group(1)), cov=int(m.group(2)), ft=int(m.group(3)),
                          corpus=int(m.group(4)))
        st["crashes"] = len(crash_files(os.path.join(self.work, "crashes")))
        return st

    # -- AFL++ ----------------------------------------------------------------------------------
    def _afl_cmd(self):
        options = tools.read_options(self.target)
        timeout_ms = tools.option_int(options, "timeout", 5) * 1000
        seeds = self.corpus
        if not os.path.isdir(seeds) or not os.listdir(seeds):
            # afl-fuzz needs one seed that does not crash; an empty line is as neutral as any.
            seeds = os.path.join(self.work, "seed")
            os.makedirs(seeds, exist_ok=True)
            with open(os.path.join(seeds, "empty"), "wb") as f:
                f.write(b"\n")
        cmd = [tools.which(["afl-fuzz"]) or "afl-fuzz", "-i", seeds, "-o",
               os.path.join(self.work, "afl"), "-V", str(self.seconds), "-t", str(timeout_ms),
               "-m", "none"]
        d = os.path.join(tools.ROOT, "dict", "%s.dict" % self.target)
        if os.path.isfile(d):
            cmd += ["-x", d]
        # No @@: libAFLDriver reads the shared-memory test case (AFL++ 4.04c @@ bug).
        return cmd + ["--", self.binary]

    def _afl_env(self):
        env = dict(os.environ)
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            env.pop(k, None)  # afl-fuzz sets abort_on_error/symbolize=0 itself when unset
        env.update({"AFL_SKIP_CPUFREQ": "1", "AFL_NO_UI": "1", "AFL_NO_AFFINITY": "1",
                    "AFL_SKIP_CRASHES": "1", "AFL_FAST_CAL": "1", "AFL_AUTORESUME": "1",
                    "AFL_FORKSRV_INIT_TMOUT": "20000", "AFL_NO_WARN_INSTABILITY": "1"})
        try:
            with open("/proc/sys/kernel/core_pattern") as f:
                piped = f.read().startswith("|")
        except OSError:
            piped = True
        if piped:
            # Changing core_pattern needs root and changes the machine; the crash is still
            # seen by afl-fuzz, only a bit later.
            env["AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES"] = "1"
        return env

    def afl_dir(self):
        return os.path.join(self.work, "afl", "default")

    def _afl_stats(self):
        st = {}
        try:
            with open(os.path.join(self.afl_dir(), "fuzzer_stats")) as f:
                for line in f:
                    k, _, v = line.partition(":")
                    st[k.strip()] = v.strip()
        except OSError:
            pass
        out = {}
        for k, name in (("execs_done", "execs"), ("edges_found", "cov"), ("corpus_count", "corpus"),
                        ("total_edges", "total_edges")):
            try:
                out[name] = int(st[k])
            except (KeyError, ValueError):
                pass
        if "bitmap_cvg" in st:
            out["bitmap_cvg"] = st["bitmap_cvg"]
        try:
            # The rate over the stats file's own span: its execs_per_sec is computed over the
            # first instants after calibration when the file is young (4.04c printed millions).
            span = int(st["last_update"]) - int(st["start_time"])
            out["age"] = max(0, time.time() - int(st["last_update"]))
            if span >= 1 and "execs" in out:
                out["rate"] = out["execs"] / span
        except (KeyError, ValueError):
            pass
        # fuzzer_stats is rewritten about once a minute in 4.04c; the log's "Fuzzing test
        # case" lines say more often how big the queue is.
        try:
            with open(self.log_path, errors="replace") as f:
                for m in _AFL_LOG.finditer(f.read()):
                    out["corpus"] = max(out.get("corpus", 0), int(m.group(1)))
        except OSError:
            pass
        # A resumed output folder keeps earlier sessions' crashes: count this campaign's.
        out["crashes"] = sum(1 for d in ("crashes", "hangs")
                             for f in crash_files(os.path.join(self.afl_dir(), d))
                             if os.path.getmtime(f) >= (self.start or 0) - 1)
        return out

    # -- common ---------------------------------------------------------------------------------
    def launch(self):
        os.makedirs(self.work, exist_ok=True)
        self.corpus_before = count_files(self.corpus)
        if self.engine == "libfuzzer":
            cmd, env = self._libfuzzer_cmd(), tools.sanitizer_env()
            env["ASAN_OPTIONS"] = "symbolize=1:detect_leaks=1"
        else:
            cmd, env = self._afl_cmd(), self._afl_env()
        self.cmd = cmd
        self.log = open(self.log_path, "w")
        self.log.write("$ %s\n" % " ".join(cmd))
        self.log.flush()
        self.start = time.time()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     cwd=self.work, start_new_session=True)

    def poll(self):
        self.stats = self._libfuzzer_stats() if self.engine == "libfuzzer" else self._afl_stats()
        return self.proc.poll()

    def progress_line(self):
        el = time.time() - self.start
        st = self.stats
        # afl-fuzz's own rate: its stats file is rewritten about once a minute, so execs/elapsed
        # would fall between two writes.
        if self.engine == "libfuzzer":
            rate = "%8.0f/s" % (st.get("execs", 0) / el if el > 0 else 0)
        else:
            rate = "%8.0f/s" % st["rate"] if "rate" in st else "%10s" % "-/s"
        cov = ("cov %s ft %s" % (st.get("cov", "-"), st.get("ft", "-"))
               if self.engine == "libfuzzer" else
               "edges %s/%s" % (st.get("cov", "-"), st.get("total_edges", "-")))
        line = "fuzz: %-16s %4.0fs/%ds  %10s execs %s  %s  corpus %s  crashes %d" % (
            self.target, el, self.seconds, st.get("execs", 0), rate, cov, st.get("corpus", "-"),
            st.get("crashes", 0))
        if st.get("age", 0) > 15:
            line += "  (afl stats %.0fs old)" % st["age"]
        return line

    def kill(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except OSError:
                    pass

    def finish(self):
        self.end = time.time()
        self.poll()
        if self.log:
            self.log.close()
        rc = self.proc.returncode
        if self.engine == "afl" and not os.path.isfile(os.path.join(self.afl_dir(), "fuzzer_stats")):
            self.failed = "afl-fuzz did not start (exit %s); see %s" % (rc, tools.relpath(self.log_path))
        if self.engine == "libfuzzer" and not self.stats.get("execs") and rc not in (0, None):
            self.failed = "libFuzzer exited %s before fuzzing; see %s" % (rc, tools.relpath(self.log_path))

    def crash_dirs(self):
        if self.engine == "libfuzzer":
            d = os.path.join(self.work, "crashes")
            return [d] if crash_files(d) else []
        return [self.afl_dir()] if self.stats.get("crashes") else []

    def new_inputs_dir(self):
        return os.path.join(self.work, "corpus") if self.engine == "libfuzzer" else \
            os.path.join(self.afl_dir(), "queue")


def merge_corpus(run, lf_binary):
    """libFuzzer -merge=1 corpus/<t> NEW: adds to corpus/<t> (named by sha1) only the new
    inputs that add coverage; the committed seeds stay."""
    os.makedirs(run.corpus, exist_ok=True)
    before = count_files(run.corpus)
    flags = [f for f in tools.lib_sh("sek_libfuzzer_flags", run.target)
             if f.split("=")[0] in ("-max_len", "-timeout", "-rss_limit_mb", "-malloc_limit_mb")]
    cmd = [lf_binary, "-merge=1"] + flags + [run.corpus, run.new_inputs_dir()]
    r = tools.run(cmd, env=tools.sanitizer_env(), limit=1800)
    if r.rc != 0:
        tools.log("fuzz: merge for %s failed (exit %s):\n%s" % (run.target, r.rc, r.output[-2000:]))
        return None
    return count_files(run.corpus) - before


def build_parser():
    ap = argparse.ArgumentParser(prog="ci/fuzz", description=DESCRIPTION, epilog=EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("targets", nargs="*", metavar="TARGET", help="targets (default: all)")
    ap.add_argument("--seconds", type=int, default=60, help="budget per target (default 60)")
    ap.add_argument("--engine", choices=["libfuzzer", "afl"], default="libfuzzer")
    ap.add_argument("--jobs", type=int, default=1, metavar="N",
                    help="targets fuzzed at the same time (default 1)")
    ap.add_argument("--update-corpus", action="store_true",
                    help="merge new coverage into corpus/<t> (libFuzzer -merge=1, sha1 names)")
    ap.add_argument("--json", action="store_true", help="print summary.json on stdout too")
    ap.add_argument("--out", default=os.path.join(tools.ROOT, "out", "fuzz"), metavar="DIR",
                    help="work folder (default out/fuzz)")
    ap.add_argument("--build-dir", metavar="DIR",
                    help="engine build folder (default build/libfuzzer or build/afl)")
    ap.add_argument("--replay-build-dir", metavar="DIR",
                    help="replay build folder for triage (default build/dev)")
    ap.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    ap.add_argument("--no-triage", action="store_true", help="skip triage at the end")
    ap.add_argument("--triage-runs", type=int, default=3, metavar="N",
                    help="runs per crash input in triage (default 3)")
    ap.add_argument("--minimize-seconds", type=int, default=30, metavar="S",
                    help="triage minimization budget per bucket (default 30)")
    ap.add_argument("--known", action="append", default=[], metavar="FILE",
                    help="more known-bucket files for the 'new' verdict")
    ap.add_argument("--no-bootstrap", action="store_true",
                    help="(handled by the ci/fuzz wrapper) do not run ci/bootstrap")
    return ap


def main(argv=None):
    ap = build_parser()
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code not in (0, None) else 0
    if args.seconds < 1 or args.jobs < 1:
        sys.stderr.write("ci/fuzz: --seconds and --jobs take positive numbers\n")
        return EXIT_USAGE
    all_targets = tools.targets()
    unknown = [t for t in args.targets if t not in all_targets]
    if unknown:
        sys.stderr.write("ci/fuzz: unknown target(s) %s; targets: %s\n" % (
            ", ".join(unknown), ", ".join(all_targets)))
        return EXIT_USAGE
    targets = args.targets or all_targets
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    try:
        return campaign(args, targets, out)
    except tools.ToolError as e:
        sys.stderr.write("ci/fuzz: %s\n" % e)
        return EXIT_TOOL


def campaign(args, targets, out):
    kind = args.engine
    build_dir = args.build_dir or tools.default_build_dir(kind)
    tools.log("== build: %s (%s)" % (kind, tools.relpath(build_dir)))
    if args.no_build:
        binaries = [os.path.join(build_dir, "fuzz", "fuzz_%s" % t) for t in targets]
        missing = [b for b in binaries if not os.path.isfile(b)]
        if missing:
            raise tools.ToolError("missing (and --no-build): %s" % ", ".join(missing))
    else:
        binaries = tools.build_targets(kind, build_dir, targets, jobs=2)
    lf_binaries = dict(zip(targets, binaries)) if kind == "libfuzzer" else {}
    if args.update_corpus and kind == "afl":
        lf_dir = tools.default_build_dir("libfuzzer")
        lf_binaries = dict(zip(targets, tools.build_targets("libfuzzer", lf_dir, targets)))

    tools.log("== fuzz: %d target(s), %d s each, %s, %d at a time" % (
        len(targets), args.seconds, kind, args.jobs))
    pending = [TargetRun(t, kind, b, out, args.seconds, args) for t, b in zip(targets, binaries)]
    running, done = [], []
    interval = max(2, min(10, args.seconds // 6 or 2))
    try:
        while pending or running:
            while pending and len(running) < args.jobs:
                r = pending.pop(0)
                r.launch()
                tools.log("fuzz: %-16s started: %s" % (r.target, " ".join(
                    tools.relpath(c) if c.startswith(tools.ROOT) else c for c in r.cmd)))
                running.append(r)
            time.sleep(1)
            now = time.time()
            for r in list(running):
                rc = r.poll()
                if rc is None and now - r.start > args.seconds + 120:
                    tools.log("fuzz: %s ran past its budget; stopping it" % r.target)
                    r.kill()
                    rc = r.proc.returncode
                if rc is not None:
                    r.finish()
                    tools.log(r.progress_line().replace("fuzz: ", "fuzz: done ", 1) +
                              ("  FAILED: " + r.failed if r.failed else ""))
                    running.remove(r)
                    done.append(r)
                elif now - r.last_progress >= interval:
                    r.last_progress = now
                    tools.log(r.progress_line())
    except KeyboardInterrupt:
        for r in running:
            r.kill()
        raise

    summary = {"engine": kind, "seconds": args.seconds, "targets": []}
    for r in done:
        elapsed = (r.end or time.time()) - r.start
        st = r.stats
        row = {"target": r.target, "engine": kind, "seconds": round(elapsed, 1),
               "execs": st.get("execs", 0),
               "execs_per_sec": round(st.get("execs", 0) / elapsed, 1) if elapsed else 0,
               "cov": st.get("cov"), "ft": st.get("ft"), "total_edges": st.get("total_edges"),
               "corpus_before": r.corpus_before,
               "corpus_after": count_files(r.corpus, r.new_inputs_dir()),
               "crashes": st.get("crashes", 0), "failed": r.failed,
               "log": tools.relpath(r.log_path), "buckets": 0, "new_buckets": 0}
        if args.update_corpus and r.target in lf_binaries:
            added = merge_corpus(r, lf_binaries[r.target])
            row["corpus_added"] = added
            tools.log("fuzz: %s: merged %s new input(s) into corpus/%s" % (
                r.target, "?" if added is None else added, r.target))
        summary["targets"].append(row)

    # Triage what crashed.
    known_path = os.path.join(out, "known.json")
    reports = []
    for r, row in zip(done, summary["targets"]):
        dirs = r.crash_dirs()
        if not dirs or args.no_triage:
            continue
        tools.log("== triage: %s (%d crash input(s))" % (r.target, row["crashes"]))
        cmd = [sys.executable, os.path.join(tools.ROOT, "harness", "triage"), "run", r.target] + \
            dirs + ["--out", os.path.join(r.work, "triage"), "--json", "--runs",
                    str(args.triage_runs), "--jobs", "2", "--minimize-seconds",
                    str(args.minimize_seconds)]
        for k in ([known_path] if os.path.isfile(known_path) else []) + args.known:
            cmd += ["--known", k]
        if kind == "libfuzzer":
            cmd += ["--libfuzzer-bin", r.binary]
        else:
            cmd += ["--afl-bin", r.binary]
            if r.target in lf_binaries:
                cmd += ["--libfuzzer-bin", lf_binaries[r.target]]
        if args.replay_build_dir:
            cmd += ["--build-dir", args.replay_build_dir]
        if args.no_build:
            cmd += ["--no-build"]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, universal_newlines=True)
        if p.returncode not in (0, 1):
            row["failed"] = "triage failed (exit %d)" % p.returncode
            continue
        data = json.loads(p.stdout)
        row["buckets"] = data["summary"]["buckets"]
        row["new_buckets"] = data["summary"]["new"]
        row["triage_report"] = tools.relpath(os.path.join(r.work, "triage", "report.md"))
        reports.append(data)

    summary["buckets"] = sum(t["buckets"] for t in summary["targets"])
    summary["new_buckets"] = sum(t["new_buckets"] for t in summary["targets"])
    failed = [t for t in summary["targets"] if t["failed"]]
    summary["failed"] = [t["target"] for t in failed]
    sarif_path = os.path.join(out, "triage.sarif")
    report.write_sarif(reports, sarif_path)
    summary["sarif"] = tools.relpath(sarif_path)
    _update_known(known_path, reports)
    code = EXIT_TOOL if failed else (EXIT_NEW if summary["new_buckets"] else EXIT_OK)
    summary["exit"] = code
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")

    print(summary_table(summary))
    if reports:
        print("")
        print(buckets_table(reports))
    print("")
    print("summary: %s; SARIF: %s; %s" % (
        tools.relpath(os.path.join(out, "summary.json")), summary["sarif"],
        "%d NEW bucket(s)" % summary["new_buckets"] if summary["new_buckets"] else
        "no new bucket" + (" (%d known)" % summary["buckets"] if summary["buckets"] else "")))
    for t in failed:
        print("FAILED: %s: %s" % (t["target"], t["failed"]))
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return code


def _update_known(path, reports):
    try:
        with open(path) as f:
            known = json.load(f)
    except (OSError, ValueError):
        known = {"targets": {}}
    for data in reports:
        lst = known["targets"].setdefault(data["target"], [])
        ids = {k["id"] for k in lst}
        for b in data["buckets"]:
            if b["id"] not in ids:
                lst.append({k: b[k] for k in ("id", "signature", "type", "kind", "access",
                                              "signature_frames", "chain", "top_line",
                                              "severity", "members")})
    with open(path, "w") as f:
        json.dump(known, f, indent=2)
        f.write("\n")


def _table(head, rows):
    widths = [max(len(str(r[c])) for r in rows + [head]) for c in range(len(head))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(head, widths)).rstrip()]
    lines += ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def summary_table(summary):
    head = ("target", "engine", "time", "execs", "exec/s", "cov", "ft", "corpus", "crashes",
            "buckets")
    rows = []
    for t in summary["targets"]:
        cov = t["cov"] if t["cov"] is not None else "-"
        if t["engine"] == "afl" and t.get("total_edges"):
            cov = "%s/%s" % (cov, t["total_edges"])
        rows.append((t["target"], t["engine"], "%.0fs" % t["seconds"], t["execs"],
                     "%.0f" % t["execs_per_sec"], cov, t["ft"] if t["ft"] is not None else "-",
                     "%d -> %d" % (t["corpus_before"], t["corpus_after"]), t["crashes"],
                     ("%d (%d new)" % (t["buckets"], t["new_buckets"])) if t["buckets"] else
                     ("FAILED" if t["failed"] else "0")))
    return _table(head, rows)


def buckets_table(reports):
    head = ("target", "bucket", "severity", "crash type", "count", "flaky", "new", "frames")
    rows = []
    for data in reports:
        for b in data["buckets"]:
            rows.append((data["target"], b["id"], b["severity"], b["crash_type"], b["count"],
                         "yes" if b["flaky"] else "no", "NEW" if b["new"] else "known",
                         " > ".join(b["signature_frames"])))
    return _table(head, rows)
