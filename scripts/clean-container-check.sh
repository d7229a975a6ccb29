#!/usr/bin/env bash
# Checks, in containers made from a clean Debian 12 root file system, what README.md promises a new user:
#
#   1. readme:   a clone of this repository (nothing beside it, no shared data) on a machine with only
#                what README.md's "Requirements" names; then README.md's setup + main-job command and
#                its test command, taken from README.md itself (the blocks after the
#                `clean-container-check:` markers), exactly as written.
#   2. packages: `dpkg -i` of the .deb from scripts/package.sh in a second fresh container: `stigrun
#                --version`, `man stigrun-eval` (man-db installed for the check), the completions; and the
#                .rpm with `rpm -qlp` and `rpm -i --nodeps --root` into a scratch root.
#
# The root file system comes from debootstrap (Debian 12 minbase, from the Debian mirror) and is
# imported with `docker import`: no container registry is needed. The tarball is cached under
# .cache/clean-container/ (gitignored); delete it to start from a new one.
#
# Rust: README.md asks for Rust >= 1.88 installed with rustup. Where rustup's download site is not
# reachable, the host's toolchain (`rustc --print sysroot`: cargo, rustc, rustfmt, clippy) is mounted
# read-only into the first container in its place, and a copy of the host's cargo registry cache
# stands in for crates.io (cargo runs offline); nothing else of the host is.
#
# usage: scripts/clean-container-check.sh [readme|packages]...   (default: both)
# needs: root (debootstrap), docker, git; slow (a release build and the full test suite in the
# container: tens of minutes on 2 cores), so CI does not run it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=$repo/.cache/clean-container
rootfs_tar=$cache/debian12-minbase.tar
image=stigrun-clean-debian12
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
phases=("$@")
((${#phases[@]})) || phases=(readme packages)

started=$SECONDS
log() { printf '[%4ds] %s\n' "$((SECONDS - started))" "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap)" >&2; exit 2; }
for tool in debootstrap docker git; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install $tool)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- the clean root file system and its image ---------------------------------------------------------
mkdir -p "$cache"
if [ ! -f "$rootfs_tar" ]; then
  log "debootstrap Debian 12 (minbase) from $mirror"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$work/rootfs" --numeric-owner -cf "$rootfs_tar.partial" .
  mv "$rootfs_tar.partial" "$rootfs_tar"
  rm -rf "$work/rootfs"
fi
tag=$(sha256sum "$rootfs_tar" | cut -c1-12)
if ! docker image inspect "$image:$tag" >/dev/null 2>&1; then
  log "docker import $rootfs_tar as $image:$tag"
  docker import "$rootfs_tar" "$image:$tag" >/dev/null
fi

# A code block of README.md: the lines of the first fenced block after `<!-- clean-container-check: NAME -->`.
readme_block() {
  awk -v marker="<!-- clean-container-check: $1 -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$repo/README.md"
}

run_in_container() { # $1 name, rest: docker run arguments before the image; the script on stdin
  local name=$1; shift
  docker run --rm -i --network host --name "stigrun-clean-check-$name-$$" "$@" "$image:$tag" bash -s
}

# --- 1: the README's commands on a clone ----------------------------------------------------------------
check_readme() {
  local requirements setup tests
  requirements=$(readme_block requirements)
  setup=$(readme_block setup)
  tests=$(readme_block tests)
  [ -n "$requirements" ] && [ -n "$setup" ] && [ -n "$tests" ] \
    || { echo "README.md lacks a clean-container-check block (requirements, setup, tests)" >&2; exit 1; }
  [ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] \
    || log "note: uncommitted changes are not in the clone; the check runs HEAD $(git -C "$repo" rev-parse --short HEAD)"
  # A clone, as a user gets it: committed files only, no target/, nothing beside it.
  git clone -q --no-local "$repo" "$work/home/stigrun"
  local sysroot
  sysroot=$(rustc --print sysroot)
  # Crates: a copy of the host's cargo registry cache, used offline. This sandbox reaches crates.io only
  # through a TLS proxy that a clean container does not trust; on a real machine cargo downloads them.
  mkdir -p "$work/cargo-home"
  cp -a "${CARGO_HOME:-$HOME/.cargo}/registry" "$work/cargo-home/"
  log "readme: container from $image:$tag, clone of $(git -C "$repo" rev-parse --short HEAD), Rust $(rustc --version | cut -d' ' -f2) mounted read-only"
  # Where the clone sits in the container. Built at run time: the repository test flags any file that
  # names the checkout's own absolute path, and inside the container this is that path.
  local inside="/root/clone-$$"
  # A network that intercepts TLS (the host trusts its CA through PIP_CERT) would make pip in the
  # container fail to reach PyPI: hand the host's bundle on, as the cargo cache stands in for crates.io.
  local pip_ca=()
  if [ -n "${PIP_CERT:-}" ] && [ -f "$PIP_CERT" ]; then
    pip_ca=(-v "$PIP_CERT:/etc/ssl/host-ca.pem:ro" -e PIP_CERT=/etc/ssl/host-ca.pem)
  fi
  run_in_container readme "${pip_ca[@]}" \
    -v "$work/home/stigrun:$inside" \
    -v "$sysroot:/opt/rust:ro" \
    -v "$work/cargo-home:/cargo-home" -e CARGO_HOME=/cargo-home -e CARGO_NET_OFFLINE=true \
    -e PATH=/opt/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    -e DEBIAN_FRONTEND=noninteractive \
    -w "$inside" <<EOF
set -euo pipefail
# The container runs as root, where README.md's sudo has nothing to do.
sudo() { "\$@"; }
t0=\$SECONDS
echo "== README requirements (apt part; Rust is the mounted toolchain)"
$requirements
echo "== README setup and main job"
$setup
echo "main job: \$(( SECONDS - t0 )) s since start"
echo "== README test command"
t1=\$SECONDS
$tests
echo "tests: \$(( SECONDS - t1 )) s"
EOF
  log "readme: passed"
}

# --- 2: the packages ------------------------------------------------------------------------------------
check_packages() {
  log "packages: scripts/package.sh"
  "$repo/scripts/package.sh" > "$work/package.log" 2>&1 || { tail -30 "$work/package.log" >&2; exit 1; }
  log "packages: dpkg -i and rpm -i --nodeps --root in a fresh container"
  run_in_container packages -v "$repo/target/package:/pkg:ro" -e DEBIAN_FRONTEND=noninteractive <<'EOF'
set -euo pipefail
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends man-db rpm >/dev/null
dpkg -i /pkg/stigrun_*_amd64.deb
stigrun --version
stigrun --version | grep -q '^built-in content: docker-ee V2R2'
for page in stigrun stigrun-eval stigrun-oval-eval stigrun-report; do
  man -P cat "$page" 2>/dev/null | grep -q "^NAME" || { echo "man $page does not work" >&2; exit 1; }
done
man -P cat stigrun-eval | sed -n '1,8p'
for completion in /usr/share/bash-completion/completions/stigrun /usr/share/zsh/vendor-completions/_stigrun \
                  /usr/share/fish/vendor_completions.d/stigrun.fish; do
  grep -q results-arf "$completion" || { echo "missing or empty: $completion" >&2; exit 1; }
done
echo "completions: bash, zsh, fish present"
# The installed binary does its job: the built-in benchmark on this (Docker-less) container.
stigrun eval --benchmark docker-ee --json /tmp/results.json >/dev/null
grep -q '"notapplicable"' /tmp/results.json
echo "eval of the built-in docker-ee: ok (notapplicable without Docker)"
rpm -qlp /pkg/stigrun-*.x86_64.rpm
mkdir /tmp/rpmroot
rpm -i --nodeps --root /tmp/rpmroot /pkg/stigrun-*.x86_64.rpm
rpm --root /tmp/rpmroot -q stigrun
/tmp/rpmroot/usr/bin/stigrun --version | head -n1
test -f /tmp/rpmroot/usr/share/man/man1/stigrun-eval.1.gz
test -f /tmp/rpmroot/usr/share/zsh/site-functions/_stigrun
echo "rpm: installed into a scratch root"
EOF
  log "packages: passed"
}

for phase in "${phases[@]}"; do
  case $phase in
    readme) check_readme ;;
    packages) check_packages ;;
    *) echo "unknown phase $phase (readme, packages)" >&2; exit 2 ;;
  esac
done
log "clean-container check passed: ${phases[*]}"
