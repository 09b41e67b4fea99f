#!/usr/bin/env bash
# Times `cargo secgate scan` against `cargo audit` on the same lockfiles and the full RustSec
# snapshot, both offline, alternating runs with hyperfine, and prints medians and the ratio.
# Target (issue 2): secgate <= 0.5x cargo-audit's wall time on a lockfile with 200+ packages.
#
# Needs: hyperfine (Debian), cargo-audit (cargo install cargo-audit --locked), and the snapshot at
# ../shared/advisory-db (or $SECGATE_FULL_DB). Usage: bench/scan-vs-cargo-audit.sh [LOCKFILE…]
set -euo pipefail
cd "$(dirname "$0")/.."
db=${SECGATE_FULL_DB:-../shared/advisory-db}
runs=${RUNS:-30}
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }
cargo audit --version >/dev/null 2>&1 || { echo "cargo-audit is not installed" >&2; exit 2; }
cargo build --release --quiet
secgate=target/release/cargo-secgate
lockfiles=("$@")
[ ${#lockfiles[@]} -gt 0 ] || lockfiles=(Cargo.lock fixtures/lockfiles/vulnerable.lock)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for lock in "${lockfiles[@]}"; do
  packages=$(grep -c '^\[\[package\]\]' "$lock")
  hyperfine --style none --warmup 3 --runs "$runs" -i --export-json "$out/result.json" \
    -n secgate "$secgate scan --lockfile $lock --db $db --format json" \
    -n cargo-audit "cargo audit --db $db --no-fetch --no-yanked --stale --json -f $lock" >/dev/null
  python3 - "$out/result.json" "$lock" "$packages" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
secgate = statistics.median(results["secgate"]["times"])
audit = statistics.median(results["cargo-audit"]["times"])
print(f"{sys.argv[2]} ({sys.argv[3]} packages): secgate median {secgate*1000:.1f} ms, "
      f"cargo-audit median {audit*1000:.1f} ms, ratio {secgate/audit:.3f}")
PY
done
