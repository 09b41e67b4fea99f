#!/usr/bin/env bash
# What inferred functions change on real projects (issue 11): each project is scanned twice
# against the full RustSec snapshot, offline, with the same build — once with no inferred data
# (an empty data file: advisories that list no functions keep crate-level verdicts) and once with
# the data bundled into secgate — and the vulnerability verdicts are compared advisory by advisory.
# Usage: scripts/measure-inference.sh [DB] TARGET...
#   TARGET: a project directory, or CRATE@VERSION of a published binary crate (downloaded through
#   cargo into the registry cache and scanned with the Cargo.lock it was published with).
#   DB defaults to ../shared/advisory-db. Builds each project: minutes.
#   INFERRED=FILE compares against that data instead of the bundled data; TARGET_BASE=DIR keeps
#   the builds there (one target directory per project) so a second run is warm.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
db=$repo/../shared/advisory-db
if [ $# -gt 0 ] && [ -d "$1/crates" ]; then db=$(cd "$1" && pwd); shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [DB] DIR|CRATE@VERSION..." >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"
cargo build --release --quiet
secgate="$repo/target/release/cargo-secgate"
printf '{"version": 1, "advisories": []}\n' >"$work/none.json"

for target in "$@"; do
  if [[ "$target" == *@* && ! -d "$target" ]]; then
    name=${target%@*}
    version=${target#*@}
    (cd "$work" && cargo info --quiet "$name@$version" >/dev/null)
    source=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$name-$version" | head -1)
    rm -rf "$work/project"
    cp -r "$source" "$work/project"
    project="$work/project"
  else
    project=$(cd "$target" && pwd)
  fi
  export CARGO_TARGET_DIR="${TARGET_BASE:-$work}/target-$(basename "$target")"
  # The scans run offline (so that nothing is inferred on the fly): fetch the sources first.
  cargo fetch --quiet --locked --manifest-path "$project/Cargo.toml"
  for data in none bundled; do
    inferred=()
    home=${CARGO_HOME:-$HOME/.cargo}
    if [ "$data" = none ]; then
      inferred=(--inferred "$work/none.json")
      # A CARGO_HOME of its own (sharing cargo's registry), so no cached inference is read either.
      mkdir -p "$work/home"
      ln -sfn "$home/registry" "$work/home/registry"
      home="$work/home"
    fi
    [ "$data" = bundled ] && [ -n "${INFERRED:-}" ] && inferred=(--inferred "$INFERRED")
    CARGO_HOME="$home" "$secgate" scan "$project" --db "$db" --offline "${inferred[@]}" --format json \
      --output "$work/report-$data.json" 2>"$work/$data.err" || [ $? = 1 ] ||
      { echo "$target: scan failed:"; cat "$work/$data.err"; continue 2; }
  done
  python3 - "$target" "$work/report-none.json" "$work/report-bundled.json" <<'PY'
import json, sys
from collections import Counter
name, before_path, after_path = sys.argv[1:]
def vulns(path):
    report = json.load(open(path))
    return {(f["id"], f["package"]["name"], f["package"]["version"]): f
            for f in report["findings"] if f["kind"] == "vulnerability"}
before, after = vulns(before_path), vulns(after_path)
changes = Counter()
print(f"== {name}: {len(after)} vulnerability findings")
for key in sorted(after):
    b, a = before[key], after[key]
    source = a.get("functions_source", "?")
    change = f'{b["reachability"]} -> {a["reachability"]}'
    changes[(source, change)] += 1
    if source != "advisory":
        note = (a.get("inference") or {})
        why = note.get("unused") or f'{note.get("vulnerable")} -> {note.get("patched")}, {note.get("confidence")}'
        print(f'  {key[0]} {key[1]} {key[2]}: {change} [{source}: {why}]'[:220])
for (source, change), n in sorted(changes.items()):
    print(f"  {n:3d}  functions from {source:8s}  {change}")
PY
done
