"""signature: the dedup signature of a crash and the rules that group crashes into buckets.

Signature = crash type (+ READ/WRITE where the sanitizer says it) + the top three frames of OUR
code (ClusterFuzz's crash state, MAX_CRASH_STATE_FRAMES = 3), after:
  1. dropping frames that are not ours: sanitizer runtimes and interceptors, libc, the C++
     runtime, libFuzzer and AFL++ runtimes, shared libraries (OpenSSL, SQLite ...), and the
     drivers (harness/replay.c); "ours" means a source file of this tree (src/, include/,
     targets/, harness/, tests/, tools/), found by path prefix or, for a build made in another
     checkout, by path suffix; frames without debug info fall back to the function name in the
     main binary and, without a symbol, to module+offset;
  2. cutting the stack at LLVMFuzzerTestOneInput: it and its callers are harness, unless
     nothing of ours is above it (the bug is in the target's entry function itself); a target
     file's own helpers above it are ours like any library code;
  3. reducing each frame to its function name (argument lists, anonymous namespaces and gcc
     clone suffixes such as .part.0/.isra.0/.constprop.0/.cold stripped; no addresses, offsets
     or line numbers), so that inputs reaching one bug through different lines or inlining
     decisions agree;
  4. collapsing recursion: when a function appears again further down, the frames between
     are a loop and are dropped (so depth does not matter), and for a stack overflow the
     signature is the sorted set of the functions that recur (where the report's truncated
     stack starts inside the cycle is chance).
Special cases: an Abort keeps the lines of its frames, down to and including the entry function
(one target, several oracles: each abort() call, or each call of an oracle helper, is a
different bug); an assertion keeps its expression; without any frame the UBSan location or the
target name stands in.

Grouping (group_signatures, same_bug): the signature is ClusterFuzz's, the bucket is the crash
site.  Signatures of one type whose top frame is the same function share a bucket: the second
and third frames only say through which callers the buggy function was reached (a fuzzed copy of
the attribute parser with one planted overflow in decode_string gave three signatures, one per
caller), and different lines of one function are one bug reached by different inputs.  Beyond
that: out-of-bounds accesses at the same site and line are one statement going out of bounds on
its read or its write side, in one buffer or the other (memcpy(dst, src, n + 1)); a wild SEGV or
unknown-crash at a buffer overflow's site with its access is the same access with a larger
offset; use-after-free READ and WRITE at one site are one dangling pointer; a Timeout's stack is
only a sample of where the loop was when the alarm fired, so two timeouts are one hang when the
top frame of one is on the other's stack; stack overflows recurring through a common function
are one unbounded recursion.  Aborts and assertion failures group only on equal signatures.
"""

import hashlib
import os
import re

from . import parse, severity

MAX_FRAMES = 3
ENTRY = "LLVMFuzzerTestOneInput"

# Our source folders (relative to the project root); harness files that only drive targets.
OUR_DIRS = ("src", "include", "targets", "harness", "tests", "tools", "bench")
DRIVER_FILES = ("harness/replay.c",)
# Driver functions when there is no debug info (replay.c, libFuzzer, libAFLDriver).
DRIVER_FUNCTIONS = {"run_buffer", "run_file", "run_path", "on_alarm", "main",
                    "LLVMFuzzerRunDriver", "ExecuteFilesOnyByOne", "LLVMFuzzerInitialize"}

