#!/usr/bin/env bash
# Times `stigrun merge` over NODES (default 10000) generated per-node results of the docker-ee
# benchmark, evidence included, against a naive baseline that loads every file whole and keeps it
# (examples/merge-load-all.rs) over BASELINE_NODES (default 1000: holding 10,000 whole results
# would take tens of GB). Median of RUNS runs (default 3): wall, CPU, peak RSS (/usr/bin/time).
#
# The nodes come from one real scan (`stigrun eval --root` of tests/fixtures/docker-ee/compliant,
# run as root for its setup.sh): each copy gets its own host name and machine id, and about one
# rule in eleven flips between pass and fail, differently per node. The files are written as
# `eval --json` writes them (pretty JSON, about 0.8 MB each: NODES=10000 needs about 8 GB in TMPDIR).
# Environment: STIGRUN (binary; default: a release build), NODES, BASELINE_NODES, RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
nodes=${NODES:-10000}
baseline_nodes=${BASELINE_NODES:-1000}
# shellcheck source=bench/lib.sh
source bench/lib.sh

stigrun=$(stigrun_binary)
cargo build --release --quiet --example merge-load-all
baseline="${CARGO_TARGET_DIR:-target}/release/examples/merge-load-all"

node=$scratch/node
cp -a tests/fixtures/docker-ee/compliant "$node"
sh "$node/setup.sh"
"$stigrun" eval --benchmark docker-ee --root "$node" --hostname BENCHHOST --json "$scratch/base.json" >/dev/null || [ $? -eq 2 ]

generate() { # $1 directory, $2 number of nodes
  mkdir -p "$1"
  python3 - "$scratch/base.json" "$1" "$2" <<'PY'
import re, sys
base, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(base).read()
rules_end = text.index('\n  "counts":')
# Cut the text where each node differs: its host name (a machine id goes after it) and the
# result of each rule (the rules' results are lowercase, the OVAL ones capitalised).
cuts = [(m.start(1), m.end(1), "host") for m in re.finditer(r'\n    "hostname": ("BENCHHOST"),', text)]
cuts += [(m.start(1), m.end(1), m.group(1)) for m in re.finditer(r'\n      "result": "(pass|fail)",', text[:rules_end])]
cuts.sort()
pieces, kinds, at = [], [], 0
for start, end, kind in cuts:
    pieces.append(text[at:start]); kinds.append(kind); at = end
tail = text[at:]
for i in range(count):
    parts = []
    for j, (piece, kind) in enumerate(zip(pieces, kinds)):
        parts.append(piece)
        if kind == "host":
            parts.append(f'"node-{i:05d}.example.mil",\n    "machine_id": "{i:032x}"')
        else:
            flip = (i + 7 * j) % 11 == 0
            parts.append({"pass": "fail", "fail": "pass"}[kind] if flip else kind)
    parts.append(tail)
    with open(f"{out}/node-{i:05d}.json", "w") as f:
        f.write("".join(parts))
PY
}

start=$EPOCHREALTIME
generate "$scratch/fleet" "$nodes"
echo "# generated $nodes nodes in $(awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.0f", e - s }') s: $(du -sh "$scratch/fleet" | cut -f1)"
mkdir -p "$scratch/small"
for ((i = 0; i < baseline_nodes; i++)); do
  cp "$(printf '%s/fleet/node-%05d.json' "$scratch" "$i")" "$scratch/small/"
done

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), median of $runs runs"
echo "# stigrun: $stigrun ($("$stigrun" --version | head -n1))"
echo
echo "| what | nodes | wall s | CPU s | peak RSS MB |"
echo "|---|---|---|---|---|"
row() {
  local name=$1 count=$2 m
  shift 2
  if ! read -r -a m < <(measure "$@"); then
    echo "bench: $name failed: $(cat "$scratch/stderr")" >&2
    exit 1
  fi
  printf '| %s | %s | %s | %s | %.1f |\n' "$name" "$count" "${m[0]}" "${m[1]}" "$(awk -v k="${m[2]}" 'BEGIN { print k / 1024 }')"
}
row "naive: load every file whole (merge-load-all)" "$baseline_nodes" "$baseline" "$scratch/small"
row "stigrun merge --from-dir, --json and --html" "$baseline_nodes" "$stigrun" merge --from-dir "$scratch/small" --json "$scratch/f.json" --html "$scratch/f.html"
row "stigrun merge --from-dir, --json and --html" "$nodes" "$stigrun" merge --from-dir "$scratch/fleet" --json "$scratch/f.json" --html "$scratch/f.html"
