# Shared by the bench scripts: a scratch directory, the stigrun binary, and timing one command over
# RUNS runs. Wall time comes from bash's EPOCHREALTIME around each run (microseconds); CPU time is
# /usr/bin/time's %U + %S; peak RSS is its %M (KiB). Needs $runs set by the caller.

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The stigrun binary: $STIGRUN, or a release build of this checkout.
stigrun_binary() {
  if [[ -n ${STIGRUN:-} ]]; then
    echo "$STIGRUN"
    return
  fi
  cargo build --release --quiet
  echo "${CARGO_TARGET_DIR:-target}/release/stigrun"
}

# Prints "<median wall s> <median cpu s> <median peak RSS KiB>" for RUNS runs of the command, or
# fails (printing nothing) when a run exits non-zero; its stderr is then in $scratch/stderr.
measure() {
  local wall=() cpu=() rss=() i start end kib user system
  for ((i = 0; i < runs; i++)); do
    start=$EPOCHREALTIME
    if ! /usr/bin/time -f '%M %U %S' -o "$scratch/time" "$@" >/dev/null 2>"$scratch/stderr"; then
      return 1
    fi
    end=$EPOCHREALTIME
    read -r kib user system < <(tail -n1 "$scratch/time")
    wall+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')")
    cpu+=("$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%.2f", u + s }')")
    rss+=("$kib")
  done
  printf '%s %s %s\n' "$(median "${wall[@]}")" "$(median "${cpu[@]}")" "$(median "${rss[@]}")"
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

