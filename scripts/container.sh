#!/usr/bin/env bash
# Builds the container image (Containerfile) with podman: a static musl stigrun in an empty image.
#   scripts/container.sh [TAG]        default tag: localhost/stigrun:VERSION
# Environment: PROFILE (cargo profile, default release; the tests use dev to build faster).
# Needs: the x86_64-unknown-linux-musl Rust target (rustup target add x86_64-unknown-linux-musl),
# musl-tools (musl-gcc, for the C in pcre2 and ring), podman.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-musl
profile=${PROFILE:-release}
dir=$([[ $profile == dev ]] && echo debug || echo "$profile")
CC_x86_64_unknown_linux_musl=${CC_x86_64_unknown_linux_musl:-musl-gcc} \
  cargo build --locked --profile "$profile" --target "$target" --bin stigrun
bin=${CARGO_TARGET_DIR:-target}/$target/$dir/stigrun
# Nothing may be loaded at run time: the image has no libraries.
if readelf -d "$bin" 2>/dev/null | grep -q NEEDED; then
  echo "container: $bin needs shared libraries" >&2; exit 1
fi

context=${CARGO_TARGET_DIR:-target}/container
rm -rf "$context" && mkdir -p "$context"
cp "$bin" "$context/stigrun"
version=$("$context/stigrun" --version | awk '{print $2; exit}')
tag=${1:-localhost/stigrun:$version}
podman build --quiet --file Containerfile --tag "$tag" "$context" >/dev/null
echo "$tag"
