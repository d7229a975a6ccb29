#!/bin/bash
# Runs oscap and stigrun on one OVAL definitions file and prints their results side by side.
#
#   scripts/oval-diff.sh CASE                     a case under tests/oval/cases (name or directory)
#   scripts/oval-diff.sh DEFINITIONS.xml [ROOT]   any file; ROOT defaults to / (the live host)
#   scripts/oval-diff.sh --record CASE...|--all   rewrite CASE/expected.txt from oscap (no stigrun run)
#
# stigrun is $STIGRUN if set, else `stigrun` on PATH, else $CARGO_TARGET_DIR/debug/stigrun or
# target/debug/stigrun. Exit status: 0 when both agree on every definition, 1 otherwise.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cases_dir=$repo/tests/oval/cases
# Both tools see the same environment; the environmentvariable58 cases look for this variable.
export STIGRUN_CASE_VAR=differential
export LC_ALL=C

die() { echo "oval-diff: $*" >&2; exit 2; }

find_stigrun() {
    if [ -n "${STIGRUN:-}" ]; then echo "$STIGRUN"; return; fi
    if command -v stigrun >/dev/null 2>&1; then command -v stigrun; return; fi
    for candidate in "${CARGO_TARGET_DIR:-$repo/target}/debug/stigrun" "$repo/target/debug/stigrun"; do
        if [ -x "$candidate" ]; then echo "$candidate"; return; fi
    done
    die "no stigrun binary: build it (cargo build) or set STIGRUN"
}

# Resolves a case name or directory to its directory; prints nothing for a plain file.
case_dir_of() {
    if [ -d "$1" ] && [ -f "$1/definitions.xml" ]; then (cd "$1" && pwd); return; fi
    if [ -d "$cases_dir/$1" ]; then echo "$cases_dir/$1"; return; fi
}

# run_oscap DEFS ROOT VARS -> Definition lines on stdout
run_oscap() {
    local defs=$1 root=$2 vars=$3 args=()
    [ -n "$vars" ] && args+=(--variables "$vars")
    if [ "$root" = / ]; then
        oscap oval eval "${args[@]}" "$defs"
    else
        OSCAP_PROBE_ROOT=$root oscap oval eval "${args[@]}" "$defs"
    fi
}

run_stigrun() {
    local defs=$1 root=$2 vars=$3 args=(--root "$root")
    [ -n "$vars" ] && args+=(--variables "$vars")
    "$stigrun_bin" oval eval "$defs" "${args[@]}"
}

# Keeps "ID RESULT" pairs, sorted by ID, from `Definition ID: RESULT` lines.
definition_results() {
    sed -n 's/^Definition \([^ ]*\): \(.*\)$/\1 \2/p' | sort
}

record() {
    local dir
    dir=$(case_dir_of "$1")
    [ -n "$dir" ] || die "no case \`$1\`"
    local tmp vars=""
    tmp=$(mktemp -d)
    "$repo/tests/oval/prepare-root.sh" "$dir" "$tmp/root"
    [ -f "$dir/variables.xml" ] && vars=$dir/variables.xml
    run_oscap "$dir/definitions.xml" "$tmp/root" "$vars" 2>"$tmp/stderr" >"$dir/expected.txt" || {
        cat "$tmp/stderr" >&2; rm -rf "$tmp"; die "oscap failed on \`$1\`"; }
    rm -rf "$tmp"
    echo "recorded $(basename "$dir"): $(grep -c '^Definition ' "$dir/expected.txt") definitions"
}

if [ "${1:-}" = --record ]; then
    shift
    if [ "${1:-}" = --all ]; then
        set -- "$cases_dir"/*/
    fi
    [ $# -gt 0 ] || die "--record needs a case name or --all"
    for c in "$@"; do record "${c%/}"; done
    exit 0
fi

[ $# -ge 1 ] || die "usage: oval-diff.sh [--record] CASE|DEFINITIONS.xml [ROOT]"
stigrun_bin=$(find_stigrun)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$(case_dir_of "$1")
vars=""
if [ -n "$dir" ]; then
    defs=$dir/definitions.xml
    root=$tmp/root
    "$repo/tests/oval/prepare-root.sh" "$dir" "$root"
    [ -f "$dir/variables.xml" ] && vars=$dir/variables.xml
else
    [ -f "$1" ] || die "no such case or file: $1"
    defs=$1
    root=${2:-/}
fi

run_oscap "$defs" "$root" "$vars" 2>"$tmp/oscap.err" | definition_results >"$tmp/oscap" || true
run_stigrun "$defs" "$root" "$vars" 2>"$tmp/stigrun.err" | definition_results >"$tmp/stigrun" || true

join -a1 -a2 -e '(missing)' -o 0,1.2,2.2 -t $'\t' \
    <(sed 's/ /\t/' "$tmp/oscap") <(sed 's/ /\t/' "$tmp/stigrun") >"$tmp/joined"
printf '%-44s %-16s %-16s\n' definition oscap stigrun
differ=0
while IFS=$'\t' read -r id o s; do
    mark=""
    if [ "$o" != "$s" ]; then mark="  <-- differs"; differ=$((differ + 1)); fi
    printf '%-44s %-16s %-16s%s\n' "$id" "$o" "$s" "$mark"
done <"$tmp/joined"
echo "$(wc -l <"$tmp/joined") definitions, $differ differ"
for tool in oscap stigrun; do
    if [ -s "$tmp/$tool.err" ]; then
        echo "--- $tool stderr (first 10 lines)"; head -n 10 "$tmp/$tool.err"
    fi
done
[ "$differ" -eq 0 ]
