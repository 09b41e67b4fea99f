#!/usr/bin/env bash
# The main job: scan the two sample servers offline against the fixture advisory database.
# The hardened server must pass (exit 0) and its vulnerable twin must fail (exit 1).
set -u
cd "$(dirname "$0")/.."
cargo build --locked --quiet || exit 2
# The scans build the servers; fetch their pinned crates first (the only network use), so that
# the scans themselves run with --offline: no advisory database fetch, no registry access.
for server in sample-server vulnerable-server; do
  cargo fetch --locked --quiet --manifest-path "fixtures/$server/Cargo.toml" || exit 2
done
status=0
for case in "sample-server 0" "vulnerable-server 1"; do
  read -r server expected <<<"$case"
  echo "== cargo secgate scan fixtures/$server"
  target/debug/cargo-secgate scan "fixtures/$server" --db fixtures/advisory-db --offline
  code=$?
  echo "== exit code $code (expected $expected)"
  echo
  [ "$code" = "$expected" ] || status=1
done
exit $status
