#!/usr/bin/env bash
# Checklist writing for a 2,000-rule result (issue 12): the built-in Docker EE STIG is scanned once on
# the non-compliant fixture node (101 rules, with their evidence), and its JSON results are grown to
# 2,000 rules by copying rules under new ids (each copy keeps its evidence links). Then
# `stigrun report --from` writes each hand-in format RUNS times (default 5). Prints median wall/CPU
# time, peak RSS and output size. Environment: STIGRUN (binary), RUNS, RULES (default 2000).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
rules=${RULES:-2000}
# shellcheck source=bench/lib.sh
source bench/lib.sh

stigrun=$(stigrun_binary)
"$stigrun" eval --benchmark docker-ee --root tests/fixtures/docker-ee/noncompliant \
  --json "$scratch/r.json" >/dev/null 2>&1 || [ $? -eq 2 ]
python3 - "$scratch/r.json" "$scratch/big.json" "$rules" <<'PY'
import json, sys
src, dst, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = json.load(open(src))
base = doc["rules"]
out = []
for i in range(want):
    rule = json.loads(json.dumps(base[i % len(base)]))
    copy = i // len(base)
    if copy:
        # New V-, SV- and STIG ids per copy: 2,000 distinct checklist rules.
        n = 900000 + i
        rule["rule_id"] = f"SV-{n}r1_rule"
        rule["group_id"] = f"V-{n}"
        rule["version"] = f"{rule.get('version') or 'X'}-{copy}"
    out.append(rule)
doc["rules"] = out
json.dump(doc, open(dst, "w"))
PY

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), median of $runs runs"
echo "# stigrun: $stigrun; $rules rules (Docker EE scan grown by copying rules)"
echo
echo "| format | wall s | CPU s | RSS MB | size bytes |"
echo "|---|---|---|---|---|"
for format in ckl cklb hdf emass-csv emass-xlsx json; do
  out="$scratch/out.$format"
  read -r -a m < <(measure "$stigrun" report --from "$scratch/big.json" --format "$format" --out "$out")
  awk -v n="$format" -v w="${m[0]}" -v c="${m[1]}" -v k="${m[2]}" -v s="$(stat -c %s "$out")" \
    'BEGIN { printf "| %s | %.3f | %.2f | %.1f | %d |\n", n, w, c, k/1024, s }'
done
