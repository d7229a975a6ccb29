#!/usr/bin/env bash
# Make SSG's Debian 11 data stream applicable to a Debian 12 host: its OS test matches
# /etc/debian_version against `^11.[0-9]+$`; widen it to 11 or 12. Nothing else changes.
# Usage: scripts/debian11-ds-for-debian12.sh [OUT] (default /tmp/ssg-debian11-ds-on-12.xml)
set -euo pipefail
src=/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml
out=${1:-/tmp/ssg-debian11-ds-on-12.xml}
sed 's/\^11\.\[0-9\]+\$/^1[12]\\.[0-9]+$/g' "$src" > "$out"
echo "$out"
