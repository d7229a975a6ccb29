#!/usr/bin/env bash
# HTML report: stigrun against oscap for the same evaluation, same machine, one run.
# SSG's Debian 11 data stream made applicable to Debian 12 (scripts/debian11-ds-for-debian12.sh), standard
# profile. Each tool evaluates once and saves its results (oscap: ARF; stigrun: JSON); then the report is
# rendered from the saved results RUNS times (default 5): `oscap xccdf generate report ARF` against
# `stigrun report --from JSON --format html`, and also `stigrun report --from ARF` (oscap's ARF).
# Prints median wall/CPU time, peak RSS and the report sizes. Environment: STIGRUN (binary), RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
# shellcheck source=bench/lib.sh
source bench/lib.sh

stigrun=$(stigrun_binary)
ds=$(scripts/debian11-ds-for-debian12.sh "$scratch/ds.xml")
oscap xccdf eval --profile standard --results-arf "$scratch/oscap-arf.xml" "$ds" >/dev/null 2>&1 || [ $? -eq 2 ]
"$stigrun" eval --benchmark "$ds" --profile standard --json "$scratch/r.json" >/dev/null 2>&1 || [ $? -eq 2 ]

# `oscap xccdf generate report` writes to stdout; a script so /usr/bin/time can run it with a redirect.
printf '#!/bin/sh\nexec oscap xccdf generate report --output "$2" "$1"\n' >"$scratch/oscap-report"
chmod +x "$scratch/oscap-report"

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), median of $runs runs"
echo "# oscap: $(oscap --version | head -n1); stigrun: $stigrun"
echo
echo "| report | from | wall s | CPU s | RSS MB | size bytes |"
echo "|---|---|---|---|---|---|"
row() {
  local name=$1 from=$2 out=$3 m
  shift 3
  read -r -a m < <(measure "$@")
  awk -v n="$name" -v f="$from" -v w="${m[0]}" -v c="${m[1]}" -v k="${m[2]}" -v s="$(stat -c %s "$out")" \
    'BEGIN { printf "| %s | %s | %.3f | %.2f | %.1f | %d |\n", n, f, w, c, k/1024, s }'
}
row "oscap xccdf generate report" "oscap ARF" "$scratch/oscap.html" "$scratch/oscap-report" "$scratch/oscap-arf.xml" "$scratch/oscap.html"
row "stigrun report --format html" "stigrun JSON" "$scratch/stigrun.html" \
  "$stigrun" report --from "$scratch/r.json" --format html --out "$scratch/stigrun.html"
row "stigrun report --format html" "oscap ARF" "$scratch/stigrun-from-arf.html" \
  "$stigrun" report --from "$scratch/oscap-arf.xml" --format html --out "$scratch/stigrun-from-arf.html"
