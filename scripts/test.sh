#!/usr/bin/env bash
# One command: install what is missing, then run every test and gate.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vidi-target}"
export CARGO_TERM_COLOR=never
# Test binaries bake in their checkout's path (env!("CARGO_MANIFEST_DIR") for goldens and ../shared), and cargo's
# fingerprints of workspace crates do not include that path. When this target dir last built another checkout,
# rebuild the workspace's own crates (dependencies stay cached), so no test reads files through a stale path.
mkdir -p "$CARGO_TARGET_DIR"
stamp="$CARGO_TARGET_DIR/.vidi-checkout"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$PWD" ]; then
  own=()
  for d in crates/*/; do own+=(-p "$(basename "$d")"); done
  echo "== target dir last built another checkout: cleaning the workspace crates"
  cargo clean "${own[@]}"
  echo "$PWD" >"$stamp"
fi
# tesseract's OpenMP pool makes OCR ~3x slower on 2 cores (docs/accuracy.md).
export OMP_THREAD_LIMIT=1
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked --no-fail-fast
echo "== web UI in headless chromium (tests/ui/run.sh)"
cargo build --locked -p vidi-cli
bash tests/ui/run.sh "$CARGO_TARGET_DIR/debug/vidi"
echo "== web UI grid at 100,000 media (tests/ui/run-big.sh)"
bash tests/ui/run-big.sh "$CARGO_TARGET_DIR/debug/vidi"
