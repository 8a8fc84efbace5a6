#!/usr/bin/env bash
# End-to-end UI tests in headless Chromium (playwright-core + the Debian chromium), node's test runner.
#
# The UI against the real `vidi serve` on a free loopback port, on a workspace built here (agencies and users
# added with the CLI, generated benign images, GPS camera samples from ../shared, a video); stopped afterwards.
# VIDI_UI_MODE=mock runs the same tests against tests/ui/mock-server.mjs instead (development only: a
# 100,000-media case without building one); CI never does.
# Usage: tests/ui/run.sh [VIDI_BINARY]   (default: $CARGO_TARGET_DIR/debug/vidi, else target/debug/vidi)
# VIDI_UI_MODE=real|mock (default real).
# Exits non-zero on failure; skips (exit 0, with a message) when node or chromium is missing (scripts/setup.sh
# installs them).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$HERE"

if ! command -v node >/dev/null; then
  echo "ui tests: SKIPPED: node is not installed (scripts/setup.sh installs it)"
  exit 0
fi
CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$CHROMIUM" ]; then
  echo "ui tests: SKIPPED: chromium is not installed (scripts/setup.sh installs the Debian package chromium)"
  exit 0
fi
export CHROMIUM
if [ ! -d node_modules/playwright-core ]; then
  if ! command -v npm >/dev/null; then
    echo "ui tests: SKIPPED: npm is missing and tests/ui/node_modules is not installed"
    exit 0
  fi
  npm ci --no-audit --no-fund --loglevel=error
fi

VIDI="${1:-${VIDI_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/vidi}}"
MODE="${VIDI_UI_MODE:-real}"
HAS_REAL=0
if [ -x "$VIDI" ] && "$VIDI" serve --help 2>/dev/null | grep -q -- '--listen'; then HAS_REAL=1; fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/vidi-ui.XXXXXX")"
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

wait_server() {
  for _ in $(seq 1 120); do
    if node -e "fetch(process.env.VIDI_UI_BASE+'/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "ui tests: the server exited:"; cat "$TMP/server.log"; return 1
    fi
    sleep 0.5
  done
  echo "ui tests: the server did not answer in 60 s"; return 1
}

common_env() {
  export VIDI_UI_ANALYST=be-analyst VIDI_UI_REVIEWER=be-reviewer VIDI_UI_OTHER=nl-analyst VIDI_UI_OTHER_ADMIN=nl-admin
  export VIDI_UI_BIG_CASE=BE-2026-001 VIDI_UI_DETAIL_CASE=BE-2026-002
}

run_tests() {
  local name="$1" status=0
  node --test --test-concurrency=1 tests/ || status=$?
  if [ "$status" -ne 0 ]; then
    echo "ui tests ($name): FAILED (exit $status); server log tail:"
    tail -n 40 "$TMP/server.log" || true
  fi
  return "$status"
}

contract_suite() {
  local port; port="$(free_port)"
  export VIDI_UI_BASE="http://127.0.0.1:$port"
  export VIDI_UI_PASSWORD="vidi-ui-test-$RANDOM-$RANDOM" MOCK_PASSWORD=""
  MOCK_PASSWORD="$VIDI_UI_PASSWORD"
  unset VIDI_UI_VERIFY VIDI_UI_LEAD_COUNTRY
  common_env
  echo "== ui tests (contract): the UI against the API contract mock (tests/ui/mock-server.mjs) on $VIDI_UI_BASE"
  node mock-server.mjs "$port" >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  local status=0
  wait_server && run_tests contract || status=$?
  stop_server
  return "$status"
}

real_suite() {
  local port; port="$(free_port)"
  export VIDI_UI_BASE="http://127.0.0.1:$port"
  export VIDI_UI_PASSWORD="vidi-ui-test-$RANDOM-$RANDOM"
  common_env
  echo "== ui tests (real): $VIDI serve on $VIDI_UI_BASE"
  local WS="$TMP/ws" SHARED="${VIDI_SHARED_DIR:-$ROOT/../shared}"
  export VIDI_NO_PROGRESS=1
  "$VIDI" init --workspace "$WS" >/dev/null
  "$VIDI" agencies add --workspace "$WS" --code BE-FCCU --country BE --name "Belgian Federal Computer Crime Unit" >/dev/null
  "$VIDI" agencies add --workspace "$WS" --code NL-NP --country NL --name "Netherlands National Police" >/dev/null
  local u name agency role
  for u in be-analyst:BE-FCCU:analyst be-reviewer:BE-FCCU:reviewer be-admin:BE-FCCU:admin nl-analyst:NL-NP:analyst nl-admin:NL-NP:admin; do
    IFS=: read -r name agency role <<<"$u"
    printf '%s\n' "$VIDI_UI_PASSWORD" | "$VIDI" users add --workspace "$WS" --agency "$agency" --role "$role" --username "$name" >/dev/null
  done
  # Benign generated media: a case large enough to scroll, a case with GPS photos (public camera samples) and a
  # video with sound, and another agency's case that shares one picture with the first (a cross-agency link).
  mkdir -p "$TMP/big" "$TMP/detail" "$TMP/nl"
  ffmpeg -nostdin -loglevel error -f lavfi -i "testsrc=size=96x72:rate=1" -frames:v "${VIDI_UI_BIG_N:-600}" "$TMP/big/frame-%04d.png"
  ffmpeg -nostdin -loglevel error -f lavfi -i "testsrc2=size=320x240:rate=25:duration=12" -f lavfi -i "sine=frequency=440:duration=12" \
    -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest "$TMP/detail/clip.mp4"
  local f
  for f in DSCN0010.jpg DSCN0012.jpg DSCN0021.jpg; do
    if [ -f "$SHARED/corpora/exif-samples/jpg/gps/$f" ]; then cp "$SHARED/corpora/exif-samples/jpg/gps/$f" "$TMP/detail/"; fi
  done
  ffmpeg -nostdin -loglevel error -f lavfi -i "mandelbrot=size=320x240:rate=1" -frames:v 4 "$TMP/nl/nl-%02d.png"
  cp "$TMP/big/frame-0001.png" "$TMP/nl/shared-copy.png"
  "$VIDI" ingest --workspace "$WS" --case BE-2026-001 --agency BE-FCCU "$TMP/big" >/dev/null
  "$VIDI" ingest --workspace "$WS" --case BE-2026-002 --agency BE-FCCU "$TMP/detail" >/dev/null
  "$VIDI" ingest --workspace "$WS" --case NL-2026-001 --agency NL-NP "$TMP/nl" >/dev/null
  "$VIDI" serve --workspace "$WS" --listen "127.0.0.1:$port" >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  export VIDI_UI_VERIFY="${VIDI_UI_VERIFY:-$VIDI package verify}"
  export VIDI_UI_LEAD_COUNTRY="${VIDI_UI_LEAD_COUNTRY:-IT}"
  local status=0
  wait_server && run_tests real || status=$?
  stop_server
  return "$status"
}

overall=0
if [ "$MODE" = mock ]; then
  # Development only (a 100,000-media case without building one): never what CI runs.
  contract_suite || overall=1
else
  if [ "$HAS_REAL" != 1 ]; then
    echo "ui tests: $VIDI has no 'serve --listen' (build vidi-cli first)"; exit 1
  fi
  rs=0
  # in a background subshell so that `set -e` holds inside (it is ignored in a subshell tested by ||)
  (set -e; trap stop_server EXIT; real_suite) &
  wait $! || rs=$?
  [ "$rs" -eq 0 ] || overall=1
fi
exit "$overall"
