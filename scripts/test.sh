#!/usr/bin/env bash
# The test suite: formatting, lints, secgate's own tests, and the sample servers' tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
# The sample servers are projects of their own; they share one target directory.
for server in fixtures/sample-server fixtures/vulnerable-server; do
  [ -f "$server/Cargo.toml" ] || continue
  CARGO_TARGET_DIR=target/fixtures cargo test --locked --manifest-path "$server/Cargo.toml"
done
