"""parse: reads what a crashing run printed and returns a Crash.

Understands AddressSanitizer (heap/stack/global buffer overflows with READ/WRITE and size,
use-after-free, double free, invalid free, SEGV with null-page detection, stack overflow, the
allocator's out-of-memory reports), LeakSanitizer, UndefinedBehaviorSanitizer runtime errors
(file:line:col: runtime error: ...), glibc assertion messages, libFuzzer's own reports
(timeout, out-of-memory by malloc limit or rss, deadly signal, exited, overwrote its input) and
the replay driver's timeout lines, which imitate libFuzzer's.  Frames are read from the
sanitizer's symbolized format in all its variants: `in func file:line[:col]`, `in func
(module+0xoff)`, bare `(module+0xoff)`, with or without `(BuildId: ...)`.

Knowledge is in the two tables ASAN_KINDS and UBSAN_KINDS (pattern, crash type, source).
"""

import re

# ---- frames ------------------------------------------------------------------------------


class Frame:
    """One stack frame as the sanitizer printed it (inlined frames share the pc)."""

    __slots__ = ("index", "pc", "function", "file", "line", "column", "module", "offset", "raw")

    def __init__(self, index, pc, function=None, file=None, line=None, column=None,
                 module=None, offset=None, raw=""):
        self.index = index
        self.pc = pc
        self.function = function
        self.file = file
        self.line = line
        self.column = column
        self.module = module
        self.offset = offset
        self.raw = raw

    def location(self):
        """'file:line' (or the module+offset) for people."""
        if self.file:
            return "%s:%d" % (self.file, self.line) if self.line else self.file
        if self.module:
            return "%s+%s" % (self.module, self.offset)
        return "?"

    def to_json(self):
        return {k: getattr(self, k) for k in self.__slots__ if k != "raw"}

    def __repr__(self):
        return "Frame(#%d %s %s)" % (self.index, self.function, self.location())


_FRAME_RE = re.compile(r"^\s*#(\d+)\s+(0x[0-9a-fA-F]+)\s*(.*?)\s*$")
_BUILDID_RE = re.compile(r"\s*\(BuildId: [0-9a-fA-F]+\)$")
_MODULE_RE = re.compile(r"^(.*?)\s*\(([^()]*?)\+(0x[0-9a-fA-F]+)\)$")
_FILELINE_RE = re.compile(r"^(.*?)\s+(\S+?):(\d+)(?::(\d+))?$")
_UNKNOWN_MODULE_RE = re.compile(r"^(.*?)\s*\(<unknown module>\)$")


def parse_frame(text):
    """Returns a Frame for one `#N 0x... ...` line, or None when it is not a frame line."""
    m = _FRAME_RE.match(text)
    if not m:
        return None
    index, pc, rest = int(m.group(1)), int(m.group(2), 16), m.group(3)
    rest = _BUILDID_RE.sub("", rest)
    frame = Frame(index, pc, raw=text.strip())
    has_function = rest.startswith("in ")
    if has_function:
        rest = rest[3:]
    mm = _MODULE_RE.match(rest)
    if mm:
        frame.module, frame.offset = mm.group(2), mm.group(3)
        frame.function = mm.group(1) or None
        return frame
    mu = _UNKNOWN_MODULE_RE.match(rest)
    if mu:
        frame.function = mu.group(1) or None
        frame.module = "<unknown module>"
        return frame
    if not has_function:
        frame.function = rest or None
        return frame
    mf = _FILELINE_RE.match(rest)
    if mf:
        frame.function, frame.file = mf.group(1), mf.group(2)
        frame.line = int(mf.group(3))
        frame.column = int(mf.group(4)) if mf.group(4) else None
        return frame
    # "in func /path/file.c" (no line) or just "in func".
    parts = rest.rsplit(None, 1)
    if len(parts) == 2 and ("/" in parts[1] or re.search(r"\.(c|h|cc|cpp|inc)$", parts[1])):
        frame.function, frame.file = parts
    else:
        frame.function = rest
    return frame


# ---- crash kinds (tables) ------------------------------------------------------------------

