#!/usr/bin/env bash
# One command: install what is missing, build vidi, and run the demo end to
# end: generate a synthetic benign multi-agency dataset, ingest it, match it,
# link it, then serve it to three agencies on http://127.0.0.1:8080 (the
# logins are printed; Ctrl-C stops). `bash scripts/demo.sh DIR --no-serve`
# stops after the ingest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vidi-target}"
cargo build --release -p vidi-cli --locked
"$CARGO_TARGET_DIR/release/vidi" demo --workspace "${1:-vidi-demo}" "${@:2}"
