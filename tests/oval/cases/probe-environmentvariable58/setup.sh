#!/bin/sh
# oscap reads process environments from <root>/proc under OSCAP_PROBE_ROOT and aborts the whole run
# when that directory is missing; an empty one lets it finish (finding no processes).
set -eu
mkdir -p "$1/proc"
