#!/usr/bin/env bash
# Reachability benchmarks (issue 3), each as a ratio against a baseline measured in the same run:
#   1. cold scan of a project vs a plain `cargo build` of it (both from an empty target dir);
#   2. rescan after touching one workspace source file (and `cargo build` after the same touch);
#   3. the IR analysis alone (read, graph, search): MB/s of .ll and peak RSS.
#   4. where a cold scan's time goes: its steps (from `-v`), the whole scan's peak RSS, and the
#      build without clippy.
# Usage: bench/reachability.sh [PROJECT_DIR | CRATE@VERSION] (default fixtures/sample-server).
#   CRATE@VERSION: a published binary crate, downloaded from crates.io through cargo (`cargo info`
#   unpacks it into the registry cache) and scanned with the Cargo.lock it was published with,
#   e.g. `bench/reachability.sh tokei@12.1.2`. Not kept in the repository.
# RUNS=N for cold runs. DB=DIR scans against another advisory database (default the fixtures';
# `DB=../shared/advisory-db` gives a real application's findings). FEATURE_ARGS="--no-default-features --features a,b" builds both sides with
# those features (e.g. a crate whose default features need a C toolchain absent here).
# Needs hyperfine (Debian) and GNU time (/usr/bin/time). Cold runs compile
# everything: minutes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target=${1:-$repo/fixtures/sample-server}
if [[ "$target" == *@* && ! -d "$target" ]]; then
  name=${target%@*}
  version=${target#*@}
  (cd "$work" && cargo info --quiet "$name@$version" >/dev/null)
  source=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$name-$version" | head -1)
  cp -r "$source" "$work/project"
  [ -f "$work/project/Cargo.lock" ] || { echo "$target was published without a Cargo.lock" >&2; exit 2; }
  target="$work/project"
fi
project=$(cd "$target" && pwd)
runs=${RUNS:-2}
touch_file=${TOUCH_FILE:-$(ls "$project"/src/main.rs "$project"/src/lib.rs 2>/dev/null | head -1)}
cd "$repo"
cargo build --release --quiet
secgate="$repo/target/release/cargo-secgate"
features=${FEATURE_ARGS:-}
db=$(cd "${DB:-$repo/fixtures/advisory-db}" && pwd)
scan="$secgate scan $project $features --db $db --format json --output $work/report.json"
median() { python3 -c "import json,statistics,sys; r=json.load(open(sys.argv[1]))['results']; print(' '.join(f'{statistics.median(x[\"times\"]):.3f}' for x in r))" "$1"; }

echo "== 1. cold: cargo secgate scan vs cargo build ($project, $runs rounds, alternating)"
export CARGO_TARGET_DIR="$work/target"
# The scan's build keeps line tables only of the debug info (all the graph needs); the second
# baseline is `cargo build` with that same setting, to show what the rest of the scan costs. The
# three run in turn, round after round (the machine is shared: a slow minute hits all three).
: >"$work/cold.txt"
for _ in $(seq "$runs"); do
  for what in build scan lines; do
    rm -rf "$work/target"
    start=$(date +%s.%N)
    case $what in
      build) cargo build --quiet --manifest-path "$project/Cargo.toml" $features 2>/dev/null ;;
      scan) $scan 2>/dev/null || test $? = 1 ;;
      lines) CARGO_PROFILE_DEV_DEBUG=line-tables-only cargo build --quiet --manifest-path "$project/Cargo.toml" $features 2>/dev/null ;;
    esac
    end=$(date +%s.%N)
    echo "$what $start $end" >>"$work/cold.txt"
  done
done
python3 - "$work/cold.txt" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    what, start, end = line.split()
    times.setdefault(what, []).append(float(end) - float(start))
m = {what: statistics.median(t) for what, t in times.items()}
for what, t in times.items():
    print(f"  {what:5} " + " ".join(f"{x:.1f}" for x in t))
print(f"cold: cargo build {m['build']:.1f} s, secgate scan {m['scan']:.1f} s, "
      f"ratio {m['scan'] / m['build']:.3f} (target <= 1.15); against cargo build with line "
      f"tables only {m['lines']:.1f} s: {m['scan'] / m['lines']:.3f}")
PY

echo "== 2. rescan after touching $(basename "$touch_file")"
hyperfine --style none --runs 5 --warmup 1 --export-json "$work/warm.json" \
  --prepare "touch $touch_file" \
  -n "cargo build" "cargo build --manifest-path $project/Cargo.toml $features" \
  -n "secgate scan" "$scan || test \$? = 1" >/dev/null
read -r build warm <<<"$(median "$work/warm.json")"
python3 -c "print(f'rescan: cargo build {$build:.2f} s, secgate scan {$warm:.2f} s (target <= 2 s wall)')"
# secgate's own peak RSS (`-v` prints it; /usr/bin/time would count the largest rustc instead).
peak_rss() { sed -n 's/.*analysis done (peak RSS \([0-9]*\) MB).*/\1/p' "$1"; }
touch "$touch_file"
$secgate -v ${scan#"$secgate "} >/dev/null 2>"$work/warm-steps.txt" || true
echo "rescan: peak RSS of secgate's process $(peak_rss "$work/warm-steps.txt") MB (target <= 400 MB)"

echo "== 3. IR analysis alone"
ir=$(python3 -c "import json; print(json.load(open('$work/report.json'))['analysis']['reachability']['ir_files'])")
mapfile -t files < <(find "$work/target/secgate" -path '*/deps/*.ll' -not -path '*/incremental/*')
echo "(${#files[@]} .ll files on disk, $ir in the last scan)"
for _ in 1 2 3 4 5; do
  /usr/bin/time -f "peak RSS %M KB" "$secgate" debug-ir "${files[@]}" 2>&1 | tr '\n' ' '
  echo
done

echo "== 4. where a cold scan's time goes (one run each)"
rm -rf "$work/target"
$secgate -v scan "$project" $features --db "$db" --format json \
  --output "$work/report.json" 2>"$work/steps.txt" || test $? = 1
python3 - "$work/steps.txt" <<'PY'
import re, sys
steps = [(float(m.group(1)), m.group(2)) for m in
         (re.match(r"\[\s*([0-9.]+)s\] (.*)", line) for line in open(sys.argv[1])) if m]
for (start, name), (end, _) in zip(steps, steps[1:] + [(steps[-1][0], "")]):
    print(f"  {end - start:7.2f} s  {name}")
PY
echo "  peak RSS of secgate's process in the cold scan: $(peak_rss "$work/steps.txt") MB (target <= 400 MB)"
rm -rf "$work/target"
start=$(date +%s.%N)
CLIPPY_DRIVER=/nonexistent $scan >/dev/null 2>&1 || true
end=$(date +%s.%N)
python3 -c "print(f'  cold scan without clippy: {$end - $start:.1f} s (compare with the scan above)')"
