#!/usr/bin/env bash
# Builds what a user installs, into target/package/:
#   stigrun-VERSION-x86_64-linux-static   statically linked x86_64 binary (glibc, crt-static)
#   stigrun_VERSION-1_amd64.deb           cargo-deb: binary, man pages, bash/zsh/fish completions
#   stigrun-VERSION-1.x86_64.rpm          cargo-generate-rpm: the same files
#   SHA256SUMS
# Man pages and completions come from the clap definitions (examples/gen-docs.rs).
# Needs: cargo-deb and cargo-generate-rpm (`cargo install --locked cargo-deb cargo-generate-rpm`),
# gzip, readelf (binutils) to confirm the binary is static.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
out=target/package
for tool in cargo-deb cargo-generate-rpm; do
  command -v "$tool" >/dev/null || { echo "package: $tool missing: cargo install --locked $tool" >&2; exit 2; }
done

# crt-static links glibc into the binary. --target keeps the flag off build scripts and proc macros,
# which must stay dynamic to be loaded by the compiler.
# Symbols are stripped from the packaged binary only (CARGO_PROFILE_RELEASE_STRIP), not from the
# release profile benchmarks use.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" CARGO_PROFILE_RELEASE_STRIP=symbols \
  cargo build --release --locked --target "$target" --bin stigrun --example gen-docs
bin=target/$target/release/stigrun
# No NEEDED entry in the dynamic section: nothing is loaded from the installed system.
if readelf -d "$bin" | grep -q NEEDED; then
  echo "package: $bin needs shared libraries:" >&2; readelf -d "$bin" | grep NEEDED >&2; exit 1
fi

rm -rf "$out" && mkdir -p "$out"
"target/$target/release/examples/gen-docs" "$out/docs" >/dev/null
gzip -9n "$out"/docs/man/*.1

version=$("$bin" -V | awk '{print $2}')
cp "$bin" "$out/stigrun-$version-x86_64-linux-static"
cargo deb --no-build --target "$target" --output "$out/"
cargo generate-rpm --target "$target" --output "$out/"
(cd "$out" && sha256sum stigrun-* stigrun_* > SHA256SUMS)
ls -l "$out"
"$bin" --version
