#!/usr/bin/env bash
# Times `stigrun oval eval` against `oscap oval eval` on SSG's OVAL files on this host (root /),
# same machine, one run: median of RUNS runs (default 5) with peak RSS, and the ratios.
# Environment: STIGRUN (binary; default: a release build), RUNS. Arguments: OVAL files.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
# shellcheck source=bench/lib.sh
source bench/lib.sh

stigrun=$(stigrun_binary)
files=("$@")
((${#files[@]})) || files=(/usr/share/xml/scap/ssg/content/ssg-{debian11,ubuntu2204,rhel8}-oval.xml)

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), median of $runs runs"
echo "# oscap: $(oscap --version | head -n1); stigrun: $stigrun"
echo
echo "| definitions file | definitions | oscap wall s | oscap CPU s | oscap RSS MB | stigrun wall s | stigrun CPU s | stigrun RSS MB | wall oscap/stigrun | RSS stigrun/oscap |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for f in "${files[@]}"; do
  n=$(grep -c '<definition ' "$f" || true)
  read -r -a o < <(measure oscap oval eval "$f")
  read -r -a s < <(measure "$stigrun" oval eval "$f")
  awk -v n="$(basename "$f")" -v d="$n" -v ow="${o[0]}" -v oc="${o[1]}" -v ok="${o[2]}" -v sw="${s[0]}" -v sc="${s[1]}" -v sk="${s[2]}" \
    'BEGIN { printf "| %s | %d | %.2f | %.2f | %.1f | %.2f | %.2f | %.1f | %.1f× | %.2f× |\n", n, d, ow, oc, ok/1024, sw, sc, sk/1024, ow/sw, sk/ok }'
done
