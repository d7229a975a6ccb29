#!/usr/bin/env bash
# Runaway work on hostile input, stigrun against oscap (issue 17): `info` on a benchmark whose
# 10,000 profiles each extend the one before, and `oval eval` of a `path` pattern over a tree of
# 200,000 files (one textfilecontent54 object walking /srv). Median wall time, CPU time and peak
# RSS of RUNS runs per tool (bench/lib.sh); the inputs are generated in a scratch directory.
#
# Environment:
#   STIGRUN  stigrun binary (default: a release build of this checkout)
#   RUNS     runs per tool and input (default 3)
#   PROFILES profiles in the extends chain (default 10000)
#   FILES    files in the tree (default 200000)
# oscap scans the tree as an offline root through OSCAP_PROBE_ROOT.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

runs=${RUNS:-3}
profiles=${PROFILES:-10000}
files=${FILES:-200000}
stigrun=$(stigrun_binary)

# A benchmark with a chain of $profiles profiles (p0 ← p1 ← … ), one rule.
python3 - "$scratch/profiles.xml" "$profiles" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write('<?xml version="1.0"?>\n<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="b" resolved="1">'
            '<status>accepted</status><title>t</title><version>1</version>\n')
    for i in range(n):
        ext = f' extends="p{i-1}"' if i else ""
        f.write(f'<Profile id="p{i}"{ext}><title>p{i}</title><select idref="r1" selected="{str(i % 2 == 0).lower()}"/></Profile>\n')
    f.write('<Rule id="r1" severity="low"><title>r</title></Rule></Benchmark>\n')
PY

# A root with $files files in 1000-file directories under /srv, and an OVAL document whose one
# object walks /srv for files named f1.conf holding a line starting with x.
python3 - "$scratch/root" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "srv", f"d{i // 1000}")
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i % 1000}.conf"), "w") as f:
        f.write("x\n")
PY
cp tests/hostile/path-walk.xml "$scratch/walk.xml"

row() { # name tool command…
  local name=$1 tool=$2 figures
  shift 2
  if figures=$(measure "$@"); then
    read -r wall cpu kib <<<"$figures"
    printf '| %s | %s | %s | %s | %.1f |\n' "$name" "$tool" "$wall" "$cpu" "$(awk -v k="$kib" 'BEGIN { print k / 1024 }')"
  else
    printf '| %s | %s | failed: %s | | |\n' "$name" "$tool" "$(head -c 200 "$scratch/stderr" | tr '\n' ' ')"
  fi
}

echo "| input | tool | wall s | CPU s | peak RSS MB |"
echo "|---|---|---|---|---|"
row "info, $profiles-profile extends chain" stigrun "$stigrun" info --benchmark "$scratch/profiles.xml"
row "info, $profiles-profile extends chain" oscap oscap info "$scratch/profiles.xml"
row "oval eval, path walk over $files files" stigrun "$stigrun" oval eval "$scratch/walk.xml" --root "$scratch/root"
row "oval eval, path walk over $files files" oscap env OSCAP_PROBE_ROOT="$scratch/root" oscap oval eval "$scratch/walk.xml"