# Functions that are never ours (name patterns); source in the comment of each group.
IGNORE_FUNCTIONS = [re.compile(p) for p in (
    # sanitizer runtimes and interceptors (ClusterFuzz stacktraces/constants.py ignore list)
    r"^_*(asan|lsan|ubsan|msan|hwasan|tsan|dfsan|sanitizer|sancov|scudo)_",
    r"^__interceptor_", r"^___interceptor_", r"^__interception::", r"^__sanitizer::",
    r"^__asan::", r"^__lsan::", r"^__ubsan::", r"^__msan::", r"^__hwasan::",
    # libc internals and process start/stop
    r"^__GI_", r"^__libc_", r"^_start$", r"^__restore_rt$", r"^_IO_", r"^__pthread_",
    r"^pthread_kill$", r"^raise$", r"^abort$", r"^__assert_fail", r"^__assert_perror_fail",
    r"^__cxa_", r"^__gxx_", r"^_Unwind_", r"^__clang_call_terminate$", r"^std::",
    r"^operator (new|delete)", r"^__fortify_fail", r"^__chk_fail", r"^__stack_chk_fail",
    r"^__.*_chk$", r"^__(memcpy|memmove|memset|strlen|strcmp|memcmp|strchr|strrchr)_",
    # libc functions a crash may be reported inside (intercepted or not)
    r"^(memcpy|memmove|memset|memcmp|bcmp|memchr|memrchr|memmem|strlen|strnlen|strcmp|"
    r"strncmp|strcasecmp|strncasecmp|strcpy|strncpy|stpcpy|strcat|strncat|strchr|strrchr|"
    r"strstr|strcasestr|strdup|strndup|strtok|strtol|strtoul|strtoll|strtoull|strtod|atoi|"
    r"malloc|calloc|realloc|reallocarray|free|posix_memalign|aligned_alloc|memalign|valloc|"
    r"printf|fprintf|sprintf|snprintf|vprintf|vfprintf|vsprintf|vsnprintf|puts|fputs|fwrite|"
    r"fread|fopen|fclose|qsort|bsearch|exit|_exit|longjmp|siglongjmp|__longjmp_chk)$",
    # libFuzzer and AFL++ runtimes
    r"^fuzzer::", r"^__afl_", r"^afl_", r"^__cmplog_", r"^__sanitizer_cov_",
)]

# Source paths that are never ours even if a suffix matched (runtimes built from source).
IGNORE_PATHS = [re.compile(p) for p in (
    r"compiler-rt/", r"libsanitizer/", r"/lib/fuzzer/", r"libfuzzer/", r"aflpp_driver",
    r"(^|/)sysdeps/", r"(^|/)csu/", r"(^|/)nptl/", r"(^|/)stdlib/", r"(^|/)string/",
    r"(^|/)libio/", r"^/usr/include/", r"^/usr/lib/", r"^/usr/src/",
)]

_CLONE_SUFFIX = re.compile(r"\.(part|isra|constprop|cold|lto_priv|localalias|llvm|str)(\.\d+)?$")


def normalize_function(name):
    """Function name without argument list, anonymous namespace, or compiler clone suffix."""
    if not name:
        return name
    name = name.replace("(anonymous namespace)::", "")
    name = re.sub(r"\s+const$", "", name.strip())
    if name.endswith(")"):
        depth = 0
        for i in range(len(name) - 1, -1, -1):
            if name[i] == ")":
                depth += 1
            elif name[i] == "(":
                depth -= 1
                if depth == 0:
                    if i > 0:
                        name = name[:i]
                    break
    prev = None
    while prev != name:
        prev = name
        name = _CLONE_SUFFIX.sub("", name)
    return name


class Context:
    """Where our sources are and which binary ran (for the main-module fallback)."""

    def __init__(self, root, binary=None, target=None):
        self.root = os.path.realpath(root)
        self.binary = os.path.basename(binary) if binary else None
        self.target = target
        self._rel = {}

    def relpath(self, path):
        """Path relative to the root if it is one of our sources, else None."""
        if path in self._rel:
            return self._rel[path]
        rel = None
        norm = os.path.normpath(path)
        if not any(p.search(norm) for p in IGNORE_PATHS):
            if os.path.isabs(norm) and norm.startswith(self.root + os.sep):
                rel = norm[len(self.root) + 1:]
            else:
                parts = [p for p in norm.split(os.sep) if p]
                for i in range(len(parts)):
                    if parts[i] not in OUR_DIRS:
                        continue
                    cand = "/".join(parts[i:])
                    if os.path.isfile(os.path.join(self.root, cand)):
                        rel = cand
                        break
            if rel is not None and rel.split("/", 1)[0] not in OUR_DIRS:
                rel = None
        self._rel[path] = rel
        return rel

    def is_main_module(self, module):
        if module is None:
            return True
        base = os.path.basename(module)
        if ".so" in base or module.startswith("<"):
            return False
        return self.binary is None or base == self.binary


def ignored_function(name):
    return bool(name) and any(p.search(name) for p in IGNORE_FUNCTIONS)


def classify_frame(frame, ctx):
    """'entry' (LLVMFuzzerTestOneInput), 'ours', 'driver' or 'other'."""
    fn = normalize_function(frame.function)
    if fn == ENTRY:
        return "entry"
    if frame.file:
        rel = ctx.relpath(frame.file)
        if rel is None:
            return "other"
        return "driver" if rel in DRIVER_FILES else "ours"
    if not ctx.is_main_module(frame.module):
        return "other"
    if fn and ignored_function(fn):
        return "other"
    if fn in DRIVER_FUNCTIONS:
        return "driver"
    return "ours"  # symbol-only or module+offset frame of the main binary


