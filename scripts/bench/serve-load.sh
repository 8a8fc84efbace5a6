#!/usr/bin/env bash
# Server load benchmark (docs/benchmarks.md, "Server load"): 200 users on a 100,000-media workspace,
# on loopback, the real server in-process (`vidi bench serve`), then a peer: the grid's own SQL
# statements in the sqlite3 CLI on the same database.
#
#   scripts/bench/serve-load.sh [OUT_DIR]
#
# Env: VIDI (the vidi binary; default target/debug/vidi, build it first with
# `cargo build -p vidi-cli`), WS (a workspace seeded by `vidi bench seed`; default: seeded into
# OUT_DIR/ws, ~30-70 s, ~200 MB), DURATION (measured seconds, default 60), USERS (default 200),
# THINK_MS (mean think time of the realistic run, default 2000).
#
# Runs, one after the other, each 60 s measured after a warm-up:
#   saturation.json   think time 0, tight loop (thumbnails one by one, no client cache): throughput
#   browser.json      the realistic model: exponential think time of mean THINK_MS per page view,
#                     a screen's thumbnails six at a time, per-user HTTP cache (max-age, If-None-Match)
#   browser-t0.json   the browser model with think time 0 (saturation of the realistic mix)
# and writes uptime (load average) before and after, the CPU model and the peer timings.
# Everything goes to OUT_DIR (default: a new temp dir, printed at the end); delete it when done.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VIDI=${VIDI:-$ROOT/target/debug/vidi}
OUT=${1:-$(mktemp -d -t vidi-serve-load.XXXXXX)}
DURATION=${DURATION:-60}
USERS=${USERS:-200}
THINK_MS=${THINK_MS:-2000}
mkdir -p "$OUT"
WS=${WS:-$OUT/ws}

if [ ! -x "$VIDI" ]; then
    echo "no vidi binary at $VIDI (cargo build -p vidi-cli, or set VIDI)" >&2
    exit 2
fi
if [ ! -f "$WS/vidi.db" ] && [ ! -d "$WS/blobs" ]; then
    "$VIDI" bench seed --workspace "$WS" --media 100000 --users "$USERS" --json > "$OUT/seed.json"
fi

{
    echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "binary: $VIDI"
    grep -m1 'model name' /proc/cpuinfo || true
    echo "cores: $(nproc)"
    echo "before: $(uptime)"
} > "$OUT/machine.txt"

run() {
    local name=$1
    shift
    echo "$(date -u +%H:%M:%S) $name ..." >&2
    echo "$name start: $(uptime)" >> "$OUT/machine.txt"
    # A non-zero exit means errors were counted: keep the JSON and go on.
    "$VIDI" bench serve --workspace "$WS" --users "$USERS" --duration "$DURATION" --json "$@" \
        > "$OUT/$name.json" || echo "$name: exit $?" >> "$OUT/machine.txt"
    echo "$name end: $(uptime)" >> "$OUT/machine.txt"
}

run saturation --warmup 5
run browser --warmup 15 --browser --think-ms "$THINK_MS"
run browser-t0 --warmup 5 --browser

# Peer: the grid's statements on the largest case in the sqlite3 CLI (same database, same run).
DB=$(ls "$WS"/*.db 2>/dev/null | head -n1 || true)
if command -v sqlite3 > /dev/null && [ -n "$DB" ]; then
    CASE=$(sqlite3 "$DB" "SELECT case_id FROM evidence GROUP BY case_id ORDER BY count(*) DESC LIMIT 1")
    sqlite3 "$DB" > "$OUT/peer-sqlite3.txt" 2>&1 <<SQL
.timer on
SELECT count(DISTINCT e.media_sha256) FROM evidence e WHERE e.case_id = $CASE AND e.media_sha256 IS NOT NULL;
SELECT count(DISTINCT e.media_sha256) FROM evidence e WHERE e.case_id = $CASE AND e.media_sha256 IS NOT NULL AND EXISTS (SELECT 1 FROM hashset_hits h WHERE h.media_sha256 = e.media_sha256);
SELECT count(*) FROM (SELECT DISTINCT e.media_sha256 FROM evidence e WHERE e.case_id = $CASE AND e.media_sha256 IS NOT NULL ORDER BY e.media_sha256 LIMIT 101);
SELECT n FROM generations WHERE name = 'data';
SQL
fi
echo "after: $(uptime)" >> "$OUT/machine.txt"

python3 - "$OUT" <<'PY' || true
import json, os, sys
out = sys.argv[1]
for name in ("saturation", "browser", "browser-t0"):
    p = os.path.join(out, name + ".json")
    try:
        d = json.load(open(p))
    except (OSError, ValueError):
        print(f"{name}: no result")
        continue
    l = d["load"]
    print(f"{name}: {l['requests_per_s']:.0f} req/s, errors {l['overall']['errors']}, "
          f"client CPU {l['client_cpu_s']:.1f} s of {l['process_cpu_s']:.1f} s, cache hits {l.get('cache_hits', 0)}")
    for k in l["kinds"] + [l["overall"]]:
        print(f"  {k['kind']:<22} {k['requests']:>7} p50 {k['p50_ms']:8.1f} p95 {k['p95_ms']:8.1f} "
              f"p99 {k['p99_ms']:8.1f} max {k['max_ms']:8.1f} ms")
PY
echo "results in $OUT" >&2