# (pattern on the text after "ERROR: AddressSanitizer: ", crash type, source)
ASAN_KINDS = [
    (r"^heap-buffer-overflow", "Heap-buffer-overflow", "asan_errors.cpp ReportGenericError"),
    (r"^stack-buffer-overflow", "Stack-buffer-overflow", "asan_errors.cpp"),
    (r"^stack-buffer-underflow", "Stack-buffer-underflow", "asan_errors.cpp"),
    (r"^dynamic-stack-buffer-overflow", "Dynamic-stack-buffer-overflow", "asan_errors.cpp"),
    (r"^global-buffer-overflow", "Global-buffer-overflow", "asan_errors.cpp"),
    (r"^heap-use-after-free", "Heap-use-after-free", "asan_errors.cpp"),
    (r"^stack-use-after-return", "Stack-use-after-return", "asan_errors.cpp"),
    (r"^stack-use-after-scope", "Stack-use-after-scope", "asan_errors.cpp"),
    (r"^use-after-poison", "Use-after-poison", "asan_errors.cpp"),
    (r"^container-overflow", "Container-overflow", "asan_errors.cpp"),
    (r"^intra-object-overflow", "Intra-object-overflow", "asan_errors.cpp"),
    (r"^unknown-crash", "Unknown-crash", "asan_errors.cpp"),
    (r"^attempting double-free", "Heap-double-free", "ErrorDoubleFree"),
    (r"^attempting free on address which was not malloc", "Invalid-free", "ErrorFreeNotMalloced"),
    (r"^alloc-dealloc-mismatch", "Alloc-dealloc-mismatch", "ErrorAllocTypeMismatch"),
    (r"^new-delete-type-mismatch", "New-delete-type-mismatch", "ErrorNewDeleteTypeMismatch"),
    (r"^[a-z]+-param-overlap", "Memcpy-param-overlap", "ErrorStringFunctionMemoryRangesOverlap"),
    (r"^negative-size-param", "Negative-size-param", "ErrorStringFunctionSizeOverflow"),
    (r"^calloc parameters overflow", "Out-of-memory", "ErrorCallocOverflow"),
    (r"^requested allocation size .* exceeds maximum", "Out-of-memory",
     "ErrorAllocationSizeTooBig (max_allocation_size_mb)"),
    (r"^(allocator is out of memory|out of memory)", "Out-of-memory", "ErrorOutOfMemory"),
    (r"^hard rss limit exhausted", "Out-of-memory", "hard_rss_limit_mb"),
    (r"^malloc limit", "Out-of-memory", "malloc_limit_mb"),
    (r"^stack-overflow", "Stack-overflow", "ErrorStackOverflow"),
    (r"^SEGV", "SEGV", "ErrorDeadlySignal"),
    (r"^BUS", "Bus-error", "ErrorDeadlySignal"),
    (r"^ABRT", "Abort", "ErrorDeadlySignal (handle_abort=1)"),
    (r"^FPE", "Floating-point-exception", "ErrorDeadlySignal"),
    (r"^ILL", "Illegal-instruction", "ErrorDeadlySignal"),
    (r"^invalid-pointer-pair", "Invalid-pointer-pair", "ErrorInvalidPointerPair"),
    (r"^initialization-order-fiasco", "Initialization-order-fiasco", "asan_errors.cpp"),
    (r"^odr-violation", "ODR-violation", "ErrorODRViolation"),
    (r"^use-of-uninitialized-value", "Use-of-uninitialized-value", "MemorySanitizer"),
]

