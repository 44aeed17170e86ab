"""tools: the project around triage: layout, targets, options, builds, running a target.

Targets come from ci/lib.sh (sek_targets: the stems of targets/fuzz_*.c), never from a list
here.  Builds go through the CMake presets (build/dev for the ASan+UBSan replay driver,
build/libfuzzer for the minimizer, build/afl for afl-tmin) or through a build folder given
on the command line / in the environment (configured with the same cache variables), and only
the target asked for is built.
"""

import configparser
import os
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# What each kind of build is: preset name and the cache variables for a private build folder.
BUILDS = {
    "replay": ("dev", ["-DCMAKE_BUILD_TYPE=Debug", "-DSEK_SANITIZE=address,undefined",
                       "-DSEK_FUZZ_ENGINE=replay", "-DSEK_BUILD_TESTS=OFF",
                       "-DSEK_BUILD_TOOLS=OFF"]),
    "libfuzzer": ("libfuzzer", ["-DCMAKE_C_COMPILER=clang", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                                "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g -gline-tables-only",
                                "-DSEK_SANITIZE=address,undefined",
                                "-DSEK_FUZZ_ENGINE=libfuzzer", "-DSEK_BUILD_TESTS=OFF",
                                "-DSEK_BUILD_TOOLS=OFF"]),
    "afl": ("afl", ["-DCMAKE_C_COMPILER=afl-clang-fast", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g", "-DSEK_SANITIZE=address",
                    "-DSEK_FUZZ_ENGINE=afl", "-DSEK_BUILD_TESTS=OFF", "-DSEK_BUILD_TOOLS=OFF"]),
}

# Environment variables that name a build folder per kind (tests point them at private builds).
BUILD_DIR_ENV = {"replay": "SEK_REPLAY_BUILD_DIR", "libfuzzer": "SEK_LIBFUZZER_BUILD_DIR",
                 "afl": "SEK_AFL_BUILD_DIR"}


class ToolError(Exception):
    """A build or a tool failed (exit status 3 of the commands)."""


