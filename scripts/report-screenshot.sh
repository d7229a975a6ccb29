#!/usr/bin/env bash
# Render stigrun's HTML report for a fixture run and screenshot it with headless Chromium.
# Usage: scripts/report-screenshot.sh [OUT.png] (default /tmp/stigrun-report.png)
# Scans the SSG Debian 11 data stream (widened for Debian 12 hosts) with the standard profile.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/stigrun-report.png}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "chromium not found (apt-get install chromium)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ds=$("$here/scripts/debian11-ds-for-debian12.sh" "$work/ds.xml")
(cd "$here" && cargo build --quiet)
bin=${CARGO_TARGET_DIR:-$here/target}/debug/stigrun
"$bin" eval --benchmark "$ds" --profile standard --report "$work/report.html" >/dev/null || [ $? -eq 2 ]
# --no-sandbox: containers usually lack the user namespaces Chromium's sandbox needs.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1800 \
    --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "$out"