def frame_key(frame):
    """The part of a frame that goes into a signature."""
    fn = normalize_function(frame.function)
    if fn:
        return fn
    if frame.module:
        return "%s+%s" % (os.path.basename(frame.module), frame.offset)
    return "0x%x" % frame.pc


def our_frames(frames, ctx, keep_entry=False):
    """Our frames, top first, cut at the fuzz entry point (see the module comment); with
    keep_entry, LLVMFuzzerTestOneInput stays at the bottom even below frames of ours."""
    kinds = [classify_frame(f, ctx) for f in frames]
    if "entry" in kinds:
        k = kinds.index("entry")
        ours = [f for f, c in zip(frames[:k], kinds[:k]) if c == "ours"]
        return ours + [frames[k]] if (keep_entry or not ours) else ours
    return [f for f, c in zip(frames, kinds) if c == "ours"]


def collapse_recursion(keys):
    """Drops recursion loops: for each frame, the frames up to its last repetition below."""
    out = []
    i = 0
    while i < len(keys):
        k = keys[i]
        last = i
        for j in range(len(keys) - 1, i, -1):
            if keys[j] == k:
                last = j
                break
        out.append(k)
        i = last + 1
    return out


class Signature:
    """type_key: crash type (+ access); frames: up to three keys; chain: every collapsed key
    (for the timeout rule); text: 'type | f1 | f2 | f3'; id: 16 hex digits of its sha1."""

    def __init__(self, type_key, frames, chain, kind=None, access=None, top_line=None):
        self.type_key = type_key
        self.frames = list(frames)
        self.chain = list(chain)
        self.kind = kind
        self.access = access
        self.top_line = top_line  # line of the top frame of ours (not part of the text)
        self.text = " | ".join([type_key] + self.frames)
        self.id = hashlib.sha1(self.text.encode()).hexdigest()[:16]

    def to_json(self):
        return {"id": self.id, "text": self.text, "type": self.type_key, "frames": self.frames,
                "chain": self.chain, "kind": self.kind, "access": self.access,
                "top_line": self.top_line}

    def __eq__(self, other):
        return isinstance(other, Signature) and self.text == other.text

    def __hash__(self):
        return hash(self.text)

    def __repr__(self):
        return "Signature(%s)" % self.text


def type_key(crash):
    key = crash.kind or "Unknown"
    if crash.kind in parse.ACCESS_KINDS and crash.access:
        key += " " + crash.access
    if crash.kind == "Assertion-failure" and crash.detail:
        key += " `%s'" % crash.detail
    return key


def _leak_frames(crash, ctx):
    """The allocation stack of one leak, chosen by content (not by size order, which varies)."""
    candidates = [fr for title, fr in crash.leaks if title.startswith("Direct")] or \
        [fr for _t, fr in crash.leaks] or [crash.frames]
    best = None
    for fr in candidates:
        keys = collapse_recursion([frame_key(f) for f in our_frames(fr, ctx)])
        if keys and (best is None or keys < best):
            best = keys
    return best or []


def compute(crash, ctx):
    """The Signature of a parsed crash."""
    top_line = None
    if crash.kind == "Memory-leak":
        chain = _leak_frames(crash, ctx)
        keys_raw = chain
    else:
        ours = our_frames(crash.frames, ctx)
        keys_raw = [frame_key(f) for f in ours]
        chain = collapse_recursion(keys_raw)
        top_line = ours[0].line if ours else None
    frames = chain[:MAX_FRAMES]
    if crash.kind == "Stack-overflow":
        recurring = sorted({k for k in keys_raw if keys_raw.count(k) > 1})
        if recurring:
            frames = recurring[:MAX_FRAMES]
    elif crash.kind == "Abort" and frames:
        # Each abort() call is its own oracle: the call's line, and the lines of its callers
        # (an oracle helper called by several checks), down to the entry function.
        path = our_frames(crash.frames, ctx, keep_entry=True)
        frames = [("%s:%d" % (frame_key(f), f.line)) if f.line else frame_key(f)
                  for f in path[:MAX_FRAMES]]
    if not frames:
        if crash.location:
            frames = ["%s:%s" % (os.path.basename(crash.location[0]), crash.location[1])]
        elif ctx.target:
            frames = ["fuzz_%s" % ctx.target]
    return Signature(type_key(crash), frames, chain, crash.kind, crash.access, top_line)


