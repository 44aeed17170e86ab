"""sek_triage: crash triage and fuzz campaigns for sekfuzz (Python 3 standard library only).

Modules:
  parse      sanitizer / libFuzzer / replay-driver output -> Crash (type, access, stacks)
  signature  which frames are ours, recursion collapse, the dedup signature, bucket merging
  severity   the severity table (crash type + access -> Low..Critical, security flag)
  tools      project layout, targets (ci/lib.sh), .options, builds, running a target
  minimize   libFuzzer -minimize_crash, afl-tmin, and a ddmin fallback, all signature-checked
  report     Markdown, JSON and SARIF 2.1.0 reports
  cli        `harness/triage` (run, reproduce, parse)
  campaign   `ci/fuzz` (libFuzzer or AFL++ campaigns, summary table, triage at the end)
"""

VERSION = "1.0.0"
