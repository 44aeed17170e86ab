"""report: the triage report as JSON (tools), Markdown (people), SARIF 2.1.0 (code scanning),
and the bucket table printed at the end of `triage run` and `ci/fuzz`.

SARIF: one run, tool.driver.name "sekfuzz-triage" with one rule per crash type (id such as
"heap-buffer-overflow-write", GitHub's security-severity property from severity.py), one result
per bucket with ruleId, level, message.text, the top frame of ours as
locations[].physicalLocation (artifactLocation.uri relative to the repository root, region.
startLine), the whole stack as stacks[], and the bucket id as a partial fingerprint so that code
scanning keeps one alert per bucket across runs.
"""

import json
import os
import re

from . import VERSION, severity, tools

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def public(obj):
    """Drops the private (underscore) keys used while building a report."""
    if isinstance(obj, dict):
        return {k: public(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [public(v) for v in obj]
    return obj


def write_json(report, path):
    with open(path, "w") as f:
        json.dump(public(report), f, indent=2, sort_keys=False)
        f.write("\n")


def _frames_text(frames, width=None):
    rows = []
    for fr in frames:
        loc = fr["file"] + (":%d" % fr["line"] if fr.get("line") else "") if fr.get("file") else \
            "%s+%s" % (os.path.basename(fr.get("module") or "?"), fr.get("offset") or "?")
        rows.append(("#%d" % fr["index"], fr.get("function") or "?", loc,
                     fr.get("source") or "", "" if fr.get("ours") else "  (not ours)"))
    if not rows:
        return "(no stack)"
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    out = []
    for idx, fn, loc, src, mark in rows:
        line = "%-4s %-*s  %-*s" % (idx, w1, fn, w2, loc)
        if src:
            line += "   " + src
        out.append((line + mark).rstrip())
    return "\n".join(out)


def bucket_table(report):
    """The bucket table as text (one row per bucket)."""
    buckets = report["buckets"]
    if not buckets:
        return "no crash reproduced (%d input(s))" % report["summary"]["inputs"]
    head = ("#", "bucket", "severity", "crash type", "count", "repro", "flaky", "new", "min",
            "signature frames")
    rows = []
    for i, b in enumerate(buckets, 1):
        m = b.get("minimized") or {}
        rows.append((str(i), b["id"], b["severity"], b["crash_type"], str(b["count"]),
                     b["reproducibility"], "yes" if b["flaky"] else "no",
                     "NEW" if b["new"] else "known",
                     ("%dB" % m["size"]) if m.get("size") is not None else "-",
                     " > ".join(b["signature_frames"])))
    widths = [max(len(r[c]) for r in rows + [head]) for c in range(len(head))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
    for r in rows:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


def write_markdown(report, path):
    s = report["summary"]
    out = ["# Triage report: fuzz_%s" % report["target"], ""]
    out.append("%d bucket(s) from %d input(s) (%d distinct), %d run(s) each on `%s`; "
               "%d new, %d flaky, %d input(s) did not reproduce." % (
                   s["buckets"], s["inputs"], s["distinct_inputs"], report["runs_per_input"],
                   report["binary"], s["new"], s["flaky"], s["not_reproduced"]))
    out += ["", "```", bucket_table(report), "```", ""]
    for i, b in enumerate(report["buckets"], 1):
        m = b.get("minimized") or {}
        out.append("## %d. %s — %s%s" % (i, b["crash_type"], b["severity"],
                                          " (new)" if b["new"] else ""))
        out.append("")
        out.append("- signature: `%s`" % b["signature"])
        out.append("- bucket: `%s`%s" % (b["id"], " — known as %s" % b["known_as"]
                                         if b["known_as"] else ""))
        out.append("- severity: %s (%s; %s)" % (
            b["severity"], "security bug" if b["security"] else "not a security bug",
            b["severity_source"]))
        if b.get("detail"):
            out.append("- detail: %s" % b["detail"])
        if len(b.get("signatures") or {}) > 1:
            out.append("- grouped signatures (same crash site): %s" % "; ".join(
                "`%s` x%d" % (t, n) for t, n in sorted(b["signatures"].items(),
                                                        key=lambda kv: -kv[1])))
        out.append("- count: %d input(s), %d distinct; reproduced %s runs%s" % (
            b["count"], b["distinct_inputs"], b["reproducibility"],
            "; FLAKY: %s" % ", ".join("`%s`" % tools.relpath(p) for p in b["flaky_inputs"])
            if b["flaky"] else ""))
        out.append("- first input: `%s`" % tools.relpath(b["first_input"]))
        if m:
            out.append("- minimized input: `%s` (%d bytes from %d, %s, %s)" % (
                tools.relpath(m["path"]), m["size"], m["original_size"], m["method"],
                "same signature" if m["verified"] else "minimization did not keep the signature;"
                " this is the original"))
        if b.get("regression"):
            out.append("- regression test: `%s`" % b["regression"])
        out.append("- reproduce: `%s`" % b["reproduce"])
        out += ["", "```", _frames_text(b["stack"]), "```", ""]
        for st in b.get("stacks", []):
            out += ["%s" % (st["title"] or "other stack"), "", "```",
                    _frames_text(st["frames"]), "```", ""]
        if b.get("report"):
            out += ["<details><summary>sanitizer report</summary>", "", "```",
                    _clip(b["report"], 120), "```", "", "</details>", ""]
    if report.get("not_reproduced"):
        out += ["## Inputs that did not reproduce", ""]
        out += ["- `%s`" % tools.relpath(p) for p in report["not_reproduced"]]
        out.append("")
    with open(path, "w") as f:
        f.write("\n".join(out))


def _clip(text, max_lines):
    lines = text.splitlines()
    if len(lines) <= max_lines:
        return text
    return "\n".join(lines[:max_lines] + ["... (%d more lines)" % (len(lines) - max_lines)])


def rule_id(type_key):
    base = type_key.split(" `")[0]
    return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")


def _artifact(uri):
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}


def sarif_document(reports):
    """One SARIF 2.1.0 log for one or more triage reports (ci/fuzz passes every target's)."""
    rules, rule_index, results = [], {}, []
    for report in reports:
        target = report["target"]
        for b in report["buckets"]:
            rid = rule_id(b["type"])
            level = severity.SARIF_LEVEL.get(b["severity"], "warning")
            if rid not in rule_index:
                rule_index[rid] = len(rules)
                name = "".join(p.capitalize() for p in rid.split("-"))
                rules.append({
                    "id": rid, "name": name,
                    "shortDescription": {"text": b["type"].split(" `")[0]},
                    "fullDescription": {"text": "A fuzz target input triggers %s; found by "
                                                "sekfuzz and reproduced on the ASan+UBSan replay "
                                                "build." % b["type"].split(" `")[0]},
                    "help": {"text": "Reproduce with the command in the result, fix the bug, "
                                     "then keep the minimized input as a regression test "
                                     "(harness/triage run --add-regressions)."},
                    "defaultConfiguration": {"level": level},
                    "properties": {
                        "tags": ["fuzzing", "security" if b["security"] else "reliability"],
                        "security-severity": "%.1f" % severity.SECURITY_SEVERITY.get(
                            b["severity"], 5.0),
                        "precision": "high"},
                })
            file, line = b["location"]["file"], b["location"]["line"]
            if not file:
                guess = "targets/fuzz_%s.c" % target
                file, line = (guess if os.path.isfile(os.path.join(tools.ROOT, guess))
                              else "CMakeLists.txt"), 1
            frames = []
            for fr in b["stack"]:
                if not fr.get("ours") or not fr.get("file") or not fr.get("line"):
                    continue
                frames.append({"location": {
                    "physicalLocation": {"artifactLocation": _artifact(fr["file"]),
                                         "region": {"startLine": fr["line"]}},
                    "message": {"text": fr.get("function") or "?"}}})
            m = b.get("minimized") or {}
            msg = "%s in fuzz_%s: %s. %d input(s), reproduced %s runs%s. Reproduce: %s" % (
                b["crash_type"], target, " > ".join(b["signature_frames"]), b["count"],
                b["reproducibility"], " (flaky)" if b["flaky"] else "", b["reproduce"])
            result = {
                "ruleId": rid, "ruleIndex": rule_index[rid], "level": level,
                "message": {"text": msg},
                "locations": [{"physicalLocation": {"artifactLocation": _artifact(file),
                                                    "region": {"startLine": int(line)}}}],
                "partialFingerprints": {"sekfuzzBucket/v1": "%s/%s" % (target, b["id"])},
                "properties": {"target": target, "bucket": b["id"], "signature": b["signature"],
                               "severity": b["severity"], "count": b["count"],
                               "flaky": b["flaky"], "new": b["new"],
                               "minimizedInput": tools.relpath(m["path"]) if m else None,
                               "reproduce": b["reproduce"]},
            }
            if frames:
                result["stacks"] = [{"message": {"text": "crash stack"}, "frames": frames}]
            results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "sekfuzz-triage", "version": VERSION,
                                "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "file://%s/" % tools.ROOT}},
            "automationDetails": {"id": "sekfuzz-triage/%s/" % "+".join(
                r["target"] for r in reports)},
            "results": results,
        }],
    }


def write_sarif(reports, path):
    with open(path, "w") as f:
        json.dump(sarif_document(reports), f, indent=2)
        f.write("\n")
