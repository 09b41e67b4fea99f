#!/usr/bin/env bash
# Records what cargo-audit reports for each parity case, as test data for tests/parity.rs.
#
# Needs cargo-audit (`cargo install cargo-audit --locked`) and, for the full-database cases, the
# RustSec snapshot at ../shared/advisory-db (or $SECGATE_FULL_DB). Writes one JSON file per case
# to fixtures/parity/: the sorted (advisory id, package, version, kind) tuples cargo-audit found.
# Only those tuples are kept, not cargo-audit's whole output, so no advisory prose is copied.
set -euo pipefail
cd "$(dirname "$0")/.."
full_db=${SECGATE_FULL_DB:-../shared/advisory-db}
out=fixtures/parity
version=$(cargo audit --version | awk '{print $NF}')

# case-name  lockfile  database
cases=()
for lock in fixtures/lockfiles/*.lock; do
  name=$(basename "$lock" .lock)
  [ "$name" = malformed ] && continue
  cases+=("$name.fixture-db $lock fixtures/advisory-db")
  cases+=("$name.full-db $lock $full_db")
done
for project in fixtures/sample-server fixtures/vulnerable-server .; do
  [ -f "$project/Cargo.lock" ] || continue
  name=$(basename "$(cd "$project" && pwd)")
  [ "$project" = . ] && name=secgate
  cases+=("$name.full-db $project/Cargo.lock $full_db")
done

for case in "${cases[@]}"; do
  read -r name lock db <<<"$case"
  # cargo-audit exits 1 when it finds vulnerabilities; its JSON is on stdout either way.
  json=$(cargo audit --db "$db" --no-fetch --no-yanked --stale --json -f "$lock" 2>/dev/null || true)
  db_name=$([ "$db" = fixtures/advisory-db ] && echo fixtures/advisory-db || echo full-snapshot)
  CASE_JSON="$json" python3 - "$out/$name.json" "$lock" "$db_name" "$version" <<'PY'
import json, os, sys
path, lock, db, version = sys.argv[1:]
report = json.loads(os.environ["CASE_JSON"])
found = set()
for vuln in report["vulnerabilities"]["list"]:
    found.add((vuln["advisory"]["id"], vuln["package"]["name"], vuln["package"]["version"], "vulnerability"))
for kind, warnings in report["warnings"].items():
    for warning in warnings:
        if warning.get("advisory"):
            found.add((warning["advisory"]["id"], warning["package"]["name"], warning["package"]["version"], kind))
record = {"recorded_with": "cargo-audit " + version, "lockfile": lock, "database": db,
          "findings": [list(t) for t in sorted(found)]}
with open(path, "w") as f:
    json.dump(record, f, indent=2)
    f.write("\n")
print(f"{path}: {len(found)} findings")
PY
done
