#!/usr/bin/env bash
# Evaluates every docker-ee node check (content/docker-ee/checks/*.xml) with OpenSCAP against every fixture
# host (tests/fixtures/docker-ee/<node>/) and compares with the node's expected.csv.
#
# usage: scripts/docker-ee-oscap.sh [node ...]        (default: every node that has an expected.csv)
# env:   KEEP=1 keeps the OVAL results files (path printed at the end)
#
# Needs root: setup.sh chowns fixture files, and oscap chroots into OSCAP_PROBE_ROOT only as root. Each node
# is copied to a scratch directory first, so the checked-in tree is never chowned or chmodded.
# Exit status: 0 all results as expected, 1 a mismatch, 2 a usage or environment problem.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
checks_dir=$repo/content/docker-ee/checks
fixtures=$repo/tests/fixtures/docker-ee
values=$repo/content/docker-ee/values.toml
decisions=$repo/content/docker-ee/decisions.csv

command -v oscap >/dev/null || { echo "oscap not found" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 not found" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (fixture owners, oscap chroot)" >&2; exit 2; }

work=$(mktemp -d)
if [ "${KEEP:-}" != 1 ]; then trap 'rm -rf "$work"' EXIT; fi

# OVAL variables file from the defaults in values.toml, overridden by <node>/values.toml when a node has one
# (same xccdf_value_id, new `default`). Every external variable a check declares must be listed in
# values.toml, or the assembled benchmark would have a value nobody can set.
write_vars() { # $1 output file, $2 optional override file
  python3 - "$values" "$checks_dir" "$1" "${2:-}" <<'PY'
import glob, re, sys, tomllib
from xml.sax.saxutils import escape
values_path, checks_dir, out, override_path = sys.argv[1:]
with open(values_path, "rb") as f:
    values = tomllib.load(f)["value"]
if override_path:
    with open(override_path, "rb") as f:
        overrides = {v["xccdf_value_id"]: v["default"] for v in tomllib.load(f)["value"]}
    unknown = set(overrides) - {v["xccdf_value_id"] for v in values}
    if unknown:
        sys.exit(f"{override_path}: unknown values {sorted(unknown)}")
    for v in values:
        v["default"] = overrides.get(v["xccdf_value_id"], v["default"])
declared = {}
for path in glob.glob(f"{checks_dir}/*.xml"):
    for m in re.finditer(r'<external_variable id="([^"]+)"[^>]*datatype="([^"]+)"', open(path).read()):
        declared[m.group(1)] = m.group(2)
listed = {v: val for val in values for v in val["oval_variables"]}
missing = sorted(set(declared) - set(listed))
stale = sorted(set(listed) - set(declared))
if missing or stale:
    sys.exit(f"values.toml out of step with checks: missing {missing}, not declared by any check {stale}")
lines = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<oval_variables xmlns="http://oval.mitre.org/XMLSchema/oval-variables-5" '
         'xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5">',
         '  <generator><oval:schema_version>5.11.3</oval:schema_version>'
         '<oval:timestamp>2026-11-27T00:00:00</oval:timestamp></generator>', '  <variables>']
for var_id, val in sorted(listed.items()):
    if declared[var_id] != val["type"]:
        sys.exit(f"{var_id}: values.toml type {val['type']} but the check declares {declared[var_id]}")
    if not val["default"] or any(v == "" for v in val["default"]):
        sys.exit(f"{val['xccdf_value_id']}: OVAL variables need at least one non-empty value")
    body = "".join(f"<value>{escape(v)}</value>" for v in val["default"])
    lines.append(f'    <variable id="{var_id}" datatype="{val["type"]}" comment="{val["xccdf_value_id"]}">{body}</variable>')
lines += ['  </variables>', '</oval_variables>']
open(out, "w").write("\n".join(lines) + "\n")
PY
}
write_vars "$work/vars.xml"

