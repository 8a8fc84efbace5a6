#!/usr/bin/env bash
# One command: install what is missing, build vidi, and run the demo end to
# end (generate a synthetic benign multi-agency dataset and ingest it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vidi-target}"
cargo build --release -p vidi-cli --locked
"$CARGO_TARGET_DIR/release/vidi" demo --workspace "${1:-vidi-demo}"
"$CARGO_TARGET_DIR/release/vidi" ls --workspace "${1:-vidi-demo}" | head -20
