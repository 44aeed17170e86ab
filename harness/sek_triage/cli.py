"""cli: the `harness/triage` command (see main's help text)."""

import argparse
import json
import os
import shutil
import sys

from . import VERSION, core, minimize, parse, report, signature, tools

EXIT_OK, EXIT_NEW, EXIT_USAGE, EXIT_TOOL = 0, 1, 2, 3

DESCRIPTION = """\
Crash triage for sekfuzz: reproduce crash inputs on the ASan+UBSan replay build, read the
sanitizer reports, bucket them by signature (crash type + top three frames of our code),
rate, minimize, and report (Markdown, JSON, SARIF 2.1.0).

commands:
  run TARGET PATH...      triage files and folders of crash inputs (libFuzzer crash-*, leak-*,
                          timeout-*, oom-*; AFL++ output folders: crashes/id:*, hangs/id:*)
  reproduce TARGET FILE   the maintainer's command: build what is missing, run FILE, print the
                          symbolized report, its signature and its bucket
  parse [LOG]             read a saved sanitizer/libFuzzer log (or stdin) and print its crash
                          type and signature

Run `harness/triage COMMAND --help` for each command's options.
"""

RUN_EPILOG = """\
exit status: 0 no new bucket (or nothing crashed), 1 new buckets appeared (not in
tests/regressions/<target>/crash-<id> nor in a --known file), 2 usage error, 3 a build or
tool failed.

Writes to --out (default out/triage/TARGET/): report.md, report.json, report.sarif, and
buckets/<id>/{minimized,report.txt}.  With --add-regressions each minimized input is copied
to tests/regressions/<target>/crash-<id>, which ctest replays (so the test fails until the bug
is fixed, and a fixed bug stays fixed).

Minimizer (auto): libFuzzer -minimize_crash=1 on the libfuzzer build (built when missing and
clang is there), else afl-tmin on an afl build given with --afl-bin, then delta debugging
(ddmin) on the replay build; every result is checked to keep the bucket's signature.
"""