def log(msg):
    """Progress goes to stderr, so that --json output on stdout stays clean."""
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def lib_sh(function, *args):
    """Runs a ci/lib.sh function and returns its output lines."""
    script = '. "%s/ci/lib.sh"; %s "$@"' % (ROOT, function)
    out = subprocess.run(["bash", "-c", script, "lib.sh"] + list(args), check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    return [l for l in out.splitlines() if l.strip()]


def targets():
    return lib_sh("sek_targets")


def read_options(target):
    """targets/fuzz_<t>.options as {section: {key: value}} (empty when there is none)."""
    path = os.path.join(ROOT, "targets", "fuzz_%s.options" % target)
    cp = configparser.ConfigParser(interpolation=None)
    try:
        cp.read(path)
    except configparser.Error as e:
        log("triage: ignoring unreadable %s: %s" % (path, e))
        return {}
    return {s: dict(cp.items(s)) for s in cp.sections()}


def option_int(options, key, default, section="libfuzzer"):
    try:
        return int(options.get(section, {}).get(key, default))
    except (TypeError, ValueError):
        return default


def which(names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


def symbolizer():
    return which(["llvm-symbolizer", "llvm-symbolizer-14", "llvm-symbolizer-15",
                  "llvm-symbolizer-16"])


def sanitizer_env(rss_limit_mb=2560, base=None):
    """Environment for a reproducing run: every report symbolized, complete and fatal."""
    env = dict(os.environ if base is None else base)
    asan = ["symbolize=1", "handle_abort=1", "handle_segv=1", "handle_sigbus=1",
            "handle_sigfpe=1", "handle_sigill=1", "detect_leaks=1", "abort_on_error=0",
            "allocator_may_return_null=0", "max_allocation_size_mb=%d" % rss_limit_mb,
            "hard_rss_limit_mb=%d" % rss_limit_mb, "malloc_context_size=30",
            "detect_odr_violation=0", "print_summary=1", "allow_user_segv_handler=0"]
    env["ASAN_OPTIONS"] = ":".join(asan)
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:symbolize=1:print_summary=1"
    env["LSAN_OPTIONS"] = "symbolize=1:print_suppressions=0"
    sym = symbolizer()
    if sym:
        env["ASAN_SYMBOLIZER_PATH"] = sym
        env["UBSAN_SYMBOLIZER_PATH"] = sym
        env["LSAN_SYMBOLIZER_PATH"] = sym
    return env


class Run:
    """The outcome of one process: return code, merged output, seconds, killed by our limit."""

    def __init__(self, rc, output, seconds, killed):
        self.rc = rc
        self.output = output
        self.seconds = seconds
        self.killed = killed


def run(cmd, env=None, limit=None, stdin_data=None, cwd=None):
    """Runs cmd with merged stdout/stderr; kills its process group after limit seconds."""
    start = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
                            env=env, cwd=cwd, start_new_session=True)
    killed = False
    try:
        out, _ = proc.communicate(stdin_data, timeout=limit)
    except subprocess.TimeoutExpired:
        killed = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        out, _ = proc.communicate()
    return Run(proc.returncode, out.decode("utf-8", "replace"), time.time() - start, killed)


def default_build_dir(kind):
    env = os.environ.get(BUILD_DIR_ENV[kind])
    if env:
        return os.path.abspath(env)
    return os.path.join(ROOT, "build", BUILDS[kind][0])


def build_target(kind, build_dir, target, jobs=2, quiet=True):
    """Configures build_dir if needed (preset when it is the preset's folder) and builds
    fuzz_<target> in it.  Returns the binary's path; raises ToolError on failure."""
    return build_targets(kind, build_dir, [target], jobs, quiet)[0]


def build_targets(kind, build_dir, names, jobs=2, quiet=True):
    """build_target for several targets in one build; returns their binaries in order."""
    preset, cache = BUILDS[kind]
    build_dir = os.path.abspath(build_dir)
    out = subprocess.DEVNULL if quiet else None
    # Configure every time, not only when there is no cache: the build globs targets/, so a
    # folder configured before a target was added has no rule for it until CMake runs again
    # (a second configure of an existing folder takes about a second).
    if os.path.realpath(build_dir) == os.path.realpath(os.path.join(ROOT, "build", preset)):
        cmd = ["cmake", "--preset", preset]
    else:
        cmd = ["cmake", "-S", ROOT, "-B", build_dir] + cache
    if not os.path.isfile(os.path.join(build_dir, "CMakeCache.txt")):
        log("triage: configuring %s build in %s" % (kind, build_dir))
    r = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode != 0:
        raise ToolError("configuring %s failed:\n%s" % (build_dir, r.stderr[-3000:]))
    cmd = ["cmake", "--build", build_dir, "-j%d" % jobs, "--target"]
    cmd += ["fuzz_%s" % t for t in names]
    r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if r.returncode != 0:
        raise ToolError("building %s in %s failed:\n%s" % (
            " ".join("fuzz_%s" % t for t in names), build_dir, r.stdout[-3000:]))
    binaries = [os.path.join(build_dir, "fuzz", "fuzz_%s" % t) for t in names]
    for b in binaries:
        if not os.path.isfile(b):
            raise ToolError("the build did not produce %s" % b)
    return binaries


def resolve_binary(kind, target, explicit=None, build_dir=None, build=True, jobs=2):
    """The binary of target for kind: the explicit path, else build_dir/fuzz/fuzz_<t>, built
    (or brought up to date) unless build is False."""
    if explicit:
        if not os.path.isfile(explicit):
            raise ToolError("%s binary %s does not exist" % (kind, explicit))
        return os.path.abspath(explicit)
    build_dir = build_dir or default_build_dir(kind)
    binary = os.path.join(build_dir, "fuzz", "fuzz_%s" % target)
    if build:
        return build_target(kind, build_dir, target, jobs=jobs)
    if not os.path.isfile(binary):
        raise ToolError("%s is missing (and --no-build was given)" % binary)
    return binary


def binary_has(binary, needle):
    """True when the binary file contains the byte string (e.g. an instrumentation symbol)."""
    try:
        with open(binary, "rb") as f:
            return needle in f.read()
    except OSError:
        return False


def relpath(path):
    """Path relative to the project root when inside it (for reports and commands)."""
    ap = os.path.abspath(path)
    if ap.startswith(ROOT + os.sep):
        return ap[len(ROOT) + 1:]
    return ap
