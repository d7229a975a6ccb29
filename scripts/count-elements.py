#!/usr/bin/env python3
"""Compare stigrun's loader counts with a direct XML element count for every SSG data stream.

For each `*-ds.xml` under the SSG content directory, stigrun's counts of rules, groups, values
and profiles in the selected XCCDF benchmark (from `cargo run --example loader_counts`) are
compared with a count of the XCCDF elements of the first Benchmark, made independently with
Python's ElementTree (namespace-aware, streaming). Prints a table with OK/FAIL per file; exits 1
on any FAIL.

usage: scripts/count-elements.py [CONTENT_DIR] [--release]
"""

import glob
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

XCCDF_NS = ("http://checklists.nist.gov/xccdf/1.1", "http://checklists.nist.gov/xccdf/1.2")
KINDS = ("rules", "groups", "values", "profiles")
LOCAL_TO_KIND = {"Rule": "rules", "Group": "groups", "Value": "values", "Profile": "profiles"}


def direct_counts(path):
    counts = dict.fromkeys(KINDS, 0)
    depth = 0
    bench_depth = None
    benchmark_id = None
    for event, elem in ET.iterparse(path, events=("start", "end")):
        ns, _, local = elem.tag[1:].partition("}") if elem.tag.startswith("{") else ("", "", elem.tag)
        if event == "start":
            if ns in XCCDF_NS and local == "Benchmark" and bench_depth is None:
                bench_depth = depth
                benchmark_id = elem.get("id")
            elif ns in XCCDF_NS and bench_depth is not None and local in LOCAL_TO_KIND:
                counts[LOCAL_TO_KIND[local]] += 1
            depth += 1
        else:
            depth -= 1
            if bench_depth is not None and depth == bench_depth:
                break
            elem.clear()
    return benchmark_id, counts


def stigrun_counts(files, release):
    cmd = ["cargo", "run", "--quiet", "--example", "loader_counts"]
    if release:
        cmd.insert(2, "--release")
    out = subprocess.run(cmd + ["--"] + files, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"loader_counts failed:\n{out.stderr}")
    results = {}
    for line in out.stdout.splitlines():
        row = json.loads(line)
        results[row["file"]] = row
    return results


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    content = args[0] if args else "/usr/share/xml/scap/ssg/content"
    files = sorted(glob.glob(os.path.join(content, "*-ds.xml")))
    if not files:
        sys.exit(f"no *-ds.xml under {content}")
    ours = stigrun_counts(files, "--release" in sys.argv)
    failures = 0
    header = f"{'file':34} {'benchmark':48} " + " ".join(f"{k:>17}" for k in KINDS) + "  result"
    print(header)
    print("-" * len(header))
    for path in files:
        bench_id, direct = direct_counts(path)
        row = ours.get(path, {"error": "no output"})
        if "error" in row:
            cells = " ".join(f"{'-':>8}/{direct[k]:<8}" for k in KINDS)
            verdict = "FAIL " + row["error"].splitlines()[0]
        else:
            cells = " ".join(f"{row[k]:>8}/{direct[k]:<8}" for k in KINDS)
            same = all(row[k] == direct[k] for k in KINDS) and row["benchmark"] == bench_id
            verdict = "OK" if same else "FAIL"
        failures += not verdict.startswith("OK")
        print(f"{os.path.basename(path):34} {str(bench_id):48} {cells}  {verdict}")
    print(f"\n{len(files)} files, {len(files) - failures} OK, {failures} FAIL (cells: stigrun/direct)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