def _common(p, runs_default):
    p.add_argument("--runs", type=int, default=runs_default, metavar="N",
                   help="fresh processes per input; not all crashing = flaky (default %(default)s)")
    p.add_argument("--timeout", type=int, default=None, metavar="S",
                   help="seconds per run before it counts as a timeout (default: the target's "
                        ".options timeout, else 10)")
    p.add_argument("--rss-limit-mb", type=int, default=None, metavar="MB",
                   help="allocation and rss limit (default: .options rss_limit_mb, else 2560)")
    p.add_argument("--replay-bin", metavar="PATH",
                   help="the replay-driver binary to reproduce with (default: BUILD_DIR/fuzz/"
                        "fuzz_TARGET, built when missing)")
    p.add_argument("--build-dir", metavar="DIR",
                   help="replay build folder (default $SEK_REPLAY_BUILD_DIR or build/dev)")
    p.add_argument("--no-build", action="store_true",
                   help="do not build or update anything; fail when a binary is missing")
    p.add_argument("--source-root", metavar="DIR", default=tools.ROOT,
                   help="the source tree whose frames count as ours (default: this checkout)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                   help="processes at a time (default %(default)s)")
    p.add_argument("--known", action="append", default=[], metavar="FILE",
                   help="JSON of known buckets (a report.json or ci/fuzz's known.json); "
                        "repeatable")
    p.add_argument("--regressions-dir", default=os.path.join(tools.ROOT, "tests", "regressions"),
                   metavar="DIR", help="where regression inputs live (default tests/regressions)")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")


def build_parser():
    ap = argparse.ArgumentParser(prog="triage", description=DESCRIPTION,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="version", version="sekfuzz triage " + VERSION)
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")

    pr = sub.add_parser("run", help="triage crash inputs", epilog=RUN_EPILOG,
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Reproduce, bucket, rate, minimize and report crash inputs.")
    pr.add_argument("target", metavar="TARGET", help="fuzz target name (targets/fuzz_TARGET.c)")
    pr.add_argument("paths", metavar="PATH", nargs="+", help="crash files or folders")
    _common(pr, 3)
    pr.add_argument("--out", metavar="DIR", help="report folder (default out/triage/TARGET)")
    pr.add_argument("--repeat-limit", type=int, default=8, metavar="K",
                    help="repeat runs only for the first K inputs of each signature (and for "
                         "every input whose first run did not crash); 0: every input "
                         "(default %(default)s)")
    pr.add_argument("--minimizer", choices=["auto", "libfuzzer", "afl-tmin", "ddmin", "none"],
                    default="auto", help="how to minimize (default auto; see below)")
    pr.add_argument("--minimize-seconds", type=int, default=60, metavar="S",
                    help="time budget per bucket for minimization (default %(default)s)")
    pr.add_argument("--libfuzzer-bin", metavar="PATH", help="libFuzzer build of the target")
    pr.add_argument("--libfuzzer-build-dir", metavar="DIR",
                    help="libfuzzer build folder (default $SEK_LIBFUZZER_BUILD_DIR or "
                         "build/libfuzzer)")
    pr.add_argument("--afl-bin", metavar="PATH", help="AFL++ build of the target (afl-tmin)")
    pr.add_argument("--add-regressions", action="store_true",
                    help="copy each minimized input to REGRESSIONS_DIR/TARGET/crash-<id>")

    pp = sub.add_parser("reproduce", help="reproduce one input",
                        description="Build what is missing, run FILE on the ASan+UBSan replay "
                                    "build, print the symbolized report, the signature and the "
                                    "bucket.  Exit status: 1 it crashed, 0 it did not, 2 usage, "
                                    "3 build or tool failure.")
    pp.add_argument("target", metavar="TARGET")
    pp.add_argument("file", metavar="FILE")
    _common(pp, 3)

    pa = sub.add_parser("parse", help="read a saved log",
                        description="Read a sanitizer / libFuzzer / replay-driver log and print "
                                    "the crash type and signature.  Exit status: 0 a crash was "
                                    "found in the log, 1 none.")
    pa.add_argument("log", metavar="LOG", nargs="?", default="-", help="log file, or - (stdin)")
    pa.add_argument("--target", default=None, help="target name (fallback signature frame)")
    pa.add_argument("--binary", default=None,
                    help="binary name (frames without debug info in it count as ours)")
    pa.add_argument("--source-root", metavar="DIR", default=tools.ROOT)
    pa.add_argument("--json", action="store_true")
    return ap


def _reproducer(args, build=True):
    if not args.replay_bin and args.target not in tools.targets():
        raise UsageError("unknown target '%s'; targets: %s (or give --replay-bin)" % (
            args.target, ", ".join(tools.targets())))
    options = tools.read_options(args.target)
    timeout = args.timeout or tools.option_int(options, "timeout", 10)
    rss = args.rss_limit_mb or tools.option_int(options, "rss_limit_mb", 2560)
    binary = tools.resolve_binary("replay", args.target, args.replay_bin, args.build_dir,
                                  build=build and not args.no_build, jobs=args.jobs)
    if not tools.binary_has(binary, b"AddressSanitizer") and not tools.binary_has(binary, b"__asan"):
        tools.log("triage: warning: %s has no AddressSanitizer; reports will be thin" % binary)
    ctx = signature.Context(args.source_root, binary, args.target)
    return core.Reproducer(binary, args.target, timeout=timeout, rss_limit_mb=rss, ctx=ctx)


class UsageError(Exception):
    pass


def reproduce_command(args, path):
    cmd = "harness/triage reproduce %s %s" % (args.target, tools.relpath(path))
    if args.replay_bin:
        cmd += " --replay-bin %s" % tools.relpath(args.replay_bin)
    return cmd


def cmd_run(args):
    if args.runs < 1 or args.jobs < 1:
        raise UsageError("--runs and --jobs take positive numbers")
    paths = core.collect_inputs(args.paths)
    out_dir = os.path.abspath(args.out or os.path.join(tools.ROOT, "out", "triage", args.target))
    rep = _reproducer(args)
    inputs = core.reproduce_all(rep, paths, runs=args.runs, jobs=args.jobs,
                                repeat_limit=args.repeat_limit) if paths else []
    buckets = core.make_buckets(rep, inputs)
    known = core.load_known(args.target, args.regressions_dir, args.known)
    core.mark_known(buckets, known)

    # Minimize one representative per bucket.
    lf_bin = afl_bin = None
    if buckets and args.minimizer in ("auto", "libfuzzer"):
        try:
            lf_bin = tools.resolve_binary(
                "libfuzzer", args.target, args.libfuzzer_bin, args.libfuzzer_build_dir,
                build=not args.no_build and not args.libfuzzer_bin and
                tools.which(["clang"]) is not None, jobs=args.jobs)
        except tools.ToolError as e:
            tools.log("triage: no libFuzzer build (%s); minimizing with ddmin" %
                      str(e).splitlines()[0])
    if buckets and args.minimizer in ("auto", "afl-tmin") and args.afl_bin:
        afl_bin = tools.resolve_binary("afl", args.target, args.afl_bin, build=False)
    if os.path.isdir(os.path.join(out_dir, "buckets")):
        shutil.rmtree(os.path.join(out_dir, "buckets"))
    for i, b in enumerate(buckets, 1):
        bdir = os.path.join(out_dir, "buckets", b["id"])
        os.makedirs(bdir, exist_ok=True)
        with open(os.path.join(bdir, "report.txt"), "w") as f:
            f.write(next(r["output"] for r in inputs if r["path"] == b["representative"]))
        if args.minimizer != "none":
            tools.log("triage: minimizing bucket %d/%d %s (%d bytes)..." % (
                i, len(buckets), b["id"], os.path.getsize(b["representative"])))
            b["minimized"] = minimize.minimize_bucket(
                b, rep, bdir, engine=args.minimizer, libfuzzer_bin=lf_bin, afl_bin=afl_bin,
                seconds=args.minimize_seconds, tries=args.runs if b["all_flaky"] else 1)
            m = b["minimized"]
            tools.log("triage:   -> %d bytes (%s, %s)" % (
                m["size"], m["method"], "signature kept" if m["verified"] else "not kept"))
        repro_path = (b["minimized"] or {}).get("path") or b["representative"]
        b["reproduce"] = reproduce_command(args, repro_path)
    if args.add_regressions and buckets:
        for p in core.add_regressions(buckets, args.target, args.regressions_dir):
            tools.log("triage: regression input %s" % tools.relpath(p))

    data = {
        "tool": "sekfuzz-triage", "version": VERSION, "target": args.target,
        "binary": tools.relpath(rep.binary), "runs_per_input": args.runs,
        "timeout": rep.timeout, "source_root": rep.ctx.root,
        "summary": {
            "inputs": len(inputs), "distinct_inputs": len({r["sha1"] for r in inputs}),
            "buckets": len(buckets), "new": sum(1 for b in buckets if b["new"]),
            "flaky": sum(1 for b in buckets if b["flaky"]),
            "not_reproduced": sum(1 for r in inputs if r["signature"] is None)},
        "buckets": buckets,
        "inputs": [{"path": r["path"], "sha1": r["sha1"], "size": r["size"],
                    "source": r["source"], "hint": r["hint"], "status": r["status"],
                    "reproduced": "%d/%d" % (r["reproduced"], len(r["results"])),
                    "runs": [s.text if s else (("exit %s" % run.rc) + (" (killed)" if run.killed
                                                                       else ""))
                             for _c, s, run in r["results"]],
                    "signature": r["signature"].text if r["signature"] else None,
                    "bucket": r.get("bucket")} for r in inputs],
        "not_reproduced": [r["path"] for r in inputs if r["signature"] is None],
    }
    os.makedirs(out_dir, exist_ok=True)
    report.write_json(data, os.path.join(out_dir, "report.json"))
    report.write_markdown(data, os.path.join(out_dir, "report.md"))
    report.write_sarif([data], os.path.join(out_dir, "report.sarif"))
    if args.json:
        json.dump(report.public(data), sys.stdout, indent=2)
        sys.stdout.write("\n")
        tools.log(report.bucket_table(data))
    else:
        print(report.bucket_table(data))
    tools.log("triage: reports in %s/ (report.md, report.json, report.sarif)" %
              tools.relpath(out_dir))
    return EXIT_NEW if data["summary"]["new"] else EXIT_OK


def cmd_reproduce(args):
    if args.runs < 1:
        raise UsageError("--runs takes a positive number")
    if not os.path.isfile(args.file):
        raise UsageError("%s is not a file" % args.file)
    rep = _reproducer(args)
    results = [rep.run_once(args.file) for _ in range(args.runs)]
    status, sig, rep_index, same = core.summarize_runs(results)
    if sig is None:
        out = {"file": args.file, "reproduced": False, "runs": args.runs,
               "binary": tools.relpath(rep.binary)}
        if args.json:
            print(json.dumps(out, indent=2))
        else:
            tail = results[-1][2].output.strip().splitlines()[-3:]
            print("did not reproduce: %d run(s) of %s finished cleanly" % (
                args.runs, tools.relpath(rep.binary)))
            for l in tail:
                print("  | " + l)
        return EXIT_OK
    crash, _s, run = results[rep_index]
    known = core.load_known(args.target, args.regressions_dir, args.known)
    bucket = {"id": sig.id, "_sig": sig, "_members": [sig], "new": True, "known_as": None}
    core.mark_known([bucket], known)
    from . import severity as sev
    level, security, _src = sev.rate(sig.kind, sig.access)
    command = "%s -runs=1 -timeout=%d %s" % (tools.relpath(rep.binary), rep.timeout,
                                             tools.relpath(args.file))
    if args.json:
        print(json.dumps({
            "file": args.file, "reproduced": True, "status": status,
            "runs": "%d/%d" % (same, args.runs), "crash": crash.to_json(),
            "signature": sig.to_json(), "bucket": sig.id, "known": not bucket["new"],
            "known_as": bucket["known_as"], "severity": level, "security": security,
            "command": command}, indent=2))
    else:
        print(crash.report or run.output)
        print("")
        print("crash type:  %s" % crash.display_type())
        if crash.detail and crash.sanitizer in ("UndefinedBehaviorSanitizer", "assert"):
            print("detail:      %s" % crash.detail)
        print("signature:   %s" % sig.text)
        if bucket["known_as"]:
            print("bucket:      %s" % bucket["known_as"])
        else:
            print("bucket:      %s  (new: no known bucket matches)" % sig.id)
        print("severity:    %s (%s)" % (level, "security" if security else "not security"))
        print("reproduced:  %d/%d runs%s" % (same, args.runs,
                                              "  FLAKY" if status == "flaky" else ""))
        print("stack (ours):")
        for f in signature.our_frames(crash.frames, rep.ctx):
            src = core.source_line(rep.ctx, f)
            print("  %-28s %s%s" % (f.function or "?", rep.ctx.relpath(f.file) or f.location()
                                    if f.file else f.location(),
                                    ":%d" % f.line if f.file and f.line else "") +
                  ("    " + src if src else ""))
        print("command:     %s" % command)
    return EXIT_NEW


def cmd_parse(args):
    text = sys.stdin.read() if args.log == "-" else open(args.log, errors="replace").read()
    crash = parse.parse(text)
    if crash is None:
        print(json.dumps({"crash": None}) if args.json else "no crash report found")
        return 1
    ctx = signature.Context(args.source_root, args.binary, args.target)
    sig = signature.compute(crash, ctx)
    if args.json:
        print(json.dumps({"crash": crash.to_json(), "signature": sig.to_json()}, indent=2))
    else:
        print("crash type:  %s" % crash.display_type())
        print("signature:   %s" % sig.text)
        print("bucket:      %s" % sig.id)
    return 0


def main(argv=None):
    ap = build_parser()
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code not in (0, None) else 0
    if args.command is None:
        ap.print_help()
        return EXIT_USAGE
    try:
        return {"run": cmd_run, "reproduce": cmd_reproduce, "parse": cmd_parse}[args.command](args)
    except UsageError as e:
        sys.stderr.write("triage: %s\n" % e)
        return EXIT_USAGE
    except tools.ToolError as e:
        sys.stderr.write("triage: %s\n" % e)
        return EXIT_TOOL
    except KeyboardInterrupt:
        return 130
