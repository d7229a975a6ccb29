#!/usr/bin/env bash
# Scan of a node with 200 containers from a snapshot (tests/fixtures/docker-engine/noncompliant with
# its workload container copied 200 times under new ids and names), every output written: JSON,
# XCCDF results, ARF (with the source data stream) and the HTML report. Prints median wall time, CPU
# time and peak RSS over RUNS runs (default 5).
#
# usage: bench/engine.sh        (STIGRUN=path/to/stigrun to use a given binary; CONTAINERS=n)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
containers=${CONTAINERS:-200}
source bench/lib.sh

stigrun=$(stigrun_binary)
snapshot="$scratch/snapshot"
cp -r tests/fixtures/docker-engine/noncompliant "$snapshot"
python3 - "$snapshot" "$containers" <<'PY'
import hashlib, json, os, sys
snap, n = sys.argv[1], int(sys.argv[2])
listed = json.load(open(f"{snap}/engine/containers.json"))
app = next(c for c in listed if c["Names"] == ["/app"])
inspect = json.load(open(f"{snap}/engine/containers/{app['Id']}.json"))
top = json.load(open(f"{snap}/engine/top/{app['Id']}.json"))
for i in range(n - len(listed)):
    cid = hashlib.sha256(f"bench-{i}".encode()).hexdigest()
    name = f"/app-{i}"
    listed.append({**app, "Id": cid, "Names": [name]})
    json.dump({**inspect, "Id": cid, "Name": name}, open(f"{snap}/engine/containers/{cid}.json", "w"))
    json.dump(top, open(f"{snap}/engine/top/{cid}.json", "w"))
json.dump(listed, open(f"{snap}/engine/containers.json", "w"))
PY
mkdir -p "$scratch/root/etc/docker"
out="$scratch/out"
mkdir -p "$out"
# eval exits 2 when rules fail (they do: the workload is noncompliant); measure wants 0.
scan() {
  "$stigrun" eval -b docker-ee --root "$scratch/root" --snapshot "$snapshot" --json "$out/r.json" \
    --results "$out/xccdf.xml" --results-arf "$out/arf.xml" --report "$out/report.html" || [[ $? == 2 ]]
}
export -f scan
export stigrun scratch snapshot out
read -r wall cpu rss < <(measure bash -c scan)
echo "containers: $(ls "$snapshot/engine/containers" | wc -l)"
echo "outputs: json $(stat -c %s "$out/r.json") B, xccdf $(stat -c %s "$out/xccdf.xml") B, arf $(stat -c %s "$out/arf.xml") B, html $(stat -c %s "$out/report.html") B"
echo "eval with all outputs, median of $runs: wall ${wall} s, cpu ${cpu} s, peak RSS $((rss / 1024)) MiB"
