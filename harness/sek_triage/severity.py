"""severity: how bad a bucket is, from its crash type and access kind (one table).

Levels: Critical > High > Medium > Low.  The base levels follow ClusterFuzz's
severity_analyzer (High: use-after-free, double free, bad cast, use-after-poison; Medium:
buffer overflows, index out of bounds, param overlap, object size, uninitialized values,
unknown crashes; non-security: null dereference, stack overflow, timeout, OOM, leaks, most UBSan
kinds, abort signals), with its "a WRITE raises one level" rule written out as rows, and CASR's
classes (docs/classes.md) where ClusterFuzz is silent.  First matching row wins; access None in
a row matches any access.
"""

LEVELS = ["Low", "Medium", "High", "Critical"]

# (crash type, access or None, severity, security bug?, source)
SEVERITY_TABLE = [
    ("Heap-use-after-free", "WRITE", "Critical", True, "ClusterFuzz High + WRITE; CASR EXPLOITABLE"),
    ("Heap-use-after-free", None, "High", True, "ClusterFuzz severity_analyzer"),
    ("Stack-use-after-return", "WRITE", "Critical", True, "as use-after-free + WRITE"),
    ("Stack-use-after-return", None, "High", True, "ClusterFuzz"),
    ("Stack-use-after-scope", "WRITE", "Critical", True, "as use-after-free + WRITE"),
    ("Stack-use-after-scope", None, "High", True, "ClusterFuzz"),
    ("Use-after-poison", None, "High", True, "ClusterFuzz"),
    ("Heap-double-free", None, "High", True, "ClusterFuzz (Heap-double-free)"),
    ("Bad-cast", None, "High", True, "ClusterFuzz"),
    ("Bad-jump", None, "High", True, "ClusterFuzz: pc (nil) is a security crash"),
    ("Heap-buffer-overflow", "WRITE", "High", True, "ClusterFuzz Medium + WRITE"),
    ("Heap-buffer-overflow", None, "Medium", True, "ClusterFuzz"),
    ("Stack-buffer-overflow", "WRITE", "High", True, "ClusterFuzz Medium + WRITE"),
    ("Stack-buffer-overflow", None, "Medium", True, "ClusterFuzz"),
    ("Stack-buffer-underflow", "WRITE", "High", True, "ClusterFuzz Medium + WRITE"),
    ("Stack-buffer-underflow", None, "Medium", True, "ClusterFuzz"),
    ("Dynamic-stack-buffer-overflow", "WRITE", "High", True, "ClusterFuzz Medium + WRITE"),
    ("Dynamic-stack-buffer-overflow", None, "Medium", True, "ClusterFuzz"),
    ("Global-buffer-overflow", "WRITE", "High", True, "ClusterFuzz Medium + WRITE"),
    ("Global-buffer-overflow", None, "Medium", True, "ClusterFuzz"),
    ("Container-overflow", "WRITE", "High", True, "ClusterFuzz Medium + WRITE"),
    ("Container-overflow", None, "Medium", True, "ClusterFuzz"),
    ("Intra-object-overflow", "WRITE", "High", True, "ClusterFuzz Medium + WRITE"),
    ("Intra-object-overflow", None, "Medium", True, "ClusterFuzz"),
    ("Unknown-crash", "WRITE", "High", True, "ClusterFuzz UNKNOWN + WRITE"),
    ("Unknown-crash", None, "Medium", True, "ClusterFuzz UNKNOWN"),
    ("SEGV", "WRITE", "High", True, "ClusterFuzz: wild address is security; + WRITE"),
    ("SEGV", None, "Medium", True, "ClusterFuzz: wild address is security"),
    ("Invalid-free", None, "Medium", True, "CASR: bad-free; ClusterFuzz Bad-free"),
    ("Memcpy-param-overlap", None, "Medium", True, "ClusterFuzz"),
    ("Negative-size-param", None, "Medium", True, "CASR: NegativeSizeParam"),
    ("Index-out-of-bounds", None, "Medium", True, "ClusterFuzz: security UBSan kind"),
    ("Object-size", None, "Medium", True, "ClusterFuzz: security UBSan kind"),
    ("Incorrect-function-pointer-type", None, "Medium", True, "ClusterFuzz: security UBSan kind"),
    ("Non-positive-vla-bound", None, "Medium", True, "ClusterFuzz: security UBSan kind"),
    ("Use-of-uninitialized-value", None, "Medium", True, "ClusterFuzz"),
    ("Deadly-signal", None, "Medium", True, "ClusterFuzz: unknown crash types are security"),
    ("Bus-error", None, "Medium", False, "ClusterFuzz: BUS signal non-security"),
    ("Null-dereference", None, "Low", False, "ClusterFuzz: near-null SEGV is non-security"),
    ("Stack-overflow", None, "Low", False, "ClusterFuzz non-security; CASR NOT_EXPLOITABLE"),
    ("Memory-leak", None, "Low", False, "ClusterFuzz non-security"),
    ("Timeout", None, "Low", False, "ClusterFuzz non-security"),
    ("Out-of-memory", None, "Low", False, "ClusterFuzz non-security"),
    ("Abort", None, "Low", False, "ClusterFuzz: ABRT non-security (oracle violations)"),
    ("Assertion-failure", None, "Low", False, "ClusterFuzz: ASSERT non-security"),
    ("Alloc-dealloc-mismatch", None, "Low", False, "CASR NOT_EXPLOITABLE"),
    ("New-delete-type-mismatch", None, "Low", False, "CASR NOT_EXPLOITABLE"),
    ("Floating-point-exception", None, "Low", False, "ClusterFuzz: FPE non-security"),
    ("Divide-by-zero", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Illegal-instruction", None, "Low", False, "ClusterFuzz: ILL non-security"),
    ("Trace-trap", None, "Low", False, "ClusterFuzz non-security"),
    ("Unexpected-exit", None, "Low", False, "libFuzzer: fuzz target exited"),
    ("Overwrites-const-input", None, "Low", False, "libFuzzer"),
    ("Killed", None, "Low", False, "killed (OOM killer or hard time limit)"),
    # The remaining UBSan kinds: undefined behaviour that is not itself a memory error.
    ("Integer-overflow", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Unsigned-integer-overflow", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Invalid-shift", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Pointer-overflow", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Misaligned-address", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Invalid-bool-value", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Invalid-enum-value", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Invalid-null-argument", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Invalid-null-return", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Unreachable-code", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Missing-return", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Float-cast-overflow", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Implicit-conversion", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Invalid-builtin-use", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Alignment-assumption", None, "Low", False, "ClusterFuzz non-security UBSan kind"),
    ("Undefined-behavior", None, "Low", False, "UBSan kind not in the table"),
]

DEFAULT = ("Medium", True, "ClusterFuzz: unknown crash types count as security")

# For GitHub code scanning (SARIF property security-severity, 0.0 .. 10.0).
SECURITY_SEVERITY = {"Critical": 9.5, "High": 8.0, "Medium": 5.5, "Low": 2.0}
SARIF_LEVEL = {"Critical": "error", "High": "error", "Medium": "warning", "Low": "note"}


def rate(kind, access):
    """Returns (severity, security, source) for a crash type and access kind."""
    for row_kind, row_access, level, security, source in SEVERITY_TABLE:
        if row_kind == kind and (row_access is None or row_access == access):
            return level, security, source
    return DEFAULT


def rank(level):
    """Sort key: higher is worse."""
    return LEVELS.index(level) if level in LEVELS else 1