if [ $# -gt 0 ]; then
  nodes=("$@")
else
  nodes=()
  for d in "$fixtures"/*/; do [ -f "$d/expected.csv" ] && nodes+=("$(basename "$d")"); done
fi
[ ${#nodes[@]} -gt 0 ] || { echo "no fixture nodes found under $fixtures" >&2; exit 2; }

# node rules according to decisions.csv must be exactly the check files
python3 - "$decisions" "$checks_dir" <<'PY'
import csv, os, sys
decisions, checks_dir = sys.argv[1:]
node = {r["stig_id"] for r in csv.DictReader(open(decisions)) if r["check"] == "node"}
files = {f[:-4] for f in os.listdir(checks_dir) if f.endswith(".xml")}
if node != files:
    sys.exit(f"decisions.csv node rules and check files differ: only in csv {sorted(node - files)}, "
             f"only files {sorted(files - node)}")
PY

checks=("$checks_dir"/*.xml)
echo "evaluating ${#checks[@]} automated (node) checks on ${#nodes[@]} fixture nodes: ${nodes[*]}"

: > "$work/actual.csv"   # node,stig_id,result
mkdir "$work/roots"
for node in "${nodes[@]}"; do
  [ -f "$fixtures/$node/expected.csv" ] || { echo "$node: no expected.csv" >&2; exit 2; }
  root=$work/roots/$node
  cp -a "$fixtures/$node" "$root"
  if [ -f "$root/setup.sh" ]; then sh "$root/setup.sh"; fi
  vars=$work/vars.xml
  if [ -f "$root/values.toml" ]; then vars=$work/$node.vars.xml; write_vars "$vars" "$root/values.toml"; fi
  for check in "${checks[@]}"; do
    stig=$(basename "$check" .xml)
    out=$(OSCAP_PROBE_ROOT=$root oscap oval eval --variables "$vars" \
          --results "$work/$node.$stig.results.xml" "$check" 2>"$work/$node.$stig.stderr") || true
    # "Definition oval:...: true|false|error|unknown|not evaluated|not applicable"
    res=$(printf '%s\n' "$out" | sed -n 's/^Definition oval:[^ ]*: //p' | head -n1)
    case "$res" in
      true) res=pass ;; false) res=fail ;; "") res="oscap-failed" ;; *) res=${res// /-} ;;
    esac
    echo "$node,$stig,$res" >> "$work/actual.csv"
  done
done

status=0
python3 - "$work/actual.csv" "$fixtures" "$decisions" "${nodes[@]}" <<'PY' || status=$?
import csv, sys
actual_path, fixtures, decisions, *nodes = sys.argv[1:]
actual = {}
for node, stig, res in csv.reader(open(actual_path)):
    actual[(node, stig)] = res
rules = list(csv.DictReader(open(decisions)))
mismatches, differs = [], []
table = {}
for node in nodes:
    rows = {r["stig_id"]: r for r in csv.DictReader(open(f"{fixtures}/{node}/expected.csv"))}
    missing = [r["stig_id"] for r in rules if r["stig_id"] not in rows]
    if missing:
        mismatches.append(f"{node}: expected.csv lacks {len(missing)} rules, e.g. {missing[:3]}")
    for r in rules:
        stig = r["stig_id"]
        exp = rows.get(stig, {}).get("expected", "?")
        if r["check"] != "node":
            if exp != "notchecked":
                mismatches.append(f"{node} {stig}: {r['check']} rule must be expected notchecked, not {exp}")
            continue
        got = actual.get((node, stig), "not-run")
        # `oscap` column: oscap's known, different result (stigrun's is `expected`).
        known = rows.get(stig, {}).get("oscap") or ""
        want = known or exp
        ok = got == want
        table[(node, stig)] = (f"{got}~" if known else got) if ok else f"{got}!={want}"
        if ok and known:
            differs.append(f"{node} {stig}: oscap gives {got}, stigrun {exp}; {rows[stig].get('note', '')}")
        if not ok:
            mismatches.append(f"{node} {stig}: expected oscap to give {want}, it gives {got}")
node_rules = [r["stig_id"] for r in rules if r["check"] == "node"]
w = max(len(n) for n in nodes) + 2
w = max(w, 16)
print("stig_id".ljust(16) + "".join(n.ljust(w) for n in nodes))
for stig in node_rules:
    print(stig.ljust(16) + "".join(table.get((n, stig), "-").ljust(w) for n in nodes))
counts = {}
for r in rules:
    counts[r["check"]] = counts.get(r["check"], 0) + 1
print(f"\nrules: {len(rules)}; automated on the node (OVAL): {counts.get('node', 0)}; "
      f"api: {counts.get('api', 0)}; manual: {counts.get('manual', 0)}")
for n in nodes:
    tally = {}
    for stig in node_rules:
        res = actual.get((n, stig), "not-run")
        tally[res] = tally.get(res, 0) + 1
    print(f"  {n}: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
for d in differs:
    print(f"known difference (~): {d}")
if mismatches:
    print(f"\n{len(mismatches)} mismatch(es):")
    for m in mismatches:
        print(f"  {m}")
    sys.exit(1)
print("\nall results as expected")
PY
if [ "${KEEP:-}" = 1 ]; then echo "results kept in $work"; fi
exit $status