# ---- grouping -----------------------------------------------------------------------------

BOUNDS_KINDS = {"Heap-buffer-overflow", "Stack-buffer-overflow", "Stack-buffer-underflow",
                "Dynamic-stack-buffer-overflow", "Global-buffer-overflow", "Container-overflow"}
WILD_KINDS = {"SEGV", "Unknown-crash"}


def _is_suffix(short, long_):
    return 0 < len(short) <= len(long_) and long_[len(long_) - len(short):] == short


def common_suffix(chains):
    chains = [c for c in chains if c]
    if not chains:
        return []
    out = chains[0]
    for c in chains[1:]:
        n = 0
        while n < min(len(out), len(c)) and out[len(out) - 1 - n] == c[len(c) - 1 - n]:
            n += 1
        out = out[len(out) - n:] if n else []
    return out


def timeout_signature(chains):
    """One signature for several timeout samples of the same hang (their common suffix)."""
    chain = common_suffix(chains)
    return Signature("Timeout", chain[:MAX_FRAMES], chain, "Timeout")


UAF_KINDS = {"Heap-use-after-free"}


def _family(sig):
    if sig.kind in BOUNDS_KINDS or sig.kind in WILD_KINDS:
        return "out-of-bounds"
    if sig.kind in UAF_KINDS:
        return "use-after-free"
    return sig.type_key


EXACT_KINDS = {"Abort", "Assertion-failure"}


def same_bug(a, b):
    """True when signatures a and b name the same bug (equal, or one of the rules above)."""
    if a.text == b.text:
        return True
    if a.kind == "Timeout" and b.kind == "Timeout":
        # A sample lands in the looping function or below it: the hang is the same when one
        # sample's top frame is on the other's stack.
        return bool(a.chain and b.chain) and (a.chain[0] in b.chain or b.chain[0] in a.chain)
    if a.kind in EXACT_KINDS or b.kind in EXACT_KINDS:
        return False  # one oracle, one call path, one text
    if a.kind == "Stack-overflow" and b.kind == "Stack-overflow":
        return bool(set(a.frames) & set(b.frames))  # the same function recurses without bound
    if _family(a) != _family(b) or not a.frames or not b.frames or a.frames[0] != b.frames[0]:
        return False
    if _family(a) == "out-of-bounds" and a.type_key != b.type_key:
        # One statement overflowing: whether the read or the write side, the heap or the stack
        # buffer goes out of bounds first depends on the input (memcpy(dst, src, n + 1)).
        if a.top_line is not None and a.top_line == b.top_line:
            return True
        # A wild SEGV is the same access with a larger offset.
        if {a.kind, b.kind} & WILD_KINDS and {a.kind, b.kind} & BOUNDS_KINDS:
            return a.access == b.access or None in (a.access, b.access)
        return False
    # The same kind of error in the same function: its callers only say how it was reached.
    return True


def group_signatures(sigs):
    """Groups a list of Signatures; returns a list of (canonical Signature, [indexes])."""
    groups = []  # [canonical, [idx], [sigs]]
    for i, s in enumerate(sigs):
        for g in groups:
            if any(same_bug(s, m) for m in g[2]):
                g[1].append(i)
                g[2].append(s)
                break
        else:
            groups.append([s, [i], [s]])
    # Transitive closure: a later member may link two earlier groups.
    merged = True
    while merged:
        merged = False
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                if any(same_bug(x, y) for x in groups[a][2] for y in groups[b][2]):
                    groups[a][1] += groups[b][1]
                    groups[a][2] += groups[b][2]
                    del groups[b]
                    merged = True
                    break
            if merged:
                break
    out = []
    for _c, idx, members in groups:
        if all(m.kind == "Timeout" for m in members) and len({m.text for m in members}) > 1:
            # The member whose top frame is on the most members' stacks names the loop; the
            # callers under it are the most common ones.
            texts = [m.text for m in members]
            canon = max(members, key=lambda m: (sum(1 for o in members
                                                    if m.chain and m.chain[0] in o.chain),
                                                texts.count(m.text), -len(m.chain), m.text))
        else:
            # Prefer the precise type (an overflow) over a wild SEGV, then the worst, then the
            # most common member.
            texts = [m.text for m in members]
            canon = max(members, key=lambda m: (m.kind not in WILD_KINDS,
                                                severity.rank(severity.rate(m.kind, m.access)[0]),
                                                texts.count(m.text), m.text))
        out.append((canon, sorted(idx)))
    return out
