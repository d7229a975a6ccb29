#!/bin/sh
# Stands in for `stigrun oval eval FILE --root DIR [--variables VARS] [--id DEF] [--results OUT]` by
# running oscap with OSCAP_PROBE_ROOT, to prove the differential harness before stigrun can evaluate:
#   STIGRUN=$PWD/tests/oval/shims/oscap-as-stigrun.sh cargo test --test oval_differential
# With it every difference comes from the allowlist's oscap limitations, so expect exactly the
# allowlist entries to be reported as stale.
set -eu
if [ "${1:-}" != oval ] || [ "${2:-}" != eval ]; then
    echo "oscap-as-stigrun: only \`oval eval\` is supported" >&2
    exit 1
fi
shift 2
definitions=""
root=/
set -- "$@" --end--
while [ "$1" != --end-- ]; do
    case $1 in
        --root) root=$2; shift 2 ;;
        --variables | --id | --results) set -- "$@" "$1" "$2"; shift 2 ;;
        *) definitions=$1; shift ;;
    esac
done
shift
[ -n "$definitions" ] || { echo "oscap-as-stigrun: no definitions file" >&2; exit 1; }
if [ "$root" = / ]; then
    exec oscap oval eval "$@" "$definitions"
fi
OSCAP_PROBE_ROOT=$root exec oscap oval eval "$@" "$definitions"