# (pattern on the text after "runtime error: ", crash type, source).  First match wins.
UBSAN_KINDS = [
    (r"signed integer overflow", "Integer-overflow", "ubsan_handlers.cpp handleIntegerOverflow"),
    (r"unsigned integer overflow", "Unsigned-integer-overflow", "-fsanitize=unsigned-integer-overflow"),
    (r"negation of .* cannot be represented", "Integer-overflow", "handleNegateOverflow"),
    (r"division of .* by -1 cannot be represented", "Integer-overflow", "handleDivremOverflow"),
    (r"division by zero", "Divide-by-zero", "handleDivremOverflow"),
    (r"shift exponent .* (too large|negative)", "Invalid-shift", "handleShiftOutOfBounds"),
    (r"left shift of", "Invalid-shift", "handleShiftOutOfBounds"),
    (r"index .* out of bounds", "Index-out-of-bounds", "handleOutOfBounds"),
    (r"(load of|store to|member access within|member call on|reference binding to|"
     r"access within) (misaligned address .* for )?null pointer", "Null-dereference",
     "handleTypeMismatch (null)"),
    (r"misaligned address", "Misaligned-address", "handleTypeMismatch (alignment)"),
    (r"insufficient space for an object of type", "Object-size", "handleTypeMismatch (objsize)"),
    (r"applying .*offset .* to null pointer", "Pointer-overflow", "handlePointerOverflow"),
    (r"pointer index expression with base .* overflowed", "Pointer-overflow", "handlePointerOverflow"),
    (r"(addition|subtraction) of unsigned offset .* overflowed", "Pointer-overflow",
     "handlePointerOverflow"),
    (r"not a valid value for type '(bool|_Bool)'", "Invalid-bool-value", "handleLoadInvalidValue"),
    (r"not a valid value for type", "Invalid-enum-value", "handleLoadInvalidValue"),
    (r"null pointer passed as argument .* never be null", "Invalid-null-argument",
     "handleNonNullArg"),
    (r"null pointer returned from function declared to never return null", "Invalid-null-return",
     "handleNonNullReturn"),
    (r"execution reached (an unreachable program point|a __builtin_unreachable)",
     "Unreachable-code", "handleBuiltinUnreachable"),
    (r"execution reached the end of a value-returning function", "Missing-return",
     "handleMissingReturn"),
    (r"variable length array bound evaluates to non-positive value", "Non-positive-vla-bound",
     "handleVLABoundNotPositive"),
    (r"through pointer to incorrect function type", "Incorrect-function-pointer-type",
     "handleFunctionTypeMismatch"),
    (r"outside the range of representable values", "Float-cast-overflow",
     "handleFloatCastOverflow"),
    (r"implicit conversion from type", "Implicit-conversion", "handleImplicitConversion"),
    (r"passing zero to (ctz|clz)|invalid builtin", "Invalid-builtin-use", "handleInvalidBuiltin"),
    (r"alignment assumption", "Alignment-assumption", "handleAlignmentAssumption"),
    (r"which does not point to an object of type|invalid vptr", "Bad-cast",
     "handleDynamicTypeCacheMiss"),
]

# libFuzzer's (and the replay driver's) "ERROR: libFuzzer: ..." lines.
LIBFUZZER_KINDS = [
    (r"^timeout", "Timeout", "FuzzerLoop.cpp AlarmCallback"),
    (r"^out-of-memory \(malloc\(", "Out-of-memory", "FuzzerLoop.cpp HandleMalloc"),
    (r"^out-of-memory", "Out-of-memory", "FuzzerLoop.cpp RssLimitCallback"),
    (r"^deadly signal", "Deadly-signal", "FuzzerLoop.cpp CrashCallback"),
    (r"^fuzz target exited", "Unexpected-exit", "FuzzerLoop.cpp ExitCallback"),
    (r"^fuzz target overwrites its const input", "Overwrites-const-input", "FuzzerLoop.cpp"),
    (r"^malloc\(", "Out-of-memory", "-malloc_limit_mb"),
]

SIGNAL_KINDS = {
    4: "Illegal-instruction", 6: "Abort", 7: "Bus-error", 8: "Floating-point-exception",
    9: "Killed", 11: "SEGV", 5: "Trace-trap",
}

# Crash types whose report says READ or WRITE (the signature keeps the access kind).
ACCESS_KINDS = {
    "Heap-buffer-overflow", "Stack-buffer-overflow", "Stack-buffer-underflow",
    "Dynamic-stack-buffer-overflow", "Global-buffer-overflow", "Heap-use-after-free",
    "Stack-use-after-return", "Stack-use-after-scope", "Use-after-poison",
    "Container-overflow", "Intra-object-overflow", "Unknown-crash", "SEGV",
}

ABORT_FUNCTIONS = {"abort", "__GI_abort", "raise", "__GI_raise", "__pthread_kill_implementation",
                   "pthread_kill", "__pthread_kill_internal"}

