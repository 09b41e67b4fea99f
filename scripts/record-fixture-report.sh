#!/usr/bin/env bash
# Records the shared fixture report that every output format's snapshot test renders:
# a real scan of fixtures/vulnerable-server (with reachability and traces) under
# fixtures/reports/policy.toml, with this machine's paths and times replaced by stable values.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
out=fixtures/reports/vulnerable-server.json
SECGATE_TODAY=2026-11-28 target/debug/cargo-secgate scan fixtures/vulnerable-server \
  --db fixtures/advisory-db --offline --policy fixtures/reports/policy.toml \
  --inferred fixtures/inferred-functions.json \
  --format json --output "$out.tmp" || [ $? = 1 ]
python3 - "$out.tmp" "$out" "$PWD" <<'PY'
import json, sys
src, dst, root = sys.argv[1:]
report = json.load(open(src))
report["tool"]["version"] = "0.0.0"
report["database"]["path"] = "fixtures/advisory-db"
report["database"]["last_updated"] = "2026-01-01T00:00:00Z"
report["lockfile"]["path"] = "fixtures/vulnerable-server/Cargo.lock"
report["analysis"]["reachability"]["ir_bytes"] = 0
# Keep the fixture readable: three reachable unsafe functions per crate show the shape.
for krate in report["unsafe_code"]:
    if krate["reachable_unsafe_functions"]:
        del krate["reachable_unsafe_functions"][3:]
text = json.dumps(report, indent=2, ensure_ascii=False)
assert root not in text, "a machine path is left in the report"
open(dst, "w").write(text + "\n")
PY
rm "$out.tmp"
echo "wrote $out"
