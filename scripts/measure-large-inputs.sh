#!/usr/bin/env bash
# Times secgate on inputs large enough to show quadratic work (issue 15): a 50k-package
# Cargo.lock with 10k vulnerable entries to locate, and a policy with 40k ignores.
# Usage: scripts/measure-large-inputs.sh [BINARY]   (default: target/debug/cargo-secgate)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/cargo-secgate}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
with open(f"{work}/big.lock", "w") as f:
    f.write("version = 4\n\n")
    for i in range(40000):
        f.write(f'[[package]]\nname = "filler-{i}"\nversion = "0.1.0"\n\n')
    # smallvec >=1.0.0, <1.6.1 matches RUSTSEC-2021-0003 in fixtures/advisory-db.
    for i in range(10000):
        f.write(f'[[package]]\nname = "smallvec"\nversion = "1.{i // 2000}.{i % 2000}"\n'
                'source = "registry+https://github.com/rust-lang/crates.io-index"\n\n')
with open(f"{work}/big-policy.toml", "w") as f:
    for i in range(40000):
        f.write(f'[[ignore]]\nid = "RUSTSEC-2000-{i:04d}"\nreason = "measured"\n\n')
PY
measure() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    printf '%8.2f s  %s\n' "$(echo "$end - $start" | bc)" "${*:2}"
}
measure "$bin" scan --offline --format json --db fixtures/advisory-db --lockfile "$work/big.lock"
measure "$bin" policy check "$work/big-policy.toml"