NULL_PAGE = 0x1000

_HEADER_SAN = re.compile(
    r"==\d+==\s*ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
    r"MemorySanitizer|HWAddressSanitizer|ThreadSanitizer): (.*)$")
_HEADER_LF = re.compile(r"==\d+==\s*ERROR: libFuzzer: (.*)$")
_HEADER_UBSAN = re.compile(r"^(?:(.*?):(\d+):(\d+): )?runtime error: (.*)$")
_HEADER_ASSERT = re.compile(r"^(?:.*?: )?(\S+?):(\d+): (.*?): Assertion [`'](.*)' failed\.?\s*$")
_ACCESS = re.compile(r"^(READ|WRITE) of size (\d+) at (0x[0-9a-fA-F]+)")
_SIGNAL_ACCESS = re.compile(r"The signal is caused by a (READ|WRITE) memory access")
_ADDRESS = re.compile(r"(?:on (?:unknown )?address|on) (0x[0-9a-fA-F]+)")
_PC = re.compile(r"\(pc (0x[0-9a-fA-F]+)")
_LEAK = re.compile(r"^(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) object\(s\) allocated from:")


def classify(table, text, default):
    for pattern, kind, _source in table:
        if re.search(pattern, text):
            return kind
    return default


class Crash:
    """What one run reported.  frames: the crash stack (#0 first); stacks: every stack block
    in order as (title, frames), the first being the crash stack; leaks: (title, frames) per
    LeakSanitizer entry."""

    def __init__(self):
        self.kind = None          # crash type, e.g. "Heap-buffer-overflow", "Timeout"
        self.access = None        # "READ" / "WRITE" / None
        self.size = None          # access size in bytes
        self.address = None
        self.pc = None
        self.detail = ""          # UBSan message, assertion expression, libFuzzer detail
        self.sanitizer = None     # which tool reported it
        self.headline = ""        # the report's first line
        self.location = None      # (file, line, column) given by UBSan / assert
        self.frames = []
        self.stacks = []
        self.leaks = []
        self.report = ""          # the report text, from its header on

    def display_type(self):
        """The crash type for people: 'Heap-buffer-overflow WRITE 14', 'Integer-overflow'."""
        text = self.kind or "Unknown"
        if self.access:
            text += " " + self.access
            if self.size is not None:
                text += " %d" % self.size
        return text

    def to_json(self):
        return {
            "type": self.display_type(), "kind": self.kind, "access": self.access,
            "size": self.size, "sanitizer": self.sanitizer, "headline": self.headline,
            "detail": self.detail,
            "frames": [f.to_json() for f in self.frames],
            "stacks": [{"title": t, "frames": [f.to_json() for f in fr]} for t, fr in self.stacks],
        }


def _stack_blocks(lines, start):
    """Yields (title, frames, end_index) for each frame block at or after lines[start]."""
    i = start
    n = len(lines)
    while i < n:
        f = parse_frame(lines[i])
        if f is None or f.index != 0:
            i += 1
            continue
        title = ""
        j = i - 1
        while j >= start and not lines[j].strip():
            j -= 1
        if j >= start and lines[j].rstrip().endswith(":"):
            title = lines[j].strip()
        frames = []
        while i < n:
            f = parse_frame(lines[i])
            if f is None:
                break
            frames.append(f)
            i += 1
        yield title, frames, i


def _find_header(lines):
    """Index and kind of the first report header, or (None, None)."""
    for i, line in enumerate(lines):
        if _HEADER_SAN.search(line):
            return i, "san"
        if _HEADER_LF.search(line):
            return i, "libfuzzer"
        if _HEADER_ASSERT.match(line):
            return i, "assert"
        if "runtime error:" in line and _HEADER_UBSAN.match(line.strip()):
            return i, "ubsan"
    return None, None


