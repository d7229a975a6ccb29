#!/usr/bin/env bash
# Times `stigrun info --benchmark FILE` against `oscap info FILE` on the same inputs and machine:
# the median wall time, CPU time (user + system) and peak RSS of RUNS runs each, and the ratios
# (oscap/stigrun time: >1 means stigrun is faster; stigrun/oscap memory: <1 means stigrun is smaller).
# On a shared, busy machine wall time mostly measures the queue; CPU time is the steadier figure.
#
# Environment:
#   STIGRUN  stigrun binary; when unset, `cargo build --release` runs first and
#            ${CARGO_TARGET_DIR:-target}/release/stigrun is used
#   RUNS     runs per tool and input (default 7, at least 5)
#   ONLY     `oscap` to measure oscap alone (e.g. before `stigrun info` exists)
# Arguments: input files (default: SSG's RHEL 8 data stream and the built-in Docker EE V2R2 XCCDF).
#
# Wall time comes from bash's EPOCHREALTIME around each run (microseconds; /usr/bin/time's %e has only
# 10 ms steps, too coarse for sub-second runs); CPU time is /usr/bin/time's %U + %S (10 ms steps);
# peak RSS is its %M (KiB).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-7}
if ((runs < 5)); then
  echo "info.sh: RUNS must be at least 5" >&2
  exit 1
fi
only=${ONLY:-}

inputs=("$@")
if ((${#inputs[@]} == 0)); then
  inputs=(
    /usr/share/xml/scap/ssg/content/ssg-rhel8-ds.xml
    content/docker-ee/U_Docker_Enterprise_2-x_Linux-Unix_STIG_V2R2_Manual-xccdf.xml
  )
fi

if [[ ! -x /usr/bin/time ]]; then
  echo "info.sh: /usr/bin/time is missing (apt-get install time)" >&2
  exit 1
fi
command -v oscap >/dev/null || { echo "info.sh: oscap is missing (apt-get install openscap-scanner)" >&2; exit 1; }

# shellcheck source=bench/lib.sh
source bench/lib.sh

stigrun=
[[ $only == oscap ]] || stigrun=$(stigrun_binary)

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), median of $runs runs"
echo "# oscap: $(oscap --version | head -n1)"
[[ -n $stigrun ]] && echo "# stigrun: $stigrun"
echo
echo "| input | MB | oscap wall s | oscap CPU s | oscap RSS MB | stigrun wall s | stigrun CPU s | stigrun RSS MB | wall oscap/stigrun | CPU oscap/stigrun | RSS stigrun/oscap |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
stigrun_failed=0
for input in "${inputs[@]}"; do
  if [[ ! -f $input ]]; then
    echo "info.sh: no such input: $input" >&2
    exit 1
  fi
  size=$(awk -v b="$(stat -c %s "$input")" 'BEGIN { printf "%.1f", b / 1048576 }')
  if ! read -r oscap_s oscap_cpu oscap_kb < <(measure oscap info "$input"); then
    echo "info.sh: oscap info $input failed: $(head -n3 "$scratch/stderr")" >&2
    exit 1
  fi
  oscap_mb=$(awk -v k="$oscap_kb" 'BEGIN { printf "%.1f", k / 1024 }')
  stigrun_cells="n/a | n/a | n/a | n/a | n/a | n/a"
  if [[ $only != oscap ]]; then
    # A binary without the command (e.g. the early skeleton, which ignores its arguments) must not
    # produce figures: the command has to succeed and print something.
    if ! "$stigrun" info --benchmark "$input" >"$scratch/out" 2>"$scratch/stderr" || [[ ! -s $scratch/out ]]; then
      echo "info.sh: \`$stigrun info --benchmark $input\` failed or printed nothing: $(head -n3 "$scratch/stderr")" >&2
      stigrun_failed=1
    elif read -r stigrun_s stigrun_cpu stigrun_kb < <(measure "$stigrun" info --benchmark "$input"); then
      # CPU times under 10 ms read as 0.00; the ratio is then shown as ">" against one 10 ms step.
      stigrun_cells=$(awk -v os="$oscap_s" -v oc="$oscap_cpu" -v ok="$oscap_kb" \
        -v ss="$stigrun_s" -v sc="$stigrun_cpu" -v sk="$stigrun_kb" 'BEGIN {
        cpu_ratio = (sc > 0) ? sprintf("%.1f×", oc / sc) : sprintf(">%.0f×", oc / 0.01)
        printf "%.3f | %.2f | %.1f | %.1f× | %s | %.2f×", ss, sc, sk / 1024, os / ss, cpu_ratio, sk / ok }')
    else
      echo "info.sh: stigrun info --benchmark $input failed: $(head -n3 "$scratch/stderr")" >&2
      stigrun_failed=1
    fi
  fi
  printf "| %s | %s | %.3f | %.2f | %s | %s |\n" "$(basename "$input")" "$size" "$oscap_s" "$oscap_cpu" "$oscap_mb" \
    "$stigrun_cells"
done

# The table is printed either way; a missing stigrun measurement still fails the script.
exit "$stigrun_failed"
