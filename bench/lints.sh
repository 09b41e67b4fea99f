#!/usr/bin/env bash
# Lint-layer benchmarks (issue 5), each against a baseline measured in the same run:
#   1. cold: `cargo build` vs `cargo secgate scan` vs the same scan with clippy switched off
#      (CLIPPY_DRIVER pointing nowhere): what clippy adds inside the IR build;
#   2. the lint step of a scan (rules over the workspace, clippy's diagnostics read back, unsafe
#      accounting over every crate of the build), uncached and cached, from `-v` timings;
#   3. rules and unsafe accounting over every dependency source (examples/lint_layer).
# Usage: bench/lints.sh [PROJECT_DIR] (default fixtures/sample-server). RUNS=N for cold runs.
# Needs hyperfine (Debian). Cold runs compile everything: minutes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
project=$(cd "${1:-$repo/fixtures/sample-server}" && pwd)
runs=${RUNS:-2}
cd "$repo"
cargo build --release --quiet --examples --bins
secgate="$repo/target/release/cargo-secgate"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$work/target"
# cargo-deny is not part of the lint layer; keep it out of these timings.
export CARGO_DENY=/nonexistent/cargo-deny
scan="$secgate scan $project --db $repo/fixtures/advisory-db --format json --output $work/report.json"
medians() { python3 -c "import json,statistics,sys; r=json.load(open(sys.argv[1]))['results']; print(' '.join(f'{statistics.median(x[\"times\"]):.3f}' for x in r))" "$1"; }

echo "== 1. cold ($project, $runs runs each)"
hyperfine --style none --runs "$runs" --export-json "$work/cold.json" \
  --prepare "rm -rf $work/target" \
  -n "cargo build" "cargo build --manifest-path $project/Cargo.toml" \
  -n "secgate scan" "$scan || test \$? = 1" \
  -n "secgate scan, no clippy" "CLIPPY_DRIVER=/nonexistent/clippy-driver $scan || test \$? = 1" >/dev/null
read -r build full noclippy <<<"$(medians "$work/cold.json")"
python3 -c "print(f'cold: cargo build {$build:.1f} s, scan {$full:.1f} s, scan without clippy {$noclippy:.1f} s; clippy adds {($full-$noclippy)/$noclippy*100:.1f}% to the scan, the scan is {$full/$build:.3f} x the build')"

echo "== 2. the lint step of a scan (-v), uncached then cached (median of 5 each)"
lint_step() {
  "$secgate" -v scan "$project" --db "$repo/fixtures/advisory-db" --format json --output "$work/r.json" 2>&1 >/dev/null |
    python3 -c "
import re, sys
lines = [re.match(r'\[\s*([0-9.]+)s\] (.*)', l) for l in sys.stdin]
lines = [m for m in lines if m]
for i, m in enumerate(lines):
    if m.group(2).startswith('linting') and i + 1 < len(lines):
        print(f'{float(lines[i+1].group(1)) - float(m.group(1)):.3f}')
"
}
for mode in uncached cached; do
  times=()
  for _ in 1 2 3 4 5; do
    [ "$mode" = uncached ] && rm -f "$work"/target/secgate/unsafe-counts.json
    times+=("$(lint_step || true)")
  done
  python3 -c "import statistics,sys; t=[float(x) for x in sys.argv[2:] if x]; print(f'lint step, {sys.argv[1]}: median {statistics.median(t):.2f} s ({min(t):.2f}-{max(t):.2f}); {statistics.median(t)/$full*100:.1f}% of the cold scan')" "$mode" "${times[@]}"
done

echo "== 3. rules and unsafe accounting over every dependency source"
deps=$(find "$work/target/secgate" -maxdepth 3 -type d -path '*/debug/deps' | head -1)
"$repo/target/release/examples/lint_layer" "$project/Cargo.lock" "$deps" | grep -v '^unparsed'

echo "== 4. cargo-geiger (if installed) vs cargo build, cold, $runs runs each"
if cargo geiger --version >/dev/null 2>&1; then
  hyperfine --style none --runs "$runs" --export-json "$work/geiger.json" \
    --prepare "rm -rf $work/target" \
    -n "cargo build" "cargo build --manifest-path $project/Cargo.toml" \
    -n "cargo geiger" "cd $project && cargo geiger --output-format Json > $work/geiger-report.json 2>/dev/null" >/dev/null
  read -r build geiger <<<"$(medians "$work/geiger.json")"
  python3 -c "print(f'cold: cargo build {$build:.1f} s, cargo geiger {$geiger:.1f} s ({$geiger/$build:.2f} x the build); secgate counts unsafe code from its own build, in the lint step above')"
else
  echo "cargo geiger is not installed: skipped"
fi