def parse(text, returncode=None):
    """Returns a Crash for the output of a run, or None when it shows no crash.  returncode
    (negative = killed by that signal) explains deaths that printed no report."""
    lines = text.splitlines()
    head, which = _find_header(lines)
    crash = Crash()
    if head is None:
        if returncode is not None and returncode < 0:
            crash.kind = SIGNAL_KINDS.get(-returncode, "Signal-%d" % -returncode)
            crash.sanitizer = "signal"
            crash.headline = "killed by signal %d" % -returncode
            return crash
        return None
    line = lines[head]
    crash.headline = line.strip()
    if which == "san":
        m = _HEADER_SAN.search(line)
        crash.sanitizer, desc = m.group(1), m.group(2)
        if crash.sanitizer == "LeakSanitizer":
            crash.kind = "Memory-leak"
        else:
            crash.kind = classify(ASAN_KINDS, desc, "Unknown-crash")
        am = _ADDRESS.search(desc)
        if am:
            crash.address = int(am.group(1), 16)
        pm = _PC.search(desc)
        if pm:
            crash.pc = int(pm.group(1), 16)
        crash.detail = desc
    elif which == "libfuzzer":
        desc = _HEADER_LF.search(line).group(1)
        crash.sanitizer = "libFuzzer"
        crash.kind = classify(LIBFUZZER_KINDS, desc, "Deadly-signal")
        crash.detail = desc
    elif which == "assert":
        m = _HEADER_ASSERT.match(line)
        crash.sanitizer = "assert"
        crash.kind = "Assertion-failure"
        crash.location = (m.group(1), int(m.group(2)), None)
        crash.detail = " ".join(m.group(4).split())
    else:
        m = _HEADER_UBSAN.match(line.strip())
        crash.sanitizer = "UndefinedBehaviorSanitizer"
        msg = m.group(4)
        crash.kind = classify(UBSAN_KINDS, msg, "Undefined-behavior")
        if m.group(1):
            crash.location = (m.group(1), int(m.group(2)), int(m.group(3)))
        crash.detail = msg

    # Access kind and size (ASan), or the signal's access (SEGV and friends).
    for extra in lines[head + 1:head + 12]:
        am = _ACCESS.match(extra.strip())
        if am:
            crash.access, crash.size = am.group(1), int(am.group(2))
            break
        sm = _SIGNAL_ACCESS.search(extra)
        if sm:
            crash.access = sm.group(1)
            break

    blocks = list(_stack_blocks(lines, head))
    if which == "san" and crash.kind == "Memory-leak":
        for idx in range(head, len(lines)):
            lm = _LEAK.match(lines[idx].strip())
            if lm:
                for title, frames, _end in _stack_blocks(lines, idx + 1):
                    crash.leaks.append((lines[idx].strip(), frames))
                    break
        direct = [l for l in crash.leaks if l[0].startswith("Direct")]
        first = (direct or crash.leaks or [("", [])])[0]
        crash.frames = first[1]
        crash.stacks = list(crash.leaks)
    else:
        crash.stacks = [(t, f) for t, f, _ in blocks]
        if blocks:
            crash.frames = blocks[0][1]

    # A SEGV near address zero is a null dereference; a jump to near zero is a bad call.
    if crash.kind == "SEGV":
        if crash.pc is not None and crash.pc < NULL_PAGE:
            crash.kind = "Bad-jump"
            crash.access = None
        elif (crash.address is not None and crash.address < NULL_PAGE) or \
                "address points to the zero page" in text:
            crash.kind = "Null-dereference"
    if crash.kind == "Deadly-signal" and any(f.function in ABORT_FUNCTIONS for f in crash.frames):
        crash.kind = "Abort"
    if crash.kind not in ACCESS_KINDS:
        # Null dereferences included: UBSan and ASan word them differently, READ/WRITE or
        # not, so the access kind would only split one bug in two.
        crash.access = None
        crash.size = None

    # The report text: from the "=====" line before the header to the end of the report.
    start = head
    if start > 0 and lines[start - 1].startswith("====="):
        start -= 1
    end = len(lines)
    for k in range(head, len(lines)):
        if lines[k].startswith("==") and "ABORTING" in lines[k]:
            end = k + 1
            break
        if lines[k].startswith("SUMMARY:"):
            end = k + 1
            if crash.kind not in ("Memory-leak",):
                break
    crash.report = "\n".join(lines[start:end])
    return crash
