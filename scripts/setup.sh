#!/usr/bin/env bash
# Installs, with apt, what building and testing stigrun needs on a fresh Debian machine:
# a C toolchain (pcre2 is built from source by its crate), pkg-config, OpenSCAP with the
# SCAP Security Guide content (the tests' reference implementation and corpus), a static busybox
# (the live Engine API tests build their image from it with `docker import`) and openssl (the
# certificate chain test serves a TLS endpoint with `openssl s_server`), and for the fleet tests
# podman and musl-tools (the container image: a static musl binary), ansible-core (the play) and
# pip's kubernetes-validate (the manifests, offline). The one list: .ci/run calls this script.
# Rust itself is not installed here: see README.md ("Requirements").
# Idempotent: packages already installed are skipped, and a warm machine does not touch apt.
set -euo pipefail

packages=(
  build-essential pkg-config
  openscap-scanner openscap-utils libxml2-utils time unzip
  busybox-static openssl
  podman musl-tools ansible-core python3-pip
  chromium poppler-utils
  ssg-base ssg-debian ssg-debderived ssg-nondebian ssg-applications
)

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  sudo=()
  if ((EUID != 0)); then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The static binary of the container image: the musl target, from rustup (when rustup manages Rust).
if command -v rustup >/dev/null 2>&1 \
  && ! rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
  rustup target add x86_64-unknown-linux-musl
fi

# The Kubernetes manifests are validated offline (tests/deploy.rs) by kubernetes-validate, which
# bundles the API's JSON schemas (no kubeconform or cluster needed). Debian marks its Python as
# externally managed: a user install is refused, so the system one is used on purpose.
if ! command -v kubernetes-validate >/dev/null 2>&1; then
  pip3 install --quiet kubernetes-validate 2>/dev/null \
    || pip3 install --quiet --break-system-packages kubernetes-validate
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust >= 1.85 (edition 2024), see README.md" >&2
  exit 1
fi
