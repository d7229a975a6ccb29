#!/usr/bin/env bash
# The project's one test command. README.md and .ci/run both call this file, so the command
# is written down in exactly one place.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check && cargo clippy --all-targets -- -D warnings && cargo test
