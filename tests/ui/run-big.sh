#!/usr/bin/env bash
# The UI grid at 100,000 media on the real server: `vidi bench seed` builds the workspace once (three agencies,
# 100,000 media through the store's bulk API, about a minute), `vidi serve` serves it, and the tests in
# tests/ui/big/ run in headless Chromium. Usage: tests/ui/run-big.sh [VIDI_BINARY]; VIDI_UI_BIG_MEDIA overrides
# the size. Skips (exit 0, with a message) when node or chromium is missing, like run.sh.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$HERE"
if ! command -v node >/dev/null; then echo "ui tests (100k): SKIPPED: node is not installed"; exit 0; fi
CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$CHROMIUM" ]; then echo "ui tests (100k): SKIPPED: chromium is not installed"; exit 0; fi
export CHROMIUM
if [ ! -d node_modules/playwright-core ]; then
  if ! command -v npm >/dev/null; then echo "ui tests (100k): SKIPPED: tests/ui/node_modules is not installed"; exit 0; fi
  npm ci --no-audit --no-fund --loglevel=error
fi
VIDI="${1:-${VIDI_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/vidi}}"
if ! "$VIDI" bench seed --help >/dev/null 2>&1; then echo "ui tests (100k): $VIDI has no 'bench seed' (build vidi-cli first)"; exit 1; fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/vidi-ui-big.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export VIDI_UI_BASE="http://127.0.0.1:$PORT"
export VIDI_UI_PASSWORD="vidi-ui-big-$RANDOM-$RANDOM"
# user000 is an admin of BE-FCCU, which owns BE-2026-001 (40 % of the media); user003 an analyst of BE-FCCU.
export VIDI_UI_ANALYST=user003 VIDI_UI_BIG_CASE=BE-2026-001
export VIDI_NO_PROGRESS=1
N="${VIDI_UI_BIG_MEDIA:-100000}"
echo "== ui tests (100k): seeding $N media"
start=$(date +%s)
VIDI_BENCH_PASSWORD="$VIDI_UI_PASSWORD" "$VIDI" bench seed --workspace "$TMP/ws" --media "$N" --users 6 --json >"$TMP/seed.json"
echo "   seeded in $(( $(date +%s) - start )) s"
"$VIDI" serve --workspace "$TMP/ws" --listen "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  if node -e "fetch(process.env.VIDI_UI_BASE+'/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "the server exited:"; cat "$TMP/server.log"; exit 1; fi
  sleep 0.5
done
status=0
node --test --test-concurrency=1 big/ || status=$?
if [ "$status" -ne 0 ]; then echo "ui tests (100k): FAILED; server log tail:"; tail -n 40 "$TMP/server.log" || true; fi
echo "   total $(( $(date +%s) - start )) s"
exit "$status"
