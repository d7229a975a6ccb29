#!/bin/bash
# Agreement of stigrun with oscap on SCAP Security Guide OVAL content, evaluated on this host (root /).
#
#   scripts/oval-ssg-agreement.sh [--oscap-only] [--reuse DIR] [--out DIR] [NAME...]
#
# NAME is an SSG product (default: debian11 ubuntu2204 rhel8), read from
# $SSG_CONTENT/ssg-NAME-oval.xml (SSG_CONTENT defaults to /usr/share/xml/scap/ssg/content).
# Per file it prints how long each tool took, the number of definitions, agreements, every
# disagreement, and how many definitions stigrun left at error/unknown where oscap decided true/false.
#   --oscap-only  run only oscap (timings and results for a later comparison)
#   --reuse DIR   take oscap's results from DIR/NAME.oscap.txt instead of running oscap again
#   --out DIR     keep raw outputs there (default: a temporary directory, removed at exit)
# stigrun is $STIGRUN, else `stigrun` on PATH, else $CARGO_TARGET_DIR/debug/stigrun or
# target/debug/stigrun. Exit status 0 when every file agrees completely, 1 otherwise.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
content=${SSG_CONTENT:-/usr/share/xml/scap/ssg/content}
oscap_only=false
reuse=""
out=""
names=()
while [ $# -gt 0 ]; do
    case $1 in
        --oscap-only) oscap_only=true; shift ;;
        --reuse) reuse=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
        *) names+=("$1"); shift ;;
    esac
done
[ ${#names[@]} -gt 0 ] || names=(debian11 ubuntu2204 rhel8)
if [ -z "$out" ]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
else
    mkdir -p "$out"
fi

find_stigrun() {
    if [ -n "${STIGRUN:-}" ]; then echo "$STIGRUN"; return; fi
    if command -v stigrun >/dev/null 2>&1; then command -v stigrun; return; fi
    for candidate in "${CARGO_TARGET_DIR:-$repo/target}/debug/stigrun" "$repo/target/debug/stigrun"; do
        if [ -x "$candidate" ]; then echo "$candidate"; return; fi
    done
    echo "oval-ssg-agreement: no stigrun binary: build it (cargo build) or set STIGRUN" >&2
    exit 2
}

# timed OUTFILE CMD... : runs CMD with stdout to OUTFILE, stderr to OUTFILE.err; prints wall-clock
# and CPU seconds (CPU time is the fairer number on a shared, loaded machine).
timed() {
    local outfile=$1 TIMEFORMAT='%R %U %S' measured
    shift
    measured=$({ time "$@" >"$outfile" 2>"$outfile.err" || true; } 2>&1)
    awk -v m="$measured" 'BEGIN { split(m, t, " "); printf "%.1f s wall, %.1f s cpu (user+sys)", t[1], t[2] + t[3] }'
}

results_of() {
    sed -n 's/^Definition \([^ ]*\): \(.*\)$/\1\t\2/p' "$1" | sort
}

all_agree=true
stigrun_bin=""
$oscap_only || stigrun_bin=$(find_stigrun)
for name in "${names[@]}"; do
    file=$content/ssg-$name-oval.xml
    if [ ! -f "$file" ]; then
        echo "== $name: no file $file"; all_agree=false; continue
    fi
    echo "== $name ($file)"
    if [ -n "$reuse" ]; then
        cp "$reuse/$name.oscap.txt" "$out/$name.oscap.txt"
        echo "oscap: reused $reuse/$name.oscap.txt"
    else
        echo "oscap: $(timed "$out/$name.oscap.txt" oscap oval eval "$file")"
    fi
    results_of "$out/$name.oscap.txt" >"$out/$name.oscap.tsv"
    echo "definitions (oscap): $(wc -l <"$out/$name.oscap.tsv")"
    awk -F'\t' '{ n[$2]++ } END { for (r in n) printf "  oscap %s: %d\n", r, n[r] }' "$out/$name.oscap.tsv" | sort
    if $oscap_only; then continue; fi

    echo "stigrun: $(timed "$out/$name.stigrun.txt" "$stigrun_bin" oval eval "$file" --root /)"
    results_of "$out/$name.stigrun.txt" >"$out/$name.stigrun.tsv"
    join -t $'\t' -a1 -a2 -e missing -o 0,1.2,2.2 "$out/$name.oscap.tsv" "$out/$name.stigrun.tsv" \
        >"$out/$name.joined.tsv"
    awk -F'\t' '
        $2 == $3 { agree++ ; next }
        { differ++; list = list sprintf("    %s: oscap %s, stigrun %s\n", $1, $2, $3) }
        ($2 == "true" || $2 == "false") && ($3 == "error" || $3 == "unknown" || $3 == "missing") { undecided++ }
        END {
            printf "agreements: %d\ndisagreements: %d\n", agree, differ
            printf "stigrun error/unknown/missing where oscap decided true/false: %d\n", undecided
            if (differ > 0) printf "%s", list
        }' "$out/$name.joined.tsv"
    if awk -F'\t' '$2 != $3 { found = 1 } END { exit !found }' "$out/$name.joined.tsv"; then
        all_agree=false
    fi
done
$all_agree
