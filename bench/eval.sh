#!/usr/bin/env bash
# Times `stigrun eval` against `oscap xccdf eval` on the same data stream, host and machine in one run:
# SSG's Debian 11 data stream made applicable to Debian 12 (scripts/debian11-ds-for-debian12.sh),
# (a) the standard profile and (b) a tailoring that selects all rules. Median of RUNS runs each
# (default 5) with peak RSS; ratios oscap/stigrun (time) and stigrun/oscap (memory).
# Environment: STIGRUN (binary; default: a release build), RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
# shellcheck source=bench/lib.sh
source bench/lib.sh

stigrun=$(stigrun_binary)
ds=$(scripts/debian11-ds-for-debian12.sh "$scratch/ds.xml")
tailoring=$scratch/all.xml
python3 - "$ds" "$tailoring" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
ids = re.findall(r'<xccdf-1.2:(?:Rule|Group)\b[^>]*?\bid="([^"]+)"', text)
sel = "".join(f'<xccdf:select idref="{i}" selected="true"/>' for i in ids)
open(sys.argv[2], "w").write(f'''<xccdf:Tailoring xmlns:xccdf="http://checklists.nist.gov/xccdf/1.2" id="xccdf_io.stigrun_tailoring_all">
<xccdf:benchmark href="{sys.argv[1]}"/><xccdf:version time="2026-11-27T00:00:00">1</xccdf:version>
<xccdf:Profile id="xccdf_io.stigrun_profile_all_rules"><xccdf:title>all</xccdf:title>{sel}</xccdf:Profile></xccdf:Tailoring>''')
PY

# oscap and stigrun exit 2 when a rule fails: that is a result, not a failure of the run.
# (A script, not a function: /usr/bin/time runs programs. Its RSS is the child's, via wait4.)
printf '#!/bin/sh\n"$@"; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 2 ]\n' >"$scratch/ok2"
chmod +x "$scratch/ok2"

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), median of $runs runs"
echo "# oscap: $(oscap --version | head -n1); stigrun: $stigrun"
echo
echo "| case | oscap wall s | oscap CPU s | oscap RSS MB | stigrun wall s | stigrun CPU s | stigrun RSS MB | wall oscap/stigrun | RSS stigrun/oscap |"
echo "|---|---|---|---|---|---|---|---|---|"
row() {
  local name=$1 o s
  shift
  read -r -a o < <(measure "$scratch/ok2" oscap xccdf eval "$@" --results "$scratch/r.xml" "$ds")
  read -r -a s < <(measure "$scratch/ok2" "$stigrun" eval "$@" --json "$scratch/r.json" --benchmark "$ds")
  awk -v n="$name" -v ow="${o[0]}" -v oc="${o[1]}" -v ok="${o[2]}" -v sw="${s[0]}" -v sc="${s[1]}" -v sk="${s[2]}" \
    'BEGIN { printf "| %s | %.2f | %.2f | %.1f | %.2f | %.2f | %.1f | %.1f× | %.2f× |\n", n, ow, oc, ok/1024, sw, sc, sk/1024, ow/sw, sk/ok }'
}
rules=$(grep -c '<xccdf-1.2:Rule ' "$ds" || true)
row "standard profile" --profile standard
row "all $rules rules (tailoring)" \
  --tailoring-file "$tailoring" --profile xccdf_io.stigrun_profile_all_rules
