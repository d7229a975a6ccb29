#!/usr/bin/env bash
# Installs, with apt, what building and testing stigrun needs on a fresh Debian machine:
# a C toolchain (pcre2 is built from source by its crate), pkg-config, and OpenSCAP with the
# SCAP Security Guide content, which the tests use as the reference implementation and corpus.
# Rust itself is not installed here: see README.md ("Requirements").
# Idempotent: packages already installed are skipped, and a warm machine does not touch apt.
set -euo pipefail

packages=(
  build-essential pkg-config
  openscap-scanner openscap-utils libxml2-utils time chromium poppler-utils
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

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust >= 1.85 (edition 2024), see README.md" >&2
  exit 1
fi
