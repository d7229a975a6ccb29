#!/usr/bin/env bash
# Render stigrun's HTML report for a docker-ee fixture node and screenshot it with headless Chromium.
# Usage: scripts/report-screenshot.sh [OUT.png] [NODE]
#   OUT.png  default /tmp/stigrun-report.png
#   NODE     a directory under tests/fixtures/docker-ee (default: noncompliant); its setup.sh sets owners
#            and modes when run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/stigrun-report.png}
node=$here/tests/fixtures/docker-ee/${2:-noncompliant}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "chromium not found (apt-get install chromium)" >&2; exit 2; }
[ -d "$node" ] || { echo "no fixture node $node" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$(id -u)" -eq 0 ] && [ -f "$node/setup.sh" ]; then sh "$node/setup.sh"; fi
(cd "$here" && cargo build --quiet)
bin=${CARGO_TARGET_DIR:-$here/target}/debug/stigrun
"$bin" eval --benchmark docker-ee --root "$node" --report "$work/report.html" >/dev/null || [ $? -eq 2 ]
# --no-sandbox: containers usually lack the user namespaces Chromium's sandbox needs.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1800 \
    --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "$out"
