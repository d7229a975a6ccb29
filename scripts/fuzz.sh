#!/usr/bin/env bash
# Run cargo-fuzz targets for a given time each, one after another, from seed corpora built out of
# the repository's own test files.
#
#   scripts/fuzz.sh [TARGET…] SECONDS        (no target: all of them)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Corpora grow in
# fuzz/corpus/TARGET (not committed); a crash is written to fuzz/artifacts/TARGET and ends the run
# with a non-zero exit: turn it into a regression test beside the code it broke, then fix.
# Environment: FUZZ_JOBS (parallel targets, default 1), FUZZ_RSS_MB (default 2048), FUZZ_LOGS
# (a directory for one log per target; default: the terminal).
set -euo pipefail

cd "$(dirname "$0")/.."
ALL=(loader oval_loader yaml_json regex results_import answers rpm_header rpmdb_bdb rpmdb_ndb)

if [[ $# -lt 1 || ! "${!#}" =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh [TARGET…] SECONDS   (targets: ${ALL[*]})" >&2
    exit 1
fi
seconds="${!#}"
targets=("${@:1:$#-1}")
[[ ${#targets[@]} -eq 0 ]] && targets=("${ALL[@]}")

# Inputs larger than this are cut when read: big real files still seed coverage, and each run
# stays fast enough to explore.
max_len() {
    case "$1" in
        regex) echo 4096 ;;
        answers | yaml_json | rpm_header) echo 16384 ;;
        *) echo 65536 ;;
    esac
}

# The seed corpus of a target: fuzz/seeds/TARGET plus matching test files.
seed() {
    local target="$1" dir="fuzz/corpus/$1"
    mkdir -p "$dir"
    if [[ -d "fuzz/seeds/$target" ]]; then cp -n fuzz/seeds/"$target"/* "$dir"/ 2>/dev/null || true; fi
    local f i=0
    case "$target" in
        loader)
            while IFS= read -r f; do cp -n "$f" "$dir/" || true; done < <(
                find tests/fixtures/bad tests/data/stig -name '*.xml' -size -200k)
            ;;
        oval_loader)
            while IFS= read -r f; do i=$((i + 1)); cp -n "$f" "$dir/case-$i.xml" || true; done < <(
                find tests/oval/cases -name '*.xml' -size -64k | sort)
            ;;
        yaml_json)
            # The first line of an input is the YAML path.
            while IFS= read -r f; do
                i=$((i + 1))
                [[ -e "$dir/daemon-$i" ]] || { printf '.log-driver\n'; cat "$f"; } > "$dir/daemon-$i"
            done < <(find tests/fixtures -name 'daemon.json' -size -16k | sort)
            ;;
        results_import)
            while IFS= read -r f; do cp -n "$f" "$dir/" || true; done < <(
                find tests/data/results tests/data/hdf -type f \( -name '*.xml' -o -name '*.json' \) 2>/dev/null)
            ;;
        rpmdb_bdb)
            while IFS= read -r f; do i=$((i + 1)); cp -n "$f" "$dir/packages-$i" || true; done < <(
                find tests/fixtures/rpmdb tests/oval/cases/probe-rpminfo-bdb -name Packages | sort)
            ;;
        rpmdb_ndb) cp -n tests/fixtures/rpmdb/ndb/var/lib/rpm/Packages.db "$dir/" || true ;;
    esac
}

run() {
    local target="$1" log=/dev/stdout
    seed "$target"
    if [[ -n "${FUZZ_LOGS:-}" ]]; then mkdir -p "$FUZZ_LOGS"; log="$FUZZ_LOGS/$target.log"; fi
    cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -max_len="$(max_len "$target")" \
        -timeout=30 -print_final_stats=1 >"$log" 2>&1
}

cargo +nightly fuzz build >/dev/null
status=0
jobs="${FUZZ_JOBS:-1}"
pids=()
for target in "${targets[@]}"; do
    run "$target" &
    pids+=($!)
    if [[ ${#pids[@]} -ge $jobs ]]; then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit "$status"
